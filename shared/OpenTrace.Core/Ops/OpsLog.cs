using System.Text.Json;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Ops;

/// <summary>Writes runs, quality events and quarantine records to the <c>ops</c> dataset through the warehouse port.</summary>
public sealed class OpsLog(IWarehouse warehouse)
{
    /// <summary><c>ops.runs</c>.</summary>
    public static readonly TableId Runs = new(Datasets.Ops, "runs");

    /// <summary><c>ops.quality_events</c>.</summary>
    public static readonly TableId QualityEvents = new(Datasets.Ops, "quality_events");

    /// <summary><c>ops.quarantine</c>.</summary>
    public static readonly TableId Quarantine = new(Datasets.Ops, "quarantine");

    private readonly Lock _ensureLock = new();
    private Task? _ensured;

    /// <summary>Schema of <c>ops.runs</c>.</summary>
    public static TableSchema RunsSchema { get; } = new(Runs,
    [
        new("run_id", ColumnType.String, Nullable: false),
        new("function", ColumnType.String, Nullable: false),
        new("status", ColumnType.String, Nullable: false),
        new("domain", ColumnType.String),
        new("table_name", ColumnType.String),
        new("source_uri", ColumnType.String),
        new("source_generation", ColumnType.Int64),
        new("lineage_id", ColumnType.String),
        new("event_id", ColumnType.String),
        new("rows_read", ColumnType.Int64),
        new("rows_written", ColumnType.Int64),
        new("rows_quarantined", ColumnType.Int64),
        new("rows_duplicate", ColumnType.Int64),
        new("bytes_read", ColumnType.Int64),
        new("started_at", ColumnType.Timestamp, Nullable: false),
        new("finished_at", ColumnType.Timestamp, Nullable: false),
        new("duration_ms", ColumnType.Int64),
        new("message", ColumnType.String),
        new("warnings", ColumnType.String, Repeated: true),
        new("outputs", ColumnType.String, Repeated: true),
    ], PartitionBy: "started_at", ClusterBy: ["function", "status"], Description: "One row per function run.");

    /// <summary>Schema of <c>ops.quality_events</c>.</summary>
    public static TableSchema QualityEventsSchema { get; } = new(QualityEvents,
    [
        new("run_id", ColumnType.String, Nullable: false),
        new("lineage_id", ColumnType.String),
        new("table_name", ColumnType.String, Nullable: false),
        new("rule", ColumnType.String, Nullable: false),
        new("severity", ColumnType.String, Nullable: false),
        new("column_name", ColumnType.String),
        new("outcome", ColumnType.String, Nullable: false),
        new("rows_checked", ColumnType.Int64),
        new("violations", ColumnType.Int64),
        new("message", ColumnType.String),
        new("recorded_at", ColumnType.Timestamp, Nullable: false),
    ], PartitionBy: "recorded_at", ClusterBy: ["table_name", "rule"], Description: "One row per rule checked per run.");

    /// <summary>Schema of <c>ops.quarantine</c>.</summary>
    public static TableSchema QuarantineSchema { get; } = new(Quarantine,
    [
        new("quarantine_id", ColumnType.String, Nullable: false),
        new("run_id", ColumnType.String, Nullable: false),
        new("layer", ColumnType.String, Nullable: false),
        new("kind", ColumnType.String, Nullable: false),
        new("domain", ColumnType.String),
        new("table_name", ColumnType.String),
        new("source_uri", ColumnType.String, Nullable: false),
        new("source_generation", ColumnType.Int64),
        new("lineage_id", ColumnType.String),
        new("row_number", ColumnType.Int64),
        new("rule", ColumnType.String, Nullable: false),
        new("reason", ColumnType.String, Nullable: false),
        new("record", ColumnType.String),
        new("object_uri", ColumnType.String),
        new("recorded_at", ColumnType.Timestamp, Nullable: false),
    ], PartitionBy: "recorded_at", ClusterBy: ["layer", "table_name"], Description: "Rejected files and rows, with the rule and reason.");

