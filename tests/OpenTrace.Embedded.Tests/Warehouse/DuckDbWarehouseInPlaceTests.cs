using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Warehouse;

/// <summary>Loads of immutable sources (<see cref="LoadRequest.SourcesImmutable"/>): the table is a view over the warehouse's own links to the files.</summary>
public sealed class DuckDbWarehouseInPlaceTests : WarehouseTestBase
{
    private static readonly TableId Orders = new("bronze", "olist__orders");

    private static readonly TableSchema OrdersSchema = new(
        Orders,
        [
            new("order_id", ColumnType.String, Description: "The order."),
            new("status", ColumnType.String),
            new("_lineage_id", ColumnType.String),
        ],
        Description: "Raw orders.");

    [Fact]
    public async Task Load_ReadsTheRowsInPlace_AsAViewOverALinkInTheWarehousesFolder()
    {
        var file = await PutAsync("bronze/olist/orders/ingest_date=2024-05-01/a.parquet", OrdersFile(3));

        var result = await Warehouse.LoadParquetAsync(InPlace(file, "bronze_a"), Ct);

        Assert.Equal(new LoadResult("bronze_a", 3, AlreadyDone: false), result);
        Assert.Equal(["o1", "o2", "o3"], (await QueryAsync("SELECT order_id FROM bronze.olist__orders ORDER BY order_id")).Select(r => r["order_id"]));
        Assert.Equal(1, await CountAsync("(SELECT * FROM duckdb_views() WHERE schema_name = 'bronze' AND view_name = 'olist__orders')"));
        var kept = Path.Combine(Warehouse.TableFilesPath, "bronze", "olist__orders", "bronze_a-0.parquet");
        Assert.Equal(await File.ReadAllBytesAsync(Objects.GetLocalPath(file.Ref), Ct), await File.ReadAllBytesAsync(kept, Ct));
        var job = Assert.Single(await QueryAsync("SELECT job_id, destination, \"rows\" FROM ops.load_jobs"));
        Assert.Equal(["bronze_a", "bronze.olist__orders", 3L], job.Values);
    }

