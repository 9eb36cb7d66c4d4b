using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Warehouse;

public sealed class DuckDbWarehouseLoadTests : WarehouseTestBase
{
    private static readonly TableId Orders = new("bronze", "olist__orders");

    private static readonly TableSchema OrdersSchema = new(Orders,
    [
        new("order_id", ColumnType.String),
        new("status", ColumnType.String),
        new("_lineage_id", ColumnType.String),
    ]);

    [Fact]
    public async Task LoadParquet_FromAHivePartitionedPath_LoadsTheRows_WithoutAPartitionColumn()
    {
        var file = await PutAsync("bronze/olist/orders/ingest_date=2024-05-01/a.parquet", OrdersFile(3));

        var result = await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [file.Ref], "bronze_orders_1", OrdersSchema), Ct);

        Assert.Equal(new LoadResult("bronze_orders_1", 3, AlreadyDone: false), result);
        var rows = await QueryAsync("SELECT * FROM bronze.olist__orders ORDER BY order_id");
        Assert.Equal(["o1", "o2", "o3"], rows.Select(r => r["order_id"]));
        Assert.Equal(["order_id", "status", "_lineage_id"], rows[0].Columns);
    }

    [Fact]
    public async Task LoadParquet_SameJobIdTwice_LoadsOnce()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(3));
        var request = new LoadRequest(Orders, [file.Ref], "bronze_orders_42", OrdersSchema);

        await Warehouse.LoadParquetAsync(request, Ct);
        var again = await Warehouse.LoadParquetAsync(request, Ct);

        Assert.True(again.AlreadyDone);
        Assert.Equal(0, again.RowsLoaded);
        Assert.Equal(3, await CountAsync("bronze.olist__orders"));
        var job = Assert.Single(await QueryAsync("SELECT * FROM ops.load_jobs"));
        Assert.Equal("bronze_orders_42", job["job_id"]);
        Assert.Equal("bronze.olist__orders", job["destination"]);
        Assert.Equal(3L, job["rows"]);
    }

    [Fact]
    public async Task LoadParquet_IdenticalLoadsRacing_LoadOnce()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(500));
        var request = new LoadRequest(Orders, [file.Ref], "bronze_orders_race", OrdersSchema);
        await Warehouse.EnsureTableAsync(OrdersSchema, Ct);

        var outcomes = await Concurrently.RunAsync(4, _ => Warehouse.LoadParquetAsync(request, Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        var loaded = Assert.Single(outcomes, o => !o.Result!.AlreadyDone);
        Assert.Equal(500, loaded.Result!.RowsLoaded);
        Assert.Equal(500, await CountAsync("bronze.olist__orders"));
        Assert.Equal(1, await CountAsync("ops.load_jobs"));
    }

    [Fact]
    public async Task LoadParquet_ColumnsAbsentFromTheFileAreNull_AndColumnsTheTableLacksAreAdded()
    {
        await Warehouse.EnsureTableAsync(new TableSchema(Orders, [new("order_id", ColumnType.String)]), Ct);
        var file = await PutAsync("bronze/olist/orders/a.parquet", ParquetFiles.Text(["order_id", "status"], ["o1", "shipped"]));
        var schema = new TableSchema(Orders, [new("order_id", ColumnType.String), new("status", ColumnType.String), new("note", ColumnType.String)]);

        await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [file.Ref], "job", schema), Ct);

        var row = Assert.Single(await QueryAsync("SELECT order_id, status, note FROM bronze.olist__orders"));
        Assert.Equal("shipped", row["status"]);
        Assert.Null(row["note"]);
        Assert.Equal(["order_id", "status", "note"], (await Warehouse.GetTableAsync(Orders, Ct))!.Columns.Select(c => c.Name));
    }

    [Fact]
    public async Task LoadParquet_SeveralFilesWithDifferentColumns_LoadsThemAll()
    {
        var first = await PutAsync("bronze/olist/orders/a.parquet", ParquetFiles.Text(["order_id"], ["o1"]));
        var second = await PutAsync("bronze/olist/orders/b.parquet", ParquetFiles.Text(["order_id", "status"], ["o2", "paid"], ["o3", null]));

        var result = await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [first.Ref, second.Ref], "two_files", OrdersSchema), Ct);

        Assert.Equal(3, result.RowsLoaded);
        var rows = await QueryAsync("SELECT order_id, status FROM bronze.olist__orders ORDER BY order_id");
        Assert.Equal([null, "paid", null], rows.Select(r => r["status"]));
    }

    [Fact]
    public async Task LoadParquet_Truncate_ReplacesTheTablesRows()
    {
        var first = await PutAsync("gold/a.parquet", OrdersFile(5));
        var second = await PutAsync("gold/b.parquet", OrdersFile(2));
        await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [first.Ref], "first", OrdersSchema), Ct);

        var result = await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [second.Ref], "second", OrdersSchema, WriteMode.Truncate), Ct);

        Assert.Equal(2, result.RowsLoaded);
        Assert.Equal(2, await CountAsync("bronze.olist__orders"));
    }

    [Fact]
    public async Task LoadParquet_PinnedToAnOlderGeneration_LoadsThatVersion()
    {
        var v1 = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(2));
        await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(7));

        var result = await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [v1.Ref], "v1", OrdersSchema), Ct);

        Assert.Equal(2, result.RowsLoaded);
    }

    [Fact]
    public async Task LoadParquet_MissingSource_ThrowsNamingIt_AndCreatesNothing()
    {
        var missing = new ObjectRef(Lake, "bronze/olist/orders/missing.parquet", 12345);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.LoadParquetAsync(new LoadRequest(Orders, [missing], "missing", OrdersSchema), Ct));

        Assert.Contains("gs://lake/bronze/olist/orders/missing.parquet", error.Message);
        Assert.Equal("notFound", error.Reason);
        Assert.Null(await Warehouse.GetTableAsync(Orders, Ct));
    }

    [Fact]
    public async Task LoadParquet_AFileWithAColumnNotInTheSchema_FailsWithDuckDbsReason_AndLoadsNothing()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", ParquetFiles.Text(["order_id", "surprise"], ["o1", "x"]));

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.LoadParquetAsync(new LoadRequest(Orders, [file.Ref], "bad", OrdersSchema), Ct));

        Assert.Contains("surprise", error.Message);
        Assert.Equal(0, await CountAsync("bronze.olist__orders"));
        Assert.Equal(0, await CountAsync("ops.load_jobs"));
    }

    [Fact]
    public async Task LoadParquet_UtcTimestamps_AreStoredAsUtc()
    {
        var at = new DateTime(2024, 3, 31, 23, 30, 0, DateTimeKind.Utc).AddTicks(1230);
        var file = await PutAsync("silver/t.parquet", ParquetFiles.Timestamps(("a", at)));
        var table = new TableId("silver", "events");

        await Warehouse.LoadParquetAsync(new LoadRequest(table, [file.Ref], "ts", new TableSchema(table, [new("id", ColumnType.String), new("at", ColumnType.Timestamp)])), Ct);

        var value = Assert.IsType<DateTime>(Assert.Single(await QueryAsync("SELECT \"at\" FROM silver.events"))["at"]);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
        Assert.Equal(at, value);
    }

    private static byte[] OrdersFile(int rows) => ParquetFiles.Text(
        ["order_id", "status", "_lineage_id"],
        Enumerable.Range(1, rows).Select(i => new string?[] { $"o{i}", i % 2 == 0 ? "delivered" : "shipped", "abc" }).ToArray());
}
