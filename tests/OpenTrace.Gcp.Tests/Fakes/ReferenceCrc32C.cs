namespace OpenTrace.Gcp.Tests.Fakes;

/// <summary>A bit-by-bit CRC32C, independent of the adapter's accelerated one, so the fake server checks it.</summary>
public static class ReferenceCrc32C
{
    public static string Base64(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        crc = ~crc;
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }
}
