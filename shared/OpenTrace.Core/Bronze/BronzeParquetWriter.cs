using System.Globalization;
using System.Text.Json;
using ParquetSharp;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Writes bronze Parquet (the layout of <see cref="BronzeTable"/>) row by row with bounded memory: rows are
/// buffered in batches of <see cref="BatchRows"/> rows (or <see cref="MaxBatchChars"/> characters, for wide rows) and
/// row groups close at <see cref="MaxRowGroupRows"/> rows or about <see cref="MaxRowGroupChars"/> characters of text.
/// Zstandard compression at level 1.
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

    private readonly ParquetFileWriter _file;
    private readonly string?[][] _values;
    private readonly long[] _rowNumbers = new long[BatchRows];
    private readonly string?[] _issues = new string?[BatchRows];
    private readonly string?[] _extras = new string?[BatchRows];
    private readonly string[] _lineageIds = new string[BatchRows];
    private readonly string[] _sourceUris = new string[BatchRows];
    private readonly long[] _generations = new long[BatchRows];
    private readonly DateTime[] _ingestedAt = new DateTime[BatchRows];
    private RowGroupWriter? _group;
    private LogicalColumnWriter[] _writers = [];
    private int _count;
    private long _batchChars;
    private long _groupRows;
    private long _groupChars;
    private bool _closed;

    /// <summary>
    /// Creates (or overwrites) <paramref name="path"/>. <paramref name="columns"/> are the cleaned source column
    /// names; <paramref name="sourceColumns"/> the originals, kept in the key-value metadata under
    /// <see cref="BronzeTable.SourceColumnsKey"/>; <paramref name="metadata"/> adds more key-value pairs (null: none).
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

        var parquetColumns = new List<Column>(columns.Count + BronzeTable.AddedColumns.Count);
        parquetColumns.AddRange(columns.Select(c => new Column<string>(c)));
        parquetColumns.Add(new Column<string>(Lineage.LineageId, LogicalType.String()));
        parquetColumns.Add(new Column<string>(Lineage.SourceUri, LogicalType.String()));
        parquetColumns.Add(new Column<long>(Lineage.SourceGeneration));
        parquetColumns.Add(new Column<long>(Lineage.RowNumber));
        parquetColumns.Add(new Column<DateTime>(Lineage.IngestedAt, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)));
        parquetColumns.Add(new Column<string>(Lineage.RowIssue));
        parquetColumns.Add(new Column<string>(BronzeTable.ExtraFields));

        var keyValues = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [BronzeTable.SourceColumnsKey] = JsonSerializer.Serialize(sourceColumns, BronzeTable.JsonOptions),
            [BronzeTable.LineageIdKey] = lineage.LineageId,
            [BronzeTable.SourceUriKey] = lineage.SourceUri,
            [BronzeTable.SourceGenerationKey] = lineage.SourceGeneration.ToString(CultureInfo.InvariantCulture),
        };

        using var properties = new WriterPropertiesBuilder()
            .Compression(Compression.Zstd)
            .CompressionLevel(1) // as fast as Snappy here, and about half the size
            .CreatedBy("OpenTrace bronze")
            .Build();
        _file = new ParquetFileWriter(path, parquetColumns.ToArray(), properties, keyValues);
        _values = new string?[columns.Count][];
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = new string?[BatchRows];
        }

        // Microseconds: what the column stores, so that reading back gives exactly the value written.
        var ingestedAt = new DateTime(lineage.IngestedAt.UtcTicks - (lineage.IngestedAt.UtcTicks % 10), DateTimeKind.Utc);
        Array.Fill(_lineageIds, lineage.LineageId);
        Array.Fill(_sourceUris, lineage.SourceUri);
        Array.Fill(_generations, lineage.SourceGeneration);
        Array.Fill(_ingestedAt, ingestedAt);
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
        if (values.Count != _values.Length)
        {
            throw new ArgumentException($"Row has {values.Count} values for {_values.Length} columns.", nameof(values));
        }

        for (var c = 0; c < _values.Length; c++)
        {
            var value = values[c];
            _values[c][_count] = value;
            _batchChars += value?.Length ?? 0;
        }

        _rowNumbers[_count] = rowNumber;
        _issues[_count] = rowIssue;
        _extras[_count] = extraFields;
        RowCount++;
        if (++_count == BatchRows || _batchChars >= MaxBatchChars)
        {
            FlushBatch();
        }
    }

    /// <summary>Writes what is buffered and the file footer. The file is complete only after this.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        FlushBatch();
        CloseGroup();
        _file.Close();
        _closed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }

        _group?.Dispose();
        _file.Dispose();
        _closed = true;
    }

    private void FlushBatch()
    {
        if (_count == 0)
        {
            return;
        }

        if (_group is null)
        {
            _group = _file.AppendBufferedRowGroup();
            _writers = new LogicalColumnWriter[_values.Length + BronzeTable.AddedColumns.Count];
            for (var c = 0; c < _writers.Length; c++)
            {
                _writers[c] = _group.Column(c).LogicalWriter(); // disposing the logical writer releases the column writer
            }
        }

        var n = _count;
        for (var c = 0; c < _values.Length; c++)
        {
            Write(c, _values[c], n);
        }

        var next = _values.Length;
        Write(next++, _lineageIds, n);
        Write(next++, _sourceUris, n);
        Write(next++, _generations, n);
        Write(next++, _rowNumbers, n);
        Write(next++, _ingestedAt, n);
        Write(next++, _issues, n);
        Write(next, _extras, n);

        foreach (var column in _values)
        {
            Array.Clear(column, 0, n); // let the strings go before the next batch
        }

        _groupRows += n;
        _groupChars += _batchChars;
        _batchChars = 0;
        _count = 0;
        if (_groupRows >= MaxRowGroupRows || _groupChars >= MaxRowGroupChars)
        {
            CloseGroup();
        }
    }

    private void Write<T>(int column, T[] values, int count) =>
        ((LogicalColumnWriter<T>)_writers[column]).WriteBatch(values, 0, count);

    private void CloseGroup()
    {
        if (_group is null)
        {
            return;
        }

        foreach (var writer in _writers)
        {
            writer.Dispose();
        }

        _writers = [];
        _group.Close();
        _group.Dispose();
        _group = null;
        _groupRows = 0;
        _groupChars = 0;
    }
}
