using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpenTrace.Core.Silver;
using ParquetSharp;
using ParquetSharp.Schema;
using Encoding = System.Text.Encoding;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Writes bronze Parquet (the layout of <see cref="BronzeTable"/>) with bounded memory: rows are gathered in batches of
/// <see cref="BatchRows"/> rows (or <see cref="MaxBatchChars"/> characters, for wide rows) as UTF-8, and row groups close
/// at <see cref="MaxRowGroupRows"/> rows or about <see cref="MaxRowGroupChars"/> characters of text. A column whose
/// values in the first batch are mostly distinct (ids, timestamps) is written without a dictionary, which would cost
/// time and save nothing. Zstandard compression at level 1.
/// </summary>
public sealed class BronzeParquetWriter : IDisposable
{
    /// <summary>Rows buffered before they are handed to the Parquet encoder.</summary>
    public const int BatchRows = 1024;

    /// <summary>Text (in UTF-16 characters) after which a batch is handed over before it has <see cref="BatchRows"/> rows.</summary>
    public const long MaxBatchChars = 4L << 20;

    /// <summary>Most rows in one row group.</summary>
    public const int MaxRowGroupRows = 32_768;

    /// <summary>Roughly the most text (in UTF-16 characters) in one row group.</summary>
    public const long MaxRowGroupChars = 4L << 20;

    /// <summary>A first batch with fewer rows than this says too little to turn dictionaries off.</summary>
    private const int MinimumSample = 256;

    private static readonly PinnedBufferPool Pool = new();

    private readonly string _path;
    private readonly Column[] _schema;
    private readonly Dictionary<string, string> _keyValues;
    private readonly int _sourceColumns;
    private readonly byte[] _constants;
    private readonly ByteArray _lineageId;
    private readonly ByteArray _sourceUri;
    private readonly long _generation;
    private readonly long _ingestedAtMicros;
    private readonly short[] _definitions = new short[BatchRows];
    private readonly ByteArray[] _text = new ByteArray[BatchRows];
    private readonly long[] _longs = new long[BatchRows];
    private BronzeRowBatch? _pending;
    private ParquetFileWriter? _file;
    private RowGroupWriter? _group;
    private ColumnWriter[] _writers = [];
    private long _groupRows;
    private long _groupChars;
    private bool _closed;

    /// <summary>
    /// Prepares <paramref name="path"/> (created, or overwritten, when the first rows are written or on
    /// <see cref="Close"/>). <paramref name="columns"/> are the cleaned source column names; <paramref name="sourceColumns"/>
    /// the originals, kept in the key-value metadata under <see cref="BronzeTable.SourceColumnsKey"/>;
    /// <paramref name="metadata"/> adds more key-value pairs (null: none).
    /// </summary>
    public BronzeParquetWriter(string path, IReadOnlyList<string> columns, IReadOnlyList<string> sourceColumns, BronzeLineage lineage, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(sourceColumns);
        ArgumentNullException.ThrowIfNull(lineage);
        if (columns.Count != sourceColumns.Count)
        {
            throw new ArgumentException($"{columns.Count} column names for {sourceColumns.Count} source columns.", nameof(sourceColumns));
        }

        _path = path;
        _sourceColumns = columns.Count;
        var schema = new List<Column>(columns.Count + BronzeTable.AddedColumns.Count);
        schema.AddRange(columns.Select(c => new Column<string>(c)));
        schema.Add(new Column<string>(Lineage.LineageId, LogicalType.String()));
        schema.Add(new Column<string>(Lineage.SourceUri, LogicalType.String()));
        schema.Add(new Column<long>(Lineage.SourceGeneration));
        schema.Add(new Column<long>(Lineage.RowNumber));
        schema.Add(new Column<DateTime>(Lineage.IngestedAt, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)));
        schema.Add(new Column<string>(Lineage.RowIssue));
        schema.Add(new Column<string>(BronzeTable.ExtraFields));
        _schema = [.. schema];

