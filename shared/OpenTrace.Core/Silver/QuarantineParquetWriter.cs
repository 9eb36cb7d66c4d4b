using OpenTrace.Core.Ops;
using ParquetSharp;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Writes quarantined rows to Parquet in exactly the shape of <c>ops.quarantine</c> (<see cref="OpsLog.QuarantineSchema"/>),
/// so the file is both the kept copy of the rejected rows and what is loaded into the table. The original values are
/// in <c>record</c>, as JSON keyed by the source header names.
/// </summary>
internal sealed class QuarantineParquetWriter : IDisposable
{
    private const int BatchRows = 4096;
    private const int GroupRows = 65_536;

    private readonly ParquetFileWriter _file;
    private readonly List<QuarantineRecord> _pending = new(BatchRows);
    private RowGroupWriter? _group;
    private int _groupRows;
    private bool _closed;

    public QuarantineParquetWriter(string path, IReadOnlyDictionary<string, string> metadata)
    {
        Column[] columns =
        [
            new Column<string>("quarantine_id", LogicalType.String()),
            new Column<string>("run_id", LogicalType.String()),
            new Column<string>("layer", LogicalType.String()),
            new Column<string>("kind", LogicalType.String()),
            new Column<string>("domain", LogicalType.String()),
            new Column<string>("table_name", LogicalType.String()),
            new Column<string>("source_uri", LogicalType.String()),
            new Column<long?>("source_generation"),
            new Column<string>("lineage_id", LogicalType.String()),
            new Column<long?>("row_number"),
            new Column<string>("rule", LogicalType.String()),
            new Column<string>("reason", LogicalType.String()),
            new Column<string>("record", LogicalType.String()),
            new Column<string>("object_uri", LogicalType.String()),
            new Column<DateTime>("recorded_at", LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)),
        ];
        using var properties = new WriterPropertiesBuilder()
            .Compression(Compression.Zstd)
            .CompressionLevel(1)
            .CreatedBy("OpenTrace silver quarantine")
            .Build();
        _file = new ParquetFileWriter(path, columns, properties, metadata);
    }

    public long RowCount { get; private set; }

    public void Add(QuarantineRecord record)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        _pending.Add(record);
        RowCount++;
        if (_pending.Count == BatchRows)
        {
            Flush();
        }
    }

    public void Close()
    {
        if (_closed)
        {
            return;
        }

        Flush();
        _group?.Close();
        _group?.Dispose();
        _file.Close();
        _closed = true;
    }

    public void Dispose()
    {
        _group?.Dispose();
        _file.Dispose();
        _closed = true;
    }

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        _group ??= _file.AppendBufferedRowGroup();
        var i = 0;
        Write(i++, _pending.Select(p => p.QuarantineId));
        Write(i++, _pending.Select(p => p.RunId));
        Write(i++, _pending.Select(p => p.Layer));
        Write(i++, _pending.Select(p => p.Kind));
        Write(i++, _pending.Select(p => p.Domain));
        Write(i++, _pending.Select(p => p.Table));
        Write(i++, _pending.Select(p => p.SourceUri));
        Write(i++, _pending.Select(p => p.SourceGeneration));
        Write(i++, _pending.Select(p => p.LineageId));
        Write(i++, _pending.Select(p => p.RowNumber));
        Write(i++, _pending.Select(p => p.Rule));
        Write(i++, _pending.Select(p => p.Reason));
        Write(i++, _pending.Select(p => p.Record));
        Write(i++, _pending.Select(p => p.ObjectUri));
        Write(i, _pending.Select(p => DateTime.SpecifyKind(new DateTime(p.RecordedAt.UtcTicks - (p.RecordedAt.UtcTicks % 10)), DateTimeKind.Utc)));
        _groupRows += _pending.Count;
        _pending.Clear();
        if (_groupRows >= GroupRows)
        {
            // a buffered row group lives in memory until closed
            _group.Close();
            _group.Dispose();
            _group = null;
            _groupRows = 0;
        }
    }

    private void Write<T>(int column, IEnumerable<T> values)
    {
        using var writer = _group!.Column(column).LogicalWriter<T>();
        writer.WriteBatch(values.ToArray());
    }
}