    [Fact]
    public async Task GetTable_OfAnInPlaceTable_HasItsColumnsAndDescriptions()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(1));
        await Warehouse.LoadParquetAsync(InPlace(file, "a"), Ct);

        var table = await Warehouse.GetTableAsync(Orders, Ct);

        Assert.NotNull(table);
        Assert.Equal(["order_id", "status", "_lineage_id"], table.Columns.Select(c => c.Name));
        Assert.All(table.Columns, c => Assert.Equal(ColumnType.String, c.Type));
        Assert.Equal("Raw orders.", table.Description);
        Assert.Equal("The order.", table.Find("order_id")!.Description);
    }

    [Fact]
    public async Task Load_SameJobIdTwice_LoadsOnce()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(3));

        await Warehouse.LoadParquetAsync(InPlace(file, "job_42"), Ct);
        var again = await Warehouse.LoadParquetAsync(InPlace(file, "job_42"), Ct);

        Assert.Equal(new LoadResult("job_42", 0, AlreadyDone: true), again);
        Assert.Equal(3, await CountAsync("bronze.olist__orders"));
        Assert.Equal(1, await CountAsync("ops.table_files"));
    }

    [Fact]
    public async Task Load_IdenticalLoadsRacing_LoadOnce()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(500));

        var outcomes = await Concurrently.RunAsync(4, _ => Warehouse.LoadParquetAsync(InPlace(file, "race"), Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(500, Assert.Single(outcomes, o => !o.Result!.AlreadyDone).Result!.RowsLoaded);
        Assert.Equal(500, await CountAsync("bronze.olist__orders"));
    }

    [Fact]
    public async Task Load_SeveralFiles_AccumulateInLoadOrder_AndALaterFilesNewColumnReadsNullForOlderRows()
    {
        var first = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(2));
        var second = await PutAsync("bronze/olist/orders/b.parquet", ParquetFiles.Text(["order_id", "status", "_lineage_id", "coupon"], ["o9", "paid", "b", "SAVE10"]));
        await Warehouse.LoadParquetAsync(InPlace(first, "first"), Ct);

        await Warehouse.LoadParquetAsync(InPlace(second, "second", OrdersSchema with { Columns = [.. OrdersSchema.Columns, new("coupon", ColumnType.String)] }), Ct);

        var rows = await QueryAsync("SELECT order_id, coupon FROM bronze.olist__orders ORDER BY order_id");
        Assert.Equal(["o1", "o2", "o9"], rows.Select(r => r["order_id"]));
        Assert.Equal([null, null, "SAVE10"], rows.Select(r => r["coupon"]));
        Assert.Equal(["order_id", "status", "_lineage_id", "coupon"], (await Warehouse.GetTableAsync(Orders, Ct))!.Columns.Select(c => c.Name));
        Assert.Equal("Raw orders.", (await Warehouse.GetTableAsync(Orders, Ct))!.Description);
    }

    [Fact]
    public async Task EnsureTable_OnAnInPlaceTable_AddsTheColumnsItLacks()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(2));
        await Warehouse.LoadParquetAsync(InPlace(file, "a"), Ct);

        await Warehouse.EnsureTableAsync(OrdersSchema with { Columns = [.. OrdersSchema.Columns, new("note", ColumnType.String, Description: "Added later.")] }, Ct);

        var table = (await Warehouse.GetTableAsync(Orders, Ct))!;
        Assert.Equal("note", table.Columns[^1].Name);
        Assert.Equal("Added later.", table.Columns[^1].Description);
        Assert.Equal("The order.", table.Find("order_id")!.Description);
        Assert.Equal([null, null], (await QueryAsync("SELECT note FROM bronze.olist__orders")).Select(r => r["note"]));
    }

    [Fact]
    public async Task TheLakeObjectDeletedOrReplaced_TheTableKeepsItsRows()
    {
        var kept = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(3));
        var deleted = await PutAsync("bronze/olist/orders/b.parquet", OrdersFile(4));
        await Warehouse.LoadParquetAsync(InPlace(kept, "a"), Ct);
        await Warehouse.LoadParquetAsync(InPlace(deleted, "b"), Ct);

        await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(50));
        Assert.True(await Objects.DeleteAsync(Lake, "bronze/olist/orders/b.parquet", cancellationToken: Ct));

        Assert.Equal(7, await CountAsync("bronze.olist__orders"));
    }

    [Fact]
    public async Task TheWarehouseMovedToAnotherFolder_StillReadsItsInPlaceTables()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(3));
        await Warehouse.LoadParquetAsync(InPlace(file, "a"), Ct);
        await Warehouse.DisposeAsync();
        using var moved = new TempDirectory("opentrace-moved");
        File.Move(Home.Combine("warehouse.duckdb"), moved.Combine("warehouse.duckdb"));
        Directory.Move(Warehouse.TableFilesPath, moved.Combine("warehouse.files"));

        await using var reopened = await DuckDbWarehouse.OpenReadOnlyAsync(moved.Combine("warehouse.duckdb"), Ct);

        var count = await reopened.QueryAsync("SELECT count(*) AS n FROM bronze.olist__orders", cancellationToken: Ct).SingleAsync(Ct);
        Assert.Equal(3L, count["n"]);
    }

    [Fact]
    public async Task Load_AFileWithAColumnNotInTheSchema_FailsNamingIt_AndKeepsNothing()
    {
        var file = await PutAsync("bronze/olist/orders/a.parquet", ParquetFiles.Text(["order_id", "surprise"], ["o1", "x"]));

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.LoadParquetAsync(InPlace(file, "bad"), Ct));

        Assert.Contains("'surprise'", error.Message);
        Assert.Equal("invalid", error.Reason);
        Assert.Null(await Warehouse.GetTableAsync(Orders, Ct));
        Assert.Equal(0, await CountAsync("ops.load_jobs"));
        Assert.Empty(Directory.EnumerateFiles(Warehouse.TableFilesPath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Load_MissingSource_ThrowsNamingIt_AndCreatesNothing()
    {
        var missing = new ObjectRef(Lake, "bronze/olist/orders/missing.parquet", 12345);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.LoadParquetAsync(new LoadRequest(Orders, [missing], "missing", OrdersSchema, SourcesImmutable: true), Ct));

        Assert.Contains("gs://lake/bronze/olist/orders/missing.parquet", error.Message);
        Assert.Equal("notFound", error.Reason);
        Assert.Null(await Warehouse.GetTableAsync(Orders, Ct));
    }

    [Fact]
    public async Task Load_IntoATableThatHoldsCopiedRows_CopiesAsBefore()
    {
        var first = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(2));
        var second = await PutAsync("bronze/olist/orders/b.parquet", OrdersFile(3));
        await Warehouse.LoadParquetAsync(new LoadRequest(Orders, [first.Ref], "copied", OrdersSchema), Ct);

        await Warehouse.LoadParquetAsync(InPlace(second, "second"), Ct);

        Assert.Equal(5, await CountAsync("bronze.olist__orders"));
        Assert.Equal(0, await CountAsync("(SELECT * FROM duckdb_views() WHERE schema_name = 'bronze')"));
        Assert.Equal(0, await CountAsync("ops.table_files"));
    }

    [Fact]
    public async Task Load_Truncate_ReplacesTheFiles_AndLetsTheOldLinksGo()
    {
        var first = await PutAsync("bronze/olist/orders/a.parquet", OrdersFile(5));
        var second = await PutAsync("bronze/olist/orders/b.parquet", OrdersFile(2));
        await Warehouse.LoadParquetAsync(InPlace(first, "first"), Ct);

        var result = await Warehouse.LoadParquetAsync(InPlace(second, "second") with { Mode = WriteMode.Truncate }, Ct);

        Assert.Equal(2, result.RowsLoaded);
        Assert.Equal(2, await CountAsync("bronze.olist__orders"));
        Assert.Equal(["second-0.parquet"], Directory.EnumerateFiles(Path.Combine(Warehouse.TableFilesPath, "bronze", "olist__orders")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Load_UtcTimestamps_ReadAsUtc_AsACopyWould()
    {
        var at = new DateTime(2024, 3, 31, 23, 30, 0, DateTimeKind.Utc).AddTicks(1230);
        var file = await PutAsync("bronze/events/t.parquet", ParquetFiles.Timestamps(("a", at)));
        var table = new TableId("bronze", "events");

        await Warehouse.LoadParquetAsync(new LoadRequest(table, [file.Ref], "ts", new TableSchema(table, [new("id", ColumnType.String), new("at", ColumnType.Timestamp)]), SourcesImmutable: true), Ct);

        var value = Assert.IsType<DateTime>(Assert.Single(await QueryAsync("SELECT \"at\" FROM bronze.events"))["at"]);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
        Assert.Equal(at, value);
    }

    private static LoadRequest InPlace(ObjectInfo file, string jobId, TableSchema? schema = null) =>
        new(Orders, [file.Ref], jobId, schema ?? OrdersSchema, SourcesImmutable: true);

    private static byte[] OrdersFile(int rows) => ParquetFiles.Text(
        ["order_id", "status", "_lineage_id"],
        Enumerable.Range(1, rows).Select(i => new string?[] { $"o{i}", i % 2 == 0 ? "delivered" : "shipped", "abc" }).ToArray());
}
