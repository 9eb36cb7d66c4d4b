using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Tests.Fakes;

namespace OpenTrace.Gcp.Tests.BigQuery;

public sealed class BigQueryWarehouseTests
{
    private const string SourceUri = "gs://demo-project-lake/silver/olist/orders/ingest_date=2024-06-01/1717236000123456.parquet";

    private static readonly TableSchema Orders = new(
        new TableId("silver", "olist__orders"),
        [
            new ColumnSchema("order_id", ColumnType.String, Nullable: false),
            new ColumnSchema("order_status", ColumnType.String),
            new ColumnSchema("order_purchase_timestamp", ColumnType.Timestamp),
            new ColumnSchema("_lineage_id", ColumnType.String, Nullable: false),
        ],
        PartitionBy: "order_purchase_timestamp",
        ClusterBy: ["order_status"],
        Description: "Olist orders, typed and deduplicated.");

    private static readonly LoadRequest Load = new(
        Orders.Id,
        [new ObjectRef("demo-project-lake", "silver/olist/orders/ingest_date=2024-06-01/1717236000123456.parquet", 1717236000123456)],
        "silver_olist__orders_1717236000123456",
        Orders);

    private static readonly StageRequest Stage = new(
        new TableId("ops", "silver_staging__olist__orders__1717236000123456"),
        [new ObjectRef("demo-project-lake", "silver/olist/orders/ingest_date=2024-06-01/1717236000123456.parquet", 1717236000123456)],
        "silver_stage_1717236000123456_0193a1b2c3d4",
        Orders);

    private readonly TestClients _clients = new();

