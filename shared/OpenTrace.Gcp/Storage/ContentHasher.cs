using System.Security.Cryptography;
using OpenTrace.Core.Storage;

namespace OpenTrace.Gcp.Storage;

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
