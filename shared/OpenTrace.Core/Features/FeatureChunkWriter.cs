using System.Globalization;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using ParquetSharp;

namespace OpenTrace.Core.Features;

/// <summary>
/// Appends a group's new rows to its offline table in chunks of at most <see cref="ChunkRows"/> rows, so memory stays
/// bounded whatever the history's size: each chunk is written to a Parquet object in the lake
/// (<c>features/&lt;domain&gt;/&lt;group&gt;/&lt;run&gt;/part-NNNNN.parquet</c>), then loaded with a job id derived from
/// the run and part, so a retried load never appends twice.
/// </summary>
internal sealed class FeatureChunkWriter
{
    private readonly FeatureGroup _group;
    private readonly IObjectStore _objects;
    private readonly IWarehouse _warehouse;
    private readonly string _bucket;
    private readonly string _runId;
    private readonly DateTimeOffset _materializedAt;
    private readonly Buffer[] _buffers;
    private readonly int[] _sourceOrdinals;
    private int _rows;

    public FeatureChunkWriter(FeatureGroup group, IObjectStore objects, IWarehouse warehouse, string bucket, string runId, DateTimeOffset materializedAt, int chunkRows)
    {
        _group = group;
        _objects = objects;
        _warehouse = warehouse;
        _bucket = bucket;
        _runId = runId;
        _materializedAt = materializedAt;
        ChunkRows = chunkRows;
        Schema = group.OfflineSchema();
        _buffers = Schema.Columns.Select(c => new Buffer(c, chunkRows)).ToArray();
        _sourceOrdinals = new int[_buffers.Length];
    }

    public int ChunkRows { get; }

    public TableSchema Schema { get; }

    public int Chunks { get; private set; }

    public long RowsWritten { get; private set; }

    /// <summary>Adds a row of the changes query; writes a chunk when the buffer is full.</summary>
    public async Task AddAsync(WarehouseRow row, CancellationToken cancellationToken)
    {
        if (RowsWritten == 0 && _rows == 0 && Chunks == 0)
        {
            for (var i = 0; i < _buffers.Length; i++)
            {
                _sourceOrdinals[i] = IndexOf(row.Columns, Schema.Columns[i].Name);
            }
        }

        for (var i = 0; i < _buffers.Length; i++)
        {
            var value = _sourceOrdinals[i] >= 0 ? row[_sourceOrdinals[i]] : Schema.Columns[i].Name == FeatureGroup.RunIdColumn ? _runId : _materializedAt;
            _buffers[i].Add(value, _group);
        }

        if (++_rows == ChunkRows)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes and loads what is buffered (nothing when empty).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_rows == 0)
        {
            return;
        }

        var part = Chunks;
        var name = string.Create(CultureInfo.InvariantCulture, $"{LakePaths.FeaturesPrefix}{_group.Domain}/{_group.Name}/{_runId}/part-{part:D5}.parquet");
        var temp = Path.Combine(Path.GetTempPath(), $"opentrace-features-{Guid.NewGuid():N}.parquet");
        try
        {
            WriteFile(temp);
            ObjectInfo written;
            await using (var content = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
            {
                written = await _objects.UploadAsync(_bucket, name, content, new ObjectWriteOptions { ContentType = "application/vnd.apache.parquet" }, cancellationToken);
            }

            var jobId = string.Create(CultureInfo.InvariantCulture, $"features_{_group.Name}_{_runId}_{part:D5}");
            await _warehouse.LoadParquetAsync(new LoadRequest(_group.OfflineTable, [new ObjectRef(written.Bucket, written.Name, written.Generation)], jobId, Schema), cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }

        RowsWritten += _rows;
        Chunks++;
        _rows = 0;
    }

    private void WriteFile(string path)
    {
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).CompressionLevel(1).CreatedBy("OpenTrace features").Build();
        var metadata = new Dictionary<string, string> { ["opentrace.feature_group"] = _group.Name, ["opentrace.run_id"] = _runId };
        using var file = new ParquetFileWriter(path, _buffers.Select(b => b.Column).ToArray(), properties, metadata);
        using (var group = file.AppendRowGroup())
        {
            foreach (var buffer in _buffers)
            {
                using var column = group.NextColumn();
                buffer.Flush(column, _rows);
            }
        }

        file.Close();
    }