        _keyValues = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [BronzeTable.SourceColumnsKey] = JsonSerializer.Serialize(sourceColumns, BronzeTable.JsonOptions),
            [BronzeTable.LineageIdKey] = lineage.LineageId,
            [BronzeTable.SourceUriKey] = lineage.SourceUri,
            [BronzeTable.SourceGenerationKey] = lineage.SourceGeneration.ToString(CultureInfo.InvariantCulture),
        };

        // The lineage text is the same in every row: pinned once, pointed at by every value.
        var lineageId = Encoding.UTF8.GetBytes(lineage.LineageId);
        var sourceUri = Encoding.UTF8.GetBytes(lineage.SourceUri);
        _constants = GC.AllocateUninitializedArray<byte>(lineageId.Length + sourceUri.Length, pinned: true);
        lineageId.CopyTo(_constants, 0);
        sourceUri.CopyTo(_constants, lineageId.Length);
        _lineageId = new ByteArray(Marshal.UnsafeAddrOfPinnedArrayElement(_constants, 0), lineageId.Length);
        _sourceUri = new ByteArray(Marshal.UnsafeAddrOfPinnedArrayElement(_constants, lineageId.Length), sourceUri.Length);
        _generation = lineage.SourceGeneration;

        // Microseconds: what the column stores, so that reading back gives exactly the value written.
        _ingestedAtMicros = (lineage.IngestedAt.UtcTicks - DateTime.UnixEpoch.Ticks) / 10;
    }

    /// <summary>Rows written so far.</summary>
    public long RowCount { get; private set; }

    /// <summary>
    /// Adds one row: <paramref name="values"/> has one value per column (copied, so the caller may reuse the list);
    /// <paramref name="extraFields"/> and <paramref name="rowIssue"/> are null for a row that fits the header.
    /// </summary>
    public void WriteRow(IReadOnlyList<string?> values, string? extraFields, string? rowIssue, long rowNumber)
    {
        ArgumentNullException.ThrowIfNull(values);
        ObjectDisposedException.ThrowIf(_closed, this);
        if (values.Count != _sourceColumns)
        {
            throw new ArgumentException($"Row has {values.Count} values for {_sourceColumns} columns.", nameof(values));
        }

        var batch = _pending ??= NewBatch();
        for (var c = 0; c < values.Count; c++)
        {
            batch.Add(values[c]);
        }

        batch.EndRow(extraFields, rowIssue, rowNumber);
        if (batch.IsFull)
        {
            Write(batch);
            batch.Clear();
        }
    }

    /// <summary>Writes what is buffered and the file footer. The file is complete only after this.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        if (_pending is { Count: > 0 } pending)
        {
            Write(pending);
            pending.Clear();
        }

        CloseGroup();
        (_file ??= Open(plainColumns: [])).Close();
        _closed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeWriters();
        _group?.Dispose();
        _file?.Dispose();
        _pending?.Text.Release();
        _closed = true;
    }

    /// <summary>An empty batch for this file's columns, its buffer rented from a shared pool.</summary>
    internal BronzeRowBatch NewBatch() => new(_sourceColumns, Pool);

    /// <summary>Writes a batch of complete rows; the caller may clear and reuse it afterwards.</summary>
    internal void Write(BronzeRowBatch batch)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var n = batch.Count;
        if (n == 0)
        {
            return;
        }

        _file ??= Open(MostlyDistinct(batch));
        if (_group is null)
        {
            _group = _file.AppendBufferedRowGroup();
            _writers = new ColumnWriter[_schema.Length];
            for (var c = 0; c < _writers.Length; c++)
            {
                _writers[c] = _group.Column(c);
            }
        }

        for (var c = 0; c < _sourceColumns; c++)
        {
            WriteText(_writers[c], batch, batch.Column(c), n);
        }

        var next = _sourceColumns;
        WriteConstant(_writers[next++], _lineageId, n);
        WriteConstant(_writers[next++], _sourceUri, n);
        var longs = _longs.AsSpan(0, n);
        longs.Fill(_generation);
        ((ColumnWriter<long>)_writers[next++]).WriteBatch(longs);
        ((ColumnWriter<long>)_writers[next++]).WriteBatch(batch.RowNumbers.AsSpan(0, n));
        longs.Fill(_ingestedAtMicros);
        ((ColumnWriter<long>)_writers[next++]).WriteBatch(longs);
        WriteText(_writers[next++], batch, batch.Column(_sourceColumns), n);
        WriteText(_writers[next], batch, batch.Column(_sourceColumns + 1), n);

        RowCount += n;
        _groupRows += n;
        _groupChars += batch.Chars;
        if (_groupRows >= MaxRowGroupRows || _groupChars >= MaxRowGroupChars)
        {
            CloseGroup();
        }
    }

    /// <summary>The source columns whose present values in <paramref name="sample"/> are mostly (over half) distinct.</summary>
    private List<string> MostlyDistinct(BronzeRowBatch sample)
    {
        var plain = new List<string>();
        if (sample.Count < MinimumSample)
        {
            return plain;
        }

        var distinct = new HashSet<ulong>();
        for (var c = 0; c < _sourceColumns; c++)
        {
            distinct.Clear();
            var present = 0;
            foreach (var value in sample.Column(c).AsSpan(0, sample.Count))
            {
                if (!value.IsNull)
                {
                    present++;
                    distinct.Add(XxHash3.HashToUInt64(sample.Text[value]));
                }
            }

            if (present > 0 && distinct.Count * 2 > present)
            {
                plain.Add(_schema[c].Name);
            }
        }

        return plain;
    }

    private ParquetFileWriter Open(List<string> plainColumns)
    {
        // jemalloc returns freed pages to the system promptly; the default pool keeps them for a while.
        using var builder = new WriterPropertiesBuilder()
            .MemoryPool(MemoryPool.JemallocMemoryPool())
            .Compression(Compression.Zstd)
            .CompressionLevel(1) // as fast as Snappy here, and about half the size
            .CreatedBy("OpenTrace bronze");
        foreach (var column in plainColumns.Append(Lineage.RowNumber))
        {
            using var path = new ColumnPath([column]); // not the dotted form: a source name may contain dots
            builder.DisableDictionary(path);
        }

        using var properties = builder.Build();
        return new ParquetFileWriter(_path, _schema, properties, _keyValues);
    }

    /// <summary>The same text in every row (an optional column, as the bronze layout has always declared it).</summary>
    private void WriteConstant(ColumnWriter column, ByteArray value, int count)
    {
        var values = _text.AsSpan(0, count);
        values.Fill(value);
        var definitions = _definitions.AsSpan(0, count);
        definitions.Fill(1);
        ((ColumnWriter<ByteArray>)column).WriteBatch(count, definitions, default, values);
    }

    private void WriteText(ColumnWriter column, BronzeRowBatch batch, Utf8Ref[] values, int count)
    {
        var present = 0;
        for (var i = 0; i < count; i++)
        {
            var value = values[i];
            if (value.IsNull)
            {
                _definitions[i] = 0;
            }
            else
            {
                _definitions[i] = 1;
                _text[present++] = batch.Text.ToByteArray(value);
            }
        }

        ((ColumnWriter<ByteArray>)column).WriteBatch(count, _definitions.AsSpan(0, count), default, _text.AsSpan(0, present));
    }

    private void CloseGroup()
    {
        if (_group is null)
        {
            return;
        }

        DisposeWriters();
        _group.Close();
        _group.Dispose();
        _group = null;
        _groupRows = 0;
        _groupChars = 0;
    }

    private void DisposeWriters()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }

        _writers = [];
    }
}
