using System.Buffers;
using System.Runtime.InteropServices;
using ParquetSharp;

namespace OpenTrace.Core.Silver;

/// <summary>A value's place in a byte buffer: <see cref="Length"/> -1 means null.</summary>
internal readonly record struct Utf8Ref(int Start, int Length)
{
    public static Utf8Ref Null => new(0, -1);

    public bool IsNull => Length < 0;
}

/// <summary>
/// A growable byte buffer on the pinned object heap, so that Parquet byte arrays can point into it while the
/// native writer reads them. Buffers are recycled through <see cref="PinnedBufferPool"/>.
/// </summary>
internal sealed class ByteArena
{
    private readonly PinnedBufferPool _pool;
    private byte[] _buffer;

    public ByteArena(PinnedBufferPool pool, int capacity)
    {
        _pool = pool;
        _buffer = pool.Rent(capacity);
    }

    public int Length { get; private set; }

    public byte[] Buffer => _buffer;

    public ReadOnlySpan<byte> this[Utf8Ref value] => value.IsNull ? default : _buffer.AsSpan(value.Start, value.Length);

    public Utf8Ref Append(ReadOnlySpan<byte> bytes)
    {
        var span = Reserve(bytes.Length);
        bytes.CopyTo(span);
        return Commit(bytes.Length);
    }

    /// <summary>Space for up to <paramref name="length"/> bytes at the end; <see cref="Commit"/> keeps what was written.</summary>
    public Span<byte> Reserve(int length)
    {
        if (Length + length > _buffer.Length)
        {
            var bigger = _pool.Rent(Math.Max(_buffer.Length + (_buffer.Length / 2), Length + length));
            _buffer.AsSpan(0, Length).CopyTo(bigger);
            _pool.Return(_buffer);
            _buffer = bigger;
        }

        return _buffer.AsSpan(Length, length);
    }

    public Utf8Ref Commit(int length)
    {
        var value = new Utf8Ref(Length, length);
        Length += length;
        return value;
    }

    /// <summary>The native address of a value, valid while the arena is alive (the buffer is pinned).</summary>
    public ByteArray ToByteArray(Utf8Ref value) =>
        new(Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, value.Start), value.Length);

    /// <summary>Forgets the values held, keeping the buffer for the next ones.</summary>
    public void Reset() => Length = 0;

    public void Release()
    {
        _pool.Return(_buffer);
        _buffer = [];
        Length = 0;
    }
}

/// <summary>
/// Keeps a few pinned buffers for reuse, so row group after row group does not grow the pinned heap: at most
/// <see cref="MaxKept"/> buffers and <see cref="MaxKeptBytes"/> in total; the smallest are let go first.
/// </summary>
internal sealed class PinnedBufferPool
{
    public const int MaxKept = 4;
    public const long MaxKeptBytes = 96L << 20;

    private readonly Lock _lock = new();
    private readonly List<byte[]> _buffers = [];

    public byte[] Rent(int minimum)
    {
        lock (_lock)
        {
            // the smallest buffer that is big enough
            var best = -1;
            for (var i = 0; i < _buffers.Count; i++)
            {
                if (_buffers[i].Length >= minimum && (best < 0 || _buffers[i].Length < _buffers[best].Length))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                var found = _buffers[best];
                _buffers.RemoveAt(best);
                return found;
            }
        }

        return GC.AllocateUninitializedArray<byte>(Math.Max(minimum, 1 << 16), pinned: true);
    }

    public void Return(byte[] buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        lock (_lock)
        {
            _buffers.Add(buffer);
            _buffers.Sort((a, b) => b.Length.CompareTo(a.Length));
            while (_buffers.Count > MaxKept || (_buffers.Count > 1 && _buffers.Sum(b => (long)b.Length) > MaxKeptBytes))
            {
                _buffers.RemoveAt(_buffers.Count - 1);
            }
        }
    }
}

/// <summary>
/// Consecutive values of one text column, copied out of the decoded Parquet pages into managed memory. The buffers
/// are rented from the shared array pools; <see cref="Release"/> hands them back once the slice is processed.
/// </summary>
internal sealed class Utf8Column
{
    [ThreadStatic]
    private static short[]? _definitions;