    private static int IndexOf(IReadOnlyList<string> columns, string name)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One column's values for the current chunk, in the array type ParquetSharp writes.</summary>
    private sealed class Buffer
    {
        private readonly ColumnSchema _schema;
        private readonly string?[]? _texts;
        private readonly long?[]? _longs;
        private readonly double?[]? _doubles;
        private readonly bool?[]? _bools;
        private readonly DateTime?[]? _times;
        private int _count;

        public Buffer(ColumnSchema schema, int capacity)
        {
            _schema = schema;
            switch (schema.Type)
            {
                case ColumnType.String:
                    _texts = new string?[capacity];
                    Column = new Column<string>(schema.Name, LogicalType.String());
                    break;
                case ColumnType.Int64:
                    _longs = new long?[capacity];
                    Column = new Column<long?>(schema.Name);
                    break;
                case ColumnType.Float64:
                    _doubles = new double?[capacity];
                    Column = new Column<double?>(schema.Name);
                    break;
                case ColumnType.Bool:
                    _bools = new bool?[capacity];
                    Column = new Column<bool?>(schema.Name);
                    break;
                case ColumnType.Timestamp:
                    _times = new DateTime?[capacity];
                    Column = new Column<DateTime?>(schema.Name, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(schema), schema.Type, $"Column '{schema.Name}' has a type the offline store does not write.");
            }
        }

        public Column Column { get; }

        public void Add(object? value, FeatureGroup group)
        {
            try
            {
                switch (_schema.Type)
                {
                    case ColumnType.String:
                        _texts![_count] = ValueConversion.To<string>(value);
                        break;
                    case ColumnType.Int64:
                        _longs![_count] = value is null ? null : ValueConversion.To<long>(value);
                        break;
                    case ColumnType.Float64:
                        _doubles![_count] = value is null ? null : ValueConversion.To<double>(value);
                        break;
                    case ColumnType.Bool:
                        _bools![_count] = value is null ? null : ValueConversion.To<bool>(value);
                        break;
                    default:
                        _times![_count] = value is null ? null : Micros(ValueConversion.To<DateTimeOffset>(value));
                        break;
                }
            }
            catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException)
            {
                throw new OpenTraceException(
                    $"Feature group {group.Name}: value '{value}' of column '{_schema.Name}' is not a {_schema.Type}: {ex.Message}",
                    file: group.Path,
                    field: _schema.Name,
                    rule: "features",
                    inner: ex);
            }

            if (!_schema.Nullable && value is null)
            {
                throw new OpenTraceException($"Feature group {group.Name}: column '{_schema.Name}' is NULL in a row of the query; every row needs an entity id and an event time.", file: group.Path, field: _schema.Name, rule: "features");
            }

            _count++;
        }

        public void Flush(ColumnWriter writer, int rows)
        {
            switch (_schema.Type)
            {
                case ColumnType.String:
                    Write(writer, _texts!, rows);
                    break;
                case ColumnType.Int64:
                    Write(writer, _longs!, rows);
                    break;
                case ColumnType.Float64:
                    Write(writer, _doubles!, rows);
                    break;
                case ColumnType.Bool:
                    Write(writer, _bools!, rows);
                    break;
                default:
                    Write(writer, _times!, rows);
                    break;
            }

            _count = 0;
        }

        private static void Write<T>(ColumnWriter writer, T[] values, int rows)
        {
            using var logical = writer.LogicalWriter<T>();
            logical.WriteBatch(values, 0, rows);
            Array.Clear(values, 0, rows);
        }

        private static DateTime Micros(DateTimeOffset value)
        {
            var ticks = value.UtcTicks;
            return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
        }
    }
}
