using System.Buffers.Binary;
using System.Numerics;

namespace OpenTrace.Embedded.Storage;

/// <summary>Incremental CRC32C (Castagnoli), the checksum Cloud Storage keeps for every object.</summary>
internal sealed class Crc32C
{
    private uint _state = uint.MaxValue;

    /// <summary>The checksum of everything appended so far.</summary>
    public uint Value => ~_state;

    public void Append(ReadOnlySpan<byte> data)
    {
        var state = _state;
        while (data.Length >= sizeof(ulong))
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        _state = state;
    }

    /// <summary>Base64 of the big-endian checksum, as the <c>crc32c</c> field of a GCS object carries it.</summary>
    public string ToBase64()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);
        return Convert.ToBase64String(bytes);
    }
}
