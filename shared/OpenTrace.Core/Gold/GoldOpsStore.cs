using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Gold's own ops tables: <c>ops.gold_builds</c> (one row per model per run; published rows are the watermarks) and
/// <c>ops.gold_test_failures</c> (each failing test with a bounded sample of failing rows).
/// </summary>
public sealed class GoldOpsStore(IWarehouse warehouse)
{
    /// <summary><c>ops.gold_builds</c>.</summary>
    public static readonly TableId Builds = new(Datasets.Ops, "gold_builds");

    /// <summary><c>ops.gold_test_failures</c>.</summary>
    public static readonly TableId TestFailures = new(Datasets.Ops, "gold_test_failures");

    private readonly Lock _ensureLock = new();
    private Task? _ensured;

    /// <summary>Schema of <c>ops.gold_builds</c>.</summary>
    public static TableSchema BuildsSchema { get; } = new(Builds,
    [
        new("run_id", ColumnType.String, Nullable: false, Description: "Gold run (ops.runs.run_id)."),
        new("model", ColumnType.String, Nullable: false, Description: "Model name (gold table)."),
        new("domain", ColumnType.String, Description: "Domain folder of the model."),
        new("status", ColumnType.String, Nullable: false, Description: "published, up_to_date, failed or blocked."),
        new("mode", ColumnType.String, Description: "full or incremental when built; null otherwise."),
        new("reason", ColumnType.String, Description: "Why it was rebuilt, or why not."),
        new("build_id", ColumnType.String, Description: "Id of this build; what downstream watermarks point at."),
        new("definition_hash", ColumnType.String, Description: "Hash of the rendered model, tests and publish statement."),
        new("input_state", ColumnType.String, Description: "JSON watermark: rows per lineage id of each source, build of each upstream model."),
        new("rows_written", ColumnType.Int64, Description: "Rows staged (the table, or the rebuilt partitions)."),
        new("partitions_replaced", ColumnType.Int64, Description: "Partitions replaced by an incremental build."),
        new("tests_passed", ColumnType.Int64, Description: "Tests that passed."),
        new("tests_failed", ColumnType.Int64, Description: "Error-severity tests that failed."),
        new("tests_warned", ColumnType.Int64, Description: "Warn-severity tests that failed."),
        new("export_uri", ColumnType.String, Description: "Parquet export of the published table."),
        new("message", ColumnType.String, Description: "Failure detail, or null."),
        new("started_at", ColumnType.Timestamp, Nullable: false, Description: "Start (UTC)."),
        new("finished_at", ColumnType.Timestamp, Nullable: false, Description: "End (UTC)."),
    ], PartitionBy: "started_at", ClusterBy: ["model", "status"], Description: "One row per gold model per run; the latest published row of a model is its watermark.");

    /// <summary>Schema of <c>ops.gold_test_failures</c>.</summary>
    public static TableSchema TestFailuresSchema { get; } = new(TestFailures,
    [
        new("run_id", ColumnType.String, Nullable: false, Description: "Gold run."),
        new("model", ColumnType.String, Nullable: false, Description: "Model tested."),
        new("test", ColumnType.String, Nullable: false, Description: "Test name, e.g. unique(order_id)."),
        new("severity", ColumnType.String, Nullable: false, Description: "error (blocked the publish) or warn."),
        new("column_name", ColumnType.String, Description: "Column tested, or null."),
        new("failing_rows", ColumnType.Int64, Description: "Rows the test query returned."),
        new("sample", ColumnType.String, Description: "JSON array of up to 20 failing rows."),
        new("test_sql", ColumnType.String, Description: "The query, to reproduce the failure (it reads the staging table)."),
        new("model_file", ColumnType.String, Description: "Model file and line of the test."),
        new("recorded_at", ColumnType.Timestamp, Nullable: false, Description: "When (UTC)."),
    ], PartitionBy: "recorded_at", ClusterBy: ["model", "test"], Description: "Failing gold tests with a bounded sample of failing rows.");

    /// <summary>Creates the ops dataset and both tables once per process (again after a failed attempt).</summary>
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

    /// <summary>The latest published build of every model (its watermark), by model name.</summary>
    public async Task<IReadOnlyDictionary<string, GoldWatermark>> ReadWatermarksAsync(GoldSql sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sql);
        await EnsureAsync(cancellationToken);
        var query =
            $"SELECT b.{sql.Column("model")}, b.{sql.Column("build_id")}, b.{sql.Column("definition_hash")}, b.{sql.Column("input_state")}, b.{sql.Column("finished_at")}\n" +
            $"FROM (\n  SELECT *, ROW_NUMBER() OVER (PARTITION BY {sql.Column("model")} ORDER BY {sql.Column("finished_at")} DESC) AS {sql.Column("recency")}\n" +
            $"  FROM {sql.Table(Builds)}\n  WHERE {sql.Column("status")} = @status\n) AS b\nWHERE b.{sql.Column("recency")} = 1";
        var watermarks = new Dictionary<string, GoldWatermark>(StringComparer.Ordinal);
        await foreach (var row in warehouse.QueryAsync(query, new Dictionary<string, object?> { ["status"] = GoldModelStatus.Published }, cancellationToken))
        {
            var model = row.Get<string>("model")!;
            watermarks[model] = new GoldWatermark(
                model,
                row.Get<string>("build_id")!,
                row.Get<string>("definition_hash") ?? string.Empty,
                GoldInputState.FromJson(row.Get<string>("input_state")),
                row.Get<DateTimeOffset>("finished_at"));
        }

        return watermarks;
    }

    /// <summary>Appends build rows (no-op for none).</summary>
    public async Task RecordBuildsAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count > 0)
        {
            await EnsureAsync(cancellationToken);
            await warehouse.AppendRowsAsync(Builds, rows, cancellationToken);
        }
    }

    /// <summary>Appends test failure rows (no-op for none).</summary>
    public async Task RecordTestFailuresAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count > 0)
        {
            await EnsureAsync(cancellationToken);
            await warehouse.AppendRowsAsync(TestFailures, rows, cancellationToken);
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await warehouse.EnsureDatasetAsync(Datasets.Ops, cancellationToken);
        await warehouse.EnsureTableAsync(BuildsSchema, cancellationToken);
        await warehouse.EnsureTableAsync(TestFailuresSchema, cancellationToken);
    }
}

/// <summary>The last published build of a model.</summary>
/// <param name="Model">Model name.</param>
/// <param name="BuildId">Build id.</param>
/// <param name="DefinitionHash">Definition hash at that build.</param>
/// <param name="Inputs">Input state it was built from; null when unreadable.</param>
/// <param name="PublishedAt">When the build finished (UTC).</param>
public sealed record GoldWatermark(string Model, string BuildId, string DefinitionHash, GoldInputState? Inputs, DateTimeOffset PublishedAt);