    [Fact]
    public async Task EnsureDataset_CreatesItInTheConfiguredLocation_AndAcceptsOneThatExists()
    {
        var (warehouse, replay) = Create("ensure-dataset.json");

        await warehouse.EnsureDatasetAsync("silver", TestContext.Current.CancellationToken);
        await warehouse.EnsureDatasetAsync("silver", TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.All(replay.Authorizations, a => Assert.Equal($"Bearer {TestClients.Token}", a));
    }

    [Fact]
    public async Task EnsureTable_Absent_CreatesItWithSchemaPartitioningAndClustering()
    {
        var (warehouse, replay) = Create("ensure-table-create.json");

        await warehouse.EnsureTableAsync(Orders, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
    }

    [Fact]
    public async Task EnsureTable_MissingColumns_PatchesThemInAsNullableWithoutTouchingExistingOnes()
    {
        var (warehouse, replay) = Create("ensure-table-add-columns.json");

        await warehouse.EnsureTableAsync(Orders, TestContext.Current.CancellationToken);
        var table = await warehouse.GetTableAsync(Orders.Id, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(["order_id", "order_status", "order_purchase_timestamp", "_lineage_id"], table!.Columns.Select(c => c.Name));
        Assert.False(table.Find("order_id")!.Nullable);
    }

    [Fact]
    public async Task GetTable_MapsBigQueryTypesModesAndLayout_AndReturnsNullWhenAbsent()
    {
        var (warehouse, replay) = Create("get-table.json");

        var table = await warehouse.GetTableAsync(Orders.Id, TestContext.Current.CancellationToken);
        var missing = await warehouse.GetTableAsync(new TableId("silver", "missing"), TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Null(missing);
        Assert.NotNull(table);
        Assert.Equal(
            [ColumnType.Int64, ColumnType.Decimal, ColumnType.Float64, ColumnType.Bool, ColumnType.Date, ColumnType.String, ColumnType.Json, ColumnType.Bytes],
            table.Columns.Select(c => c.Type));
        Assert.False(table.Columns[0].Nullable);
        Assert.Equal((12, 2), (table.Columns[1].Precision!.Value, table.Columns[1].Scale!.Value));
        Assert.True(table.Find("tags")!.Repeated);
        Assert.Equal("free tags", table.Find("tags")!.Description);
        Assert.Equal("order_purchase_timestamp", table.PartitionBy);
        Assert.Equal(["order_status"], table.ClusterBy!);
    }

    [Fact]
    public async Task LoadParquet_SameJobIdTwice_LoadsOnceAndReportsTheDuplicateAsAlreadyDone()
    {
        var (warehouse, replay) = Create("load-then-duplicate.json");

        var first = await warehouse.LoadParquetAsync(Load, TestContext.Current.CancellationToken);
        var second = await warehouse.LoadParquetAsync(Load, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed(); // exactly one accepted jobs.insert: the 409 was not followed by another load
        Assert.Equal(new LoadResult(Load.JobId, 3, AlreadyDone: false), first);
        Assert.Equal(new LoadResult(Load.JobId, 0, AlreadyDone: true), second);
        var loadBodies = replay.Bodies.Where(b => b?["configuration"] is not null).ToList();
        Assert.Equal(2, loadBodies.Count);
        Assert.All(loadBodies, b => Assert.Equal(SourceUri, b!["configuration"]!["load"]!["sourceUris"]![0]!.GetValue<string>()));
        Assert.Equal(2, _clients.Delays.Count); // two polls of the running job
    }

    [Fact]
    public async Task LoadParquet_DuplicateOfAFailedJob_ThrowsInsteadOfReportingDone()
    {
        var (warehouse, replay) = Create("load-earlier-failed.json");

        var e = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.LoadParquetAsync(Load, TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.Equal("invalid", e.Reason);
        Assert.Equal(SourceUri, e.Location);
        Assert.False(e.IsTransient);
        Assert.Contains("new job id", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadParquet_JobFails_SurfacesBigQuerysReasonAndLocation_AfterRetryingTheInsert()
    {
        var (warehouse, replay) = Create("load-job-error.json");

        var e = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.LoadParquetAsync(Load, TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.Equal("invalid", e.Reason);
        Assert.Equal(SourceUri, e.Location);
        Assert.Contains("order_purchase_timestamp", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StageParquet_LoadsTheFilesIntoAnExpiringScratchTable_ReplacingItsRows()
    {
        var (warehouse, replay) = Create("stage-parquet.json");
        var before = DateTimeOffset.UtcNow;

        var staged = await warehouse.StageParquetAsync(Stage, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(new StagedParquet(Stage.Relation, 991), staged);
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(replay.Bodies[1]!["expirationTime"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expires, before + BigQueryWarehouse.StagingExpiry - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + BigQueryWarehouse.StagingExpiry);
        Assert.Equal("WRITE_TRUNCATE", replay.Bodies[2]!["configuration"]!["load"]!["writeDisposition"]!.GetValue<string>());
    }

    [Fact]
    public async Task StageParquet_JobIdThatAlreadyRan_ReportsTheRowsThatRunStaged()
    {
        var (warehouse, replay) = Create("stage-parquet-rerun.json");

        var staged = await warehouse.StageParquetAsync(Stage, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed(); // the 409 was not followed by another load
        Assert.Equal(991, staged.Rows);
    }

    [Fact]
    public async Task DropStaged_DeletesTheTable_IgnoresOneThatIsGone_AndSurfacesOtherErrors()
    {
        var (warehouse, replay) = Create("drop-staged.json");

        await warehouse.DropStagedAsync(Stage.Relation, TestContext.Current.CancellationToken);
        await warehouse.DropStagedAsync(Stage.Relation, TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.DropStagedAsync(Stage.Relation, TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.Equal("accessDenied", e.Reason);
        Assert.Contains("bigquery.tables.delete", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_WithNamedParameters_WaitsForTheJobAndPagesThroughTypedRows()
    {
        var (warehouse, replay) = Create("query-paged.json");
        var parameters = new Dictionary<string, object?>
        {
            ["status"] = "delivered",
            ["since"] = new DateTimeOffset(2018, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ["states"] = new[] { "SP", "RJ" },
            ["min_price"] = 9.90m,
            ["min_items"] = 0,
        };

        var rows = new List<WarehouseRow>();
        await foreach (var row in warehouse.QueryAsync(
            "SELECT * FROM `demo-project.silver.olist__orders` WHERE order_status = @status AND order_purchase_timestamp >= @since AND customer_state IN UNNEST(@states) AND price > @min_price AND items > @min_items",
            parameters, TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        replay.AssertAllReplayed();
        Assert.Equal(3, rows.Count);
        var first = rows[0];
        Assert.Equal("e481f51cbdc54678b7cc49136f2d6af7", first["order_id"]);
        Assert.Equal(2L, first["items"]);
        Assert.Equal(4.5, first["score"]);
        Assert.Equal(29.99m, first["price"]);
        Assert.Equal(true, first["paid"]);
        Assert.Equal(new DateTimeOffset(2017, 10, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234560), first["purchased_at"]);
        Assert.Equal(new DateOnly(2017, 10, 1), first["purchase_day"]);
        Assert.Equal(new byte[] { 0, 1, 2 }, first["raw"]);
        Assert.Equal(new List<object?> { "gift", "fast" }, first["tags"]);
        Assert.Equal("{\"a\":1}", first["extra"]);
        Assert.True(double.IsNaN(rows[1].Get<double>("score")));
        Assert.Empty((List<object?>)rows[1]["tags"]!);
        Assert.All(rows[2].Values.Where((_, i) => rows[2].Columns[i] != "tags"), Assert.Null);
    }

    [Fact]
    public async Task Execute_Merge_ReturnsTheAffectedRowCount()
    {
        var (warehouse, replay) = Create("merge.json");

        var affected = await warehouse.ExecuteAsync(
            "MERGE `demo-project.silver.olist__orders` T USING `demo-project.silver._stage_orders` S ON T.order_id = S.order_id " +
            "WHEN MATCHED AND S._ingested_at > T._ingested_at THEN UPDATE SET order_status = S.order_status " +
            "WHEN NOT MATCHED THEN INSERT ROW",
            cancellationToken: TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(4, affected);
    }

    [Fact]
    public async Task Query_Invalid_ThrowsWithBigQuerysReasonAndThePositionInTheQuery()
    {
        var (warehouse, replay) = Create("query-invalid.json");

        var e = await Assert.ThrowsAsync<WarehouseException>(() => warehouse.ExecuteAsync("SELECT order_idd FROM silver.olist__orders", cancellationToken: TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.Equal("invalidQuery", e.Reason);
        Assert.Equal("query 1:8", e.Location);
        Assert.False(e.IsTransient);
        Assert.Empty(_clients.Delays);
    }

    [Fact]
    public async Task Query_ThrottledThenBackendError_IsRetriedHonouringRetryAfter()
    {
        var (warehouse, replay) = Create("query-throttled.json");

        var rows = await warehouse.QueryAsync("SELECT 1 AS one", cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(1L, Assert.Single(rows)["one"]);
        Assert.Equal(2, _clients.Delays.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), _clients.Delays[0]);
        var requestIds = replay.Bodies.Select(b => b!["requestId"]!.GetValue<string>()).Distinct().ToList();
        Assert.Single(requestIds); // the same request id on every attempt, so BigQuery runs it once
    }

    [Fact]
    public async Task Query_BackendErrorOnEveryAttempt_ThrowsATransientWarehouseException()
    {
        var (warehouse, replay) = Create("query-unavailable.json", o => o.MaxAttempts = 3);

        var e = await Assert.ThrowsAsync<WarehouseException>(async () =>
            await warehouse.QueryAsync("SELECT 1 AS one", cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.True(e.IsTransient);
        Assert.Equal("backendError", e.Reason);
    }

    [Fact]
    public async Task AppendRows_InsertsWithTypedParametersAndNullLiterals()
    {
        var (warehouse, replay) = Create("append-rows.json");
        IReadOnlyList<IReadOnlyDictionary<string, object?>> rows =
        [
            new Dictionary<string, object?>
            {
                ["run_id"] = "run-1", ["function"] = "bronze", ["rows_read"] = 120L,
                ["started_at"] = new DateTimeOffset(2024, 6, 1, 10, 0, 0, 250, TimeSpan.Zero), ["warnings"] = new List<string> { "2 blank lines skipped" }, ["message"] = null,
            },
            new Dictionary<string, object?>
            {
                ["run_id"] = "run-2", ["function"] = "silver",
                ["started_at"] = new DateTimeOffset(2024, 6, 1, 10, 5, 0, TimeSpan.Zero), ["warnings"] = Array.Empty<string>(), ["message"] = "ok",
            },
        ];

        await warehouse.AppendRowsAsync(new TableId("ops", "runs"), rows, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
    }

    [Fact]
    public async Task LoadParquet_InvalidJobId_IsRejectedBeforeAnyRequest()
    {
        var (warehouse, _) = Create("merge.json");

        await Assert.ThrowsAsync<ArgumentException>(() => warehouse.LoadParquetAsync(Load with { JobId = "silver/orders#1" }, TestContext.Current.CancellationToken));
    }

    private (BigQueryWarehouse Warehouse, ReplayHandler Replay) Create(string file, Action<GcpOptions>? configure = null)
    {
        var replay = new ReplayHandler(Path.Combine("bigquery", file));
        var options = TestClients.Options(configure);
        return (new BigQueryWarehouse(_clients.Rest(replay, options, "BigQuery"), options), replay);
    }
}
