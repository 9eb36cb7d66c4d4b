using System.Text;
using OpenTrace.Core.Silver;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Rows on their way into bronze Parquet: every value as UTF-8 in one pinned buffer, so that the Parquet byte arrays
/// point straight into it and no string is made for a value. The source columns come first, then the row issue and
/// the extra fields; the row numbers beside them. Filled on one thread, encoded on another, then cleared and reused.
/// </summary>
internal sealed class BronzeRowBatch
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Utf8Ref[][] _values;
    private int _next;

    public BronzeRowBatch(int sourceColumns, PinnedBufferPool pool)
    {
        SourceColumns = sourceColumns;
        _values = new Utf8Ref[sourceColumns + 2][];
        for (var c = 0; c < _values.Length; c++)
        {
            _values[c] = new Utf8Ref[BronzeParquetWriter.BatchRows];
        }

        Text = new ByteArena(pool, BronzeParquetWriter.BatchRows * (sourceColumns + 1) * 16);
    }

    public int SourceColumns { get; }

    /// <summary>Complete rows held.</summary>
    public int Count { get; private set; }

    /// <summary>UTF-16 characters of source text held (what the row group and batch limits count).</summary>
    public long Chars { get; private set; }

    /// <summary>True when the batch should be handed over: <see cref="BronzeParquetWriter.BatchRows"/> rows or <see cref="BronzeParquetWriter.MaxBatchChars"/> characters.</summary>
    public bool IsFull => Count == BronzeParquetWriter.BatchRows || Chars >= BronzeParquetWriter.MaxBatchChars;

    public ByteArena Text { get; }

    public long[] RowNumbers { get; } = new long[BronzeParquetWriter.BatchRows];

    /// <summary>The values of column <paramref name="column"/>: source columns by index, then the row issue, then the extra fields.</summary>
    public Utf8Ref[] Column(int column) => _values[column];

    /// <summary>The next value of the current row.</summary>
    public void Add(ReadOnlySpan<char> value)
    {
        var target = Text.Reserve(Utf8.GetMaxByteCount(value.Length));
        _values[_next++][Count] = Text.Commit(Utf8.GetBytes(value, target));
        Chars += value.Length;
    }

    /// <summary>The next value of the current row; null for none.</summary>
    public void Add(string? value)
    {
        if (value is null)
        {
            AddNull();
        }
        else
        {
            Add(value.AsSpan());
        }
    }

    public void AddNull() => _values[_next++][Count] = Utf8Ref.Null;

    /// <summary>Completes the current row, which must have a value for every source column.</summary>
    public void EndRow(string? extraFields, string? rowIssue, long rowNumber)
    {
        if (_next != SourceColumns)
        {
            throw new InvalidOperationException($"A row has {_next} values for {SourceColumns} columns.");
        }

        _values[SourceColumns][Count] = rowIssue is null ? Utf8Ref.Null : Text.Append(Utf8.GetBytes(rowIssue));
        _values[SourceColumns + 1][Count] = extraFields is null ? Utf8Ref.Null : Text.Append(Utf8.GetBytes(extraFields));
        RowNumbers[Count] = rowNumber;
        Count++;
        _next = 0;
    }

    public void Clear()
    {
        Count = 0;
        Chars = 0;
        _next = 0;
        Text.Reset();
    }
}
