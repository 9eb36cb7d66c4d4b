using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>The last successful materialisation of a group: what the next run starts from.</summary>
/// <param name="Group">Group name.</param>
/// <param name="RunId">The run.</param>
/// <param name="DefinitionHash">Hash of the group's query and columns when it ran.</param>
/// <param name="Watermark">Latest event time in the offline table after the run; null when the history was empty.</param>
/// <param name="MaterializedAt">When the run wrote its rows (their <c>_materialized_at</c>).</param>
public sealed record FeatureWatermark(string Group, string RunId, string DefinitionHash, DateTimeOffset? Watermark, DateTimeOffset MaterializedAt);

/// <summary>
/// <c>ops.feature_materializations</c>: one row per group per run; the latest succeeded row of a group is its watermark.
/// </summary>
public sealed class FeatureOpsStore(IWarehouse warehouse)
{
    /// <summary><c>ops.feature_materializations</c>.</summary>
    public static readonly TableId Materializations = new(Datasets.Ops, "feature_materializations");

    private readonly Lock _ensureLock = new();
    private Task? _ensured;

    /// <summary>Schema of <c>ops.feature_materializations</c>.</summary>
    public static TableSchema Schema { get; } = new(Materializations,
    [
        new("run_id", ColumnType.String, Nullable: false, Description: "Features run (ops.runs.run_id)."),
        new("feature_group", ColumnType.String, Nullable: false, Description: "Feature group."),
        new("status", ColumnType.String, Nullable: false, Description: "succeeded, up_to_date or failed."),
        new("mode", ColumnType.String, Description: "full, incremental or rebuild (the definition changed)."),
        new("reason", ColumnType.String, Description: "Why this mode."),
        new("definition_hash", ColumnType.String, Description: "Hash of the group's rendered query and columns."),
        new("window_start", ColumnType.Timestamp, Description: "Event times after this were recomputed; null for the whole history."),
        new("watermark_before", ColumnType.Timestamp, Description: "Watermark the run started from."),
        new("watermark", ColumnType.Timestamp, Description: "Latest event time in the offline table after the run."),
        new("rows_written", ColumnType.Int64, Description: "Rows appended to the offline table."),
        new("late_rows", ColumnType.Int64, Description: "Appended rows at or before the previous watermark (late or corrected; created_at = write time)."),
        new("chunks", ColumnType.Int64, Description: "Parquet chunks written and loaded."),
        new("online_written", ColumnType.Int64, Description: "Online documents written."),
        new("materialized_at", ColumnType.Timestamp, Nullable: false, Description: "The _materialized_at of the rows written."),
        new("message", ColumnType.String, Description: "Failure detail, or null."),
        new("started_at", ColumnType.Timestamp, Nullable: false, Description: "Start (UTC)."),
        new("finished_at", ColumnType.Timestamp, Nullable: false, Description: "End (UTC)."),
    ], PartitionBy: "started_at", ClusterBy: ["feature_group", "status"], Description: "One row per feature group per materialisation run; the latest succeeded row is the group's watermark.");

    /// <summary>Creates the ops dataset and the table once per process (again after a failed attempt).</summary>
    public Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        lock (_ensureLock)
        {
            if (_ensured is null || _ensured.IsFaulted || _ensured.IsCanceled)
            {
                _ensured = CreateAsync(cancellationToken);
            }

            return _ensured;
        }
    }

    /// <summary>The watermark of every group that has one, by group name.</summary>
    public async Task<IReadOnlyDictionary<string, FeatureWatermark>> ReadWatermarksAsync(CancellationToken cancellationToken = default)
    {
        await EnsureAsync(cancellationToken);
        var sql = new FeatureSql(warehouse.Dialect);
        string C(string name) => sql.Column(name);
        var query =
            $"SELECT m.{C("feature_group")}, m.{C("run_id")}, m.{C("definition_hash")}, m.{C("watermark")}, m.{C("materialized_at")}\n" +
            $"FROM (\n  SELECT *, ROW_NUMBER() OVER (PARTITION BY {C("feature_group")} ORDER BY {C("finished_at")} DESC) AS {C("recency")}\n" +
            $"  FROM {sql.Table(Materializations)}\n  WHERE {C("status")} IN ('{FeatureGroupStatus.Succeeded}', '{FeatureGroupStatus.UpToDate}')\n) AS m\nWHERE m.{C("recency")} = 1";
        var watermarks = new Dictionary<string, FeatureWatermark>(StringComparer.Ordinal);
        await foreach (var row in warehouse.QueryAsync(query, cancellationToken: cancellationToken))
        {
            var group = row.Get<string>("feature_group")!;
            watermarks[group] = new FeatureWatermark(
                group,
                row.Get<string>("run_id")!,
                row.Get<string>("definition_hash") ?? string.Empty,
                row["watermark"] is null ? null : row.Get<DateTimeOffset>("watermark"),
                row.Get<DateTimeOffset>("materialized_at"));
        }

        return watermarks;
    }

    /// <summary>Appends one row per group of a run (no-op for none).</summary>
    public async Task RecordAsync(string runId, IReadOnlyList<FeatureGroupResult> results, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return;
        }

        await EnsureAsync(cancellationToken);
        var rows = results.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["run_id"] = runId,
            ["feature_group"] = r.Group,
            ["status"] = r.Status,
            ["mode"] = r.Mode,
            ["reason"] = r.Reason,
            ["definition_hash"] = r.DefinitionHash,
            ["window_start"] = r.WindowStart,
            ["watermark_before"] = r.WatermarkBefore,
            ["watermark"] = r.Watermark,
            ["rows_written"] = r.RowsWritten,
            ["late_rows"] = r.LateRows,
            ["chunks"] = (long)r.Chunks,
            ["online_written"] = r.OnlineWritten,
            ["materialized_at"] = r.MaterializedAt,
            ["message"] = r.Message,
            ["started_at"] = r.StartedAt,
            ["finished_at"] = r.FinishedAt,
        }).ToList();
        await warehouse.AppendRowsAsync(Materializations, rows, cancellationToken);
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await warehouse.EnsureDatasetAsync(Datasets.Ops, cancellationToken);
        await warehouse.EnsureTableAsync(Schema, cancellationToken);
    }
}
