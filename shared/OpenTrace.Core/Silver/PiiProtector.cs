using System.Security.Cryptography;
using System.Text;

namespace OpenTrace.Core.Silver;

/// <summary>Applies the personal-data policies: keyed pseudonymisation, masking and scrubbing. Thread-safe.</summary>
public sealed class PiiProtector(PiiKey key)
{
    /// <summary>Length of a pseudonymisation token: 32 lower-case hex characters (128 bits of HMAC-SHA256).</summary>
    public const int TokenLength = 32;

    private readonly byte[] _key = key.Bytes.ToArray();

    /// <summary>
    /// A short public id of the key (16 hex characters of SHA-256 over a fixed label keyed with it): outputs record
    /// it, so a key change is noticed, and it reveals nothing about the key.
    /// </summary>
    public string KeyId => Convert.ToHexStringLower(HMACSHA256.HashData(_key, "opentrace-pii-key-id"u8))[..16];

    /// <summary>The token of a value: the first 16 bytes of HMAC-SHA256(key, UTF-8 value), as hex.</summary>
    public string Pseudonymize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> token = stackalloc byte[TokenLength];
        Pseudonymize(Encoding.UTF8.GetBytes(value), token);
        return Encoding.ASCII.GetString(token);
    }

    /// <summary>Writes the token of UTF-8 <paramref name="value"/> into <paramref name="token"/> (<see cref="TokenLength"/> ASCII bytes).</summary>
    public void Pseudonymize(ReadOnlySpan<byte> value, Span<byte> token)
    {
        Span<byte> hash = stackalloc byte[32];
        HMACSHA256.HashData(_key, value, hash);
        for (var i = 0; i < TokenLength / 2; i++)
        {
            token[2 * i] = Hex(hash[i] >> 4);
            token[(2 * i) + 1] = Hex(hash[i] & 0xF);
        }
    }

    /// <summary>Letters and digits become '*', except the last <paramref name="keepLast"/> of them; other characters stay.</summary>
    public static string Mask(string value, int keepLast)
    {
        ArgumentNullException.ThrowIfNull(value);
        var chars = value.ToCharArray();
        var keep = keepLast;
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsLetterOrDigit(chars[i]))
            {
                continue;
            }

            if (keep > 0)
            {
                keep--;
            }
            else
            {
                chars[i] = '*';
            }
        }

        return new string(chars);
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