    /// <summary>Creates the ops dataset and tables once per process (again after a failed attempt).</summary>
    public Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        lock (_ensureLock)
        {
            if (_ensured is null || _ensured.IsFaulted || _ensured.IsCanceled)
            {
                _ensured = CreateTablesAsync(cancellationToken);
            }

            return _ensured;
        }
    }

    private async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await warehouse.EnsureDatasetAsync(Datasets.Ops, cancellationToken);
        await warehouse.EnsureTableAsync(RunsSchema, cancellationToken);
        await warehouse.EnsureTableAsync(QualityEventsSchema, cancellationToken);
        await warehouse.EnsureTableAsync(QuarantineSchema, cancellationToken);
    }

    /// <summary>Appends a run.</summary>
    public async Task RecordRunAsync(RunRecord run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        await EnsureAsync(cancellationToken);
        await warehouse.AppendRowsAsync(Runs, [ToRow(run)], cancellationToken);
    }

    /// <summary>Appends quality events (no-op for an empty list).</summary>
    public async Task RecordQualityAsync(IReadOnlyList<QualityEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        await EnsureAsync(cancellationToken);
        await warehouse.AppendRowsAsync(QualityEvents, events.Select(ToRow).ToList(), cancellationToken);
    }

    /// <summary>Appends quarantine records (no-op for an empty list).</summary>
    public async Task RecordQuarantineAsync(IReadOnlyList<QuarantineRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        await EnsureAsync(cancellationToken);
        await warehouse.AppendRowsAsync(Quarantine, records.Select(ToRow).ToList(), cancellationToken);
    }

    /// <summary>Formats a record's original values for <see cref="QuarantineRecord.Record"/>.</summary>
    public static string SerializeRecord(IReadOnlyDictionary<string, string?> values) => JsonSerializer.Serialize(values);

    private static Dictionary<string, object?> ToRow(RunRecord r) => new()
    {
        ["run_id"] = r.RunId,
        ["function"] = r.Function,
        ["status"] = r.Status,
        ["domain"] = r.Domain,
        ["table_name"] = r.Table,
        ["source_uri"] = r.SourceUri,
        ["source_generation"] = r.SourceGeneration,
        ["lineage_id"] = r.LineageId,
        ["event_id"] = r.EventId,
        ["rows_read"] = r.RowsRead,
        ["rows_written"] = r.RowsWritten,
        ["rows_quarantined"] = r.RowsQuarantined,
        ["rows_duplicate"] = r.RowsDuplicate,
        ["bytes_read"] = r.BytesRead,
        ["started_at"] = r.StartedAt,
        ["finished_at"] = r.FinishedAt,
        ["duration_ms"] = (long)(r.FinishedAt - r.StartedAt).TotalMilliseconds,
        ["message"] = r.Message,
        ["warnings"] = r.Warnings,
        ["outputs"] = r.Outputs,
    };

    private static Dictionary<string, object?> ToRow(QualityEvent e) => new()
    {
        ["run_id"] = e.RunId,
        ["lineage_id"] = e.LineageId,
        ["table_name"] = e.TableName,
        ["rule"] = e.Rule,
        ["severity"] = e.Severity,
        ["column_name"] = e.Column,
        ["outcome"] = e.Outcome,
        ["rows_checked"] = e.RowsChecked,
        ["violations"] = e.Violations,
        ["message"] = e.Message,
        ["recorded_at"] = e.RecordedAt,
    };

    private static Dictionary<string, object?> ToRow(QuarantineRecord q) => new()
    {
        ["quarantine_id"] = q.QuarantineId,
        ["run_id"] = q.RunId,
        ["layer"] = q.Layer,
        ["kind"] = q.Kind,
        ["domain"] = q.Domain,
        ["table_name"] = q.Table,
        ["source_uri"] = q.SourceUri,
        ["source_generation"] = q.SourceGeneration,
        ["lineage_id"] = q.LineageId,
        ["row_number"] = q.RowNumber,
        ["rule"] = q.Rule,
        ["reason"] = q.Reason,
        ["record"] = q.Record,
        ["object_uri"] = q.ObjectUri,
        ["recorded_at"] = q.RecordedAt,
    };
}
