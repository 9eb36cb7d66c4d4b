using System.Buffers.Binary;
using System.Numerics;

namespace OpenTrace.Core.Storage;

/// <summary>
/// Incremental CRC32C (Castagnoli), the checksum Cloud Storage keeps for every object; hardware-accelerated where the
/// CPU has it. A default instance is the checksum of nothing.
/// </summary>
public struct Crc32C
{
    private uint _state;
    private bool _started;

    /// <summary>The checksum of everything appended so far.</summary>
    public readonly uint Value => ~(_started ? _state : uint.MaxValue);

    /// <summary>Adds <paramref name="data"/> to the checksum.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _started ? _state : uint.MaxValue;
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

    /// <summary>Base64 of the big-endian checksum, the form of a GCS object's <c>crc32c</c> field and of <c>x-goog-hash</c>.</summary>
    public readonly string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return Convert.ToBase64String(bytes);
    }
}
