using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace OpenTrace.Gcp.Storage;

/// <summary>CRC32C (Castagnoli) over a byte sequence, as Cloud Storage computes it; hardware-accelerated where available.</summary>
internal struct Crc32C
{
    private uint _state;
    private bool _started;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _started ? _state : 0xFFFFFFFFu;
        _started = true;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        _state = crc;
    }

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly uint Value => ~(_started ? _state : 0xFFFFFFFFu);

    /// <summary>Base64 of the big-endian checksum, the form in the object resource and <c>x-goog-hash</c>.</summary>
    public readonly string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return Convert.ToBase64String(bytes);
    }
}

/// <summary>Computes MD5 and CRC32C together over data read once.</summary>
internal sealed class ContentHasher : IDisposable
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private Crc32C _crc;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _md5.AppendData(data);
        _crc.Append(data);
        Length += data.Length;
    }

    public string Crc32CBase64 => _crc.ToBase64();

    /// <summary>Base64 MD5 of everything appended; call once, at the end.</summary>
    public string FinishMd5Base64() => Convert.ToBase64String(_md5.GetHashAndReset());

    public void Dispose() => _md5.Dispose();
}

/// <summary>Parses <c>x-goog-hash: crc32c=...,md5=...</c> headers.</summary>
internal static class GoogHash
{
    public static (string? Crc32C, string? Md5) Parse(IEnumerable<string> values)
    {
        string? crc = null;
        string? md5 = null;
        foreach (var part in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq];
            var value = part[(eq + 1)..];
            if (key.Equals("crc32c", StringComparison.OrdinalIgnoreCase))
            {
                crc = value;
            }
            else if (key.Equals("md5", StringComparison.OrdinalIgnoreCase))
            {
                md5 = value;
            }
        }

        return (crc, md5);
    }
}