    [ThreadStatic]
    private static ByteArray[]? _values;

    [ThreadStatic]
    private static long[]? _longs;

    private byte[] _data;
    private Utf8Ref[] _refs;

    private Utf8Column(int rows, int bytesHint)
    {
        _refs = ArrayPool<Utf8Ref>.Shared.Rent(Math.Max(rows, 1));
        _data = ArrayPool<byte>.Shared.Rent(Math.Max(bytesHint, 256));
    }

    public int Count { get; private set; }

    /// <summary>Bytes of text held.</summary>
    public int ByteLength { get; private set; }

    public ReadOnlySpan<byte> this[int row]
    {
        get
        {
            var value = _refs[row];
            return value.IsNull ? default : _data.AsSpan(value.Start, value.Length);
        }
    }

    public bool IsNull(int row) => _refs[row].IsNull;

    /// <summary>Returns the buffers to the pools; the column must not be read afterwards.</summary>
    public void Release()
    {
        if (_refs.Length > 0)
        {
            ArrayPool<Utf8Ref>.Shared.Return(_refs);
            ArrayPool<byte>.Shared.Return(_data);
            _refs = [];
            _data = [];
        }
    }

    /// <summary>Reads the next <paramref name="rows"/> values of a BYTE_ARRAY column chunk, from where the reader is.</summary>
    public static unsafe Utf8Column Read(ColumnReader reader, int rows, int bytesHint)
    {
        var column = new Utf8Column(rows, bytesHint);
        var typed = (ColumnReader<ByteArray>)reader;
        var maxDefinition = reader.ColumnDescriptor.MaxDefinitionLevel;
        var definitions = _definitions ??= new short[SilverEngine.SliceRows];
        var values = _values ??= new ByteArray[SilverEngine.SliceRows];
        var position = 0;
        var written = 0;
        while (position < rows && typed.HasNext)
        {
            var levels = (int)typed.ReadBatch(Math.Min(definitions.Length, rows - position), definitions, default, values, out _);
            if (levels == 0)
            {
                break;
            }

            var v = 0;
            for (var i = 0; i < levels; i++)
            {
                if (maxDefinition > 0 && definitions[i] < maxDefinition)
                {
                    column._refs[position + i] = Utf8Ref.Null;
                    continue;
                }

                var value = values[v++];
                if (written + value.Length > column._data.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(column._data.Length * 2, written + value.Length));
                    column._data.AsSpan(0, written).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(column._data);
                    column._data = bigger;
                }

                new ReadOnlySpan<byte>((void*)value.Pointer, value.Length).CopyTo(column._data.AsSpan(written));
                column._refs[position + i] = new Utf8Ref(written, value.Length);
                written += value.Length;
            }

            position += levels;
        }

        column.Count = position;
        column.ByteLength = written;
        return column;
    }

    /// <summary>Reads the next <paramref name="rows"/> values of an INT64 column chunk (row numbers, timestamps); nulls read as 0.</summary>
    public static long[] ReadInt64(ColumnReader reader, int rows)
    {
        var result = new long[rows];
        var typed = (ColumnReader<long>)reader;
        var maxDefinition = reader.ColumnDescriptor.MaxDefinitionLevel;
        var definitions = _definitions ??= new short[SilverEngine.SliceRows];
        var values = _longs ??= new long[SilverEngine.SliceRows];
        var position = 0;
        while (position < rows && typed.HasNext)
        {
            var batch = Math.Min(values.Length, rows - position);
            var levels = (int)typed.ReadBatch(batch, definitions.AsSpan(0, batch), default, values.AsSpan(0, batch), out _);
            if (levels == 0)
            {
                break;
            }

            var v = 0;
            for (var i = 0; i < levels; i++)
            {
                result[position + i] = maxDefinition > 0 && definitions[i] < maxDefinition ? 0 : values[v++];
            }

            position += levels;
        }

        return result;
    }
}
