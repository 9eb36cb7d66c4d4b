using OpenTrace.Core.Warehouse;

namespace OpenTrace.Embedded.Tests.Warehouse;

public sealed class DuckDbWarehouseStageTests : WarehouseTestBase
{
    private static readonly TableId Staged = new("ops", "silver_staging__shop__events__abc");

    private static readonly TableSchema Events = new(Staged,
    [
        new("id", ColumnType.String),
        new("at", ColumnType.Timestamp),
        new("note", ColumnType.String),
    ]);

    [Fact]
    public async Task StageParquet_ExposesTheFilesInTheSchemasTypes_AsAViewThatCopiesNothing()
    {
        var at = new DateTime(2024, 3, 31, 23, 30, 0, DateTimeKind.Utc).AddTicks(1230);
        var file = await PutAsync("silver/shop/events/a.parquet", ParquetFiles.Timestamps(("a", at), ("b", null)));

        var staged = await Warehouse.StageParquetAsync(new StageRequest(Staged, [file.Ref], "stage_1", Events), Ct);

        Assert.Equal(new StagedParquet(Staged, 2), staged);
        var rows = await QueryAsync($"SELECT * FROM ops.{Staged.Table} ORDER BY id");
        Assert.Equal(["id", "at", "note"], rows[0].Columns);
        var value = Assert.IsType<DateTime>(rows[0]["at"]);
        Assert.Equal((DateTimeKind.Utc, at), (value.Kind, value));
        Assert.Null(rows[1]["at"]);
        Assert.All(rows, r => Assert.Null(r["note"])); // not in the file: NULL
        var types = await QueryAsync($"SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '{Staged.Table}' ORDER BY column_index");
        Assert.Equal(["VARCHAR", "TIMESTAMP", "VARCHAR"], types.Select(t => t["data_type"]));
        Assert.Equal(1, await CountAsync($"duckdb_views() WHERE view_name = '{Staged.Table}'"));
        Assert.Equal(0, await CountAsync($"duckdb_tables() WHERE table_name = '{Staged.Table}'"));
    }

    [Fact]
    public async Task StageParquet_MergesIntoATableLikeALoadedTableWould()
    {
        var target = new TableId("silver", "shop__events");
        await Warehouse.EnsureTableAsync(Events with { Id = target }, Ct);
        var at = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        var file = await PutAsync("silver/shop/events/a.parquet", ParquetFiles.Timestamps(("a", at), ("b", at.AddDays(1))));
        await Warehouse.StageParquetAsync(new StageRequest(Staged, [file.Ref], "stage_1", Events), Ct);

        var merged = await Warehouse.ExecuteAsync(
            $"MERGE INTO silver.shop__events AS T USING ops.{Staged.Table} AS S ON T.id = S.id WHEN MATCHED THEN UPDATE SET \"at\" = S.\"at\" WHEN NOT MATCHED THEN INSERT (id, \"at\", note) VALUES (S.id, S.\"at\", S.note)",
            cancellationToken: Ct);

        Assert.Equal(2, merged);
        var rows = await QueryAsync("SELECT id, \"at\" FROM silver.shop__events ORDER BY id");
        Assert.Equal([at, at.AddDays(1)], rows.Select(r => r["at"]));
    }

    [Fact]
    public async Task StageParquet_SameNameAgain_ReplacesWhatWasStaged_EvenATableLeftUnderThatName()
    {
        await Warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS ops; CREATE TABLE ops.{Staged.Table} (id VARCHAR)", cancellationToken: Ct);
        var first = await PutAsync("silver/shop/events/a.parquet", ParquetFiles.Timestamps(("a", null)));
        var second = await PutAsync("silver/shop/events/b.parquet", ParquetFiles.Timestamps(("b", null), ("c", null), ("d", null)));

        await Warehouse.StageParquetAsync(new StageRequest(Staged, [first.Ref], "stage_1", Events), Ct);
        var again = await Warehouse.StageParquetAsync(new StageRequest(Staged, [second.Ref], "stage_2", Events), Ct);

        Assert.Equal(3, again.Rows);
        Assert.Equal(["b", "c", "d"], (await QueryAsync($"SELECT id FROM ops.{Staged.Table} ORDER BY id")).Select(r => r["id"]));
    }

    [Fact]
    public async Task DropStaged_RemovesTheRelation_AndIgnoresOneThatIsGone()
    {
        var file = await PutAsync("silver/shop/events/a.parquet", ParquetFiles.Timestamps(("a", null)));
        await Warehouse.StageParquetAsync(new StageRequest(Staged, [file.Ref], "stage_1", Events), Ct);

        await Warehouse.DropStagedAsync(Staged, Ct);
        await Warehouse.DropStagedAsync(Staged, Ct);

        Assert.Equal(0, await CountAsync($"duckdb_views() WHERE view_name = '{Staged.Table}'"));
        Assert.Null(await Warehouse.GetTableAsync(Staged, Ct));
    }

    [Fact]
    public async Task StageParquet_MissingSource_ThrowsNamingIt()
    {
        var missing = new Core.Storage.ObjectRef(Lake, "silver/shop/events/missing.parquet", 1);

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.StageParquetAsync(new StageRequest(Staged, [missing], "stage_1", Events), Ct));

        Assert.Contains("gs://lake/silver/shop/events/missing.parquet", error.Message);
    }
}
