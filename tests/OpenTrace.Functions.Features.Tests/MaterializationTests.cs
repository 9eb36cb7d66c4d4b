using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;
using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Features.Tests;

/// <summary>Materialisation over generated Olist data on DuckDB: history offline, latest values online, incrementally and in chunks.</summary>
public sealed class MaterializationTests(OlistFeatureFixture fixture)
{
    private static readonly DateTimeOffset Cutoff = new(2018, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstRun_WritesEveryGroupsHistoryOffline_AndTheLatestRowPerEntityOnline()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        var catalog = world.Catalog();

        var run = await world.Materializer(catalog: catalog).RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(["customer", "product", "seller"], run.Groups.Select(g => g.Group));
        foreach (var result in run.Groups)
        {
            var group = catalog.FindGroup(result.Group)!;
            Assert.Equal(FeatureGroupStatus.Succeeded, result.Status);
            Assert.Equal(FeatureMode.Full, result.Mode);
            var rows = await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.{group.Name}", Ct);
            var entities = await world.ScalarAsync<long>($"SELECT COUNT(DISTINCT {group.EntityColumn}) FROM features.{group.Name}", Ct);
            Assert.Equal(rows, result.RowsWritten);
            Assert.Equal(entities, result.OnlineWritten);
            Assert.True(rows > entities, $"{group.Name}: {rows} rows for {entities} entities is no history");
            Assert.Equal(0, await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.{group.Name} WHERE created_at <> event_timestamp", Ct));
            Assert.Equal(await world.ScalarAsync<DateTimeOffset>($"SELECT MAX(event_timestamp) FROM features.{group.Name}", Ct), result.Watermark);
        }

        var online = await world.Online().ReadAsync(catalog.FindGroup("seller")!, await LatestSellerAsync(world), Ct);
        Assert.True(online.IsServed);
        Assert.Equal(catalog.FindGroup("seller")!.Features.Select(f => f.Name).Order(), online.Values.Keys.Order());
    }

    [Fact]
    public async Task SecondRun_WithNothingNew_IsUpToDate_AndWritesNothing()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        var materializer = world.Materializer();
        await materializer.RunAsync(cancellationToken: Ct);
        var before = await world.ScalarAsync<long>("SELECT COUNT(*) FROM features.seller", Ct);

        var second = await materializer.RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Skipped, second.Status);
        Assert.All(second.Groups, g => Assert.Equal((FeatureGroupStatus.UpToDate, FeatureMode.Incremental, 0L, 0L), (g.Status, g.Mode, g.RowsWritten, g.OnlineWritten)));
        Assert.Equal(before, await world.ScalarAsync<long>("SELECT COUNT(*) FROM features.seller", Ct));
    }

    [Fact]
    public async Task NewData_IsAppendedIncrementally_AndTheHistoryEqualsAFullRecomputation()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await SilverCutoff.ApplyAsync(world.Warehouse, Cutoff, Ct);
        await world.RebuildGoldAsync(Ct);
        var materializer = world.Materializer();
        var first = await materializer.RunAsync(cancellationToken: Ct);
        Assert.All(first.Groups, g => Assert.True(g.Watermark < Cutoff, $"{g.Group} watermark {g.Watermark}"));

        await SilverCutoff.RestoreAsync(world.Warehouse, Ct);
        await world.RebuildGoldAsync(Ct);
        world.Time.Advance(TimeSpan.FromHours(1));
        var second = await materializer.RunAsync(cancellationToken: Ct);

        var catalog = world.Catalog();
        foreach (var result in second.Groups)
        {
            var group = catalog.FindGroup(result.Group)!;
            var before = first.Groups.Single(g => g.Group == result.Group);
            Assert.Equal((FeatureGroupStatus.Succeeded, FeatureMode.Incremental), (result.Status, result.Mode));
            Assert.Equal(before.Watermark, result.WindowStart);
            var appended = await world.RowsAsync($"SELECT event_timestamp, created_at FROM features.{group.Name} WHERE _run_id <> '{first.RunId}'", Ct);
            Assert.Equal(appended.Count, result.RowsWritten);
            Assert.All(appended, r => Assert.True(r.Get<DateTimeOffset>("event_timestamp") > before.Watermark));
            Assert.All(appended, r => Assert.Equal(r["event_timestamp"], r["created_at"]));
            Assert.Equal(0, result.LateRows);

            // Incremental runs add up to the history a single full run computes on all the data.
            Assert.Equal((0L, 0L), await DifferenceFromFullHistoryAsync(world, group));
        }
    }

    [Fact]
    public async Task CorrectedSourceRow_BeforeTheWatermark_IsAppendedWithItsWriteTime_AndTheOriginalRowStays()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        var materializer = world.Materializer();
        var first = await materializer.RunAsync(cancellationToken: Ct);
        var order = (await world.RowsAsync(
            "SELECT o.order_id, i.seller_id, o.order_delivered_customer_date FROM silver.olist__orders AS o JOIN silver.olist__order_items AS i ON i.order_id = o.order_id " +
            "WHERE o.order_delivered_customer_date < o.order_estimated_delivery_date - INTERVAL 5 DAY AND o.order_purchase_timestamp < TIMESTAMP '2018-01-01' ORDER BY o.order_id LIMIT 1", Ct)).Single();
        var seller = order.Get<string>("seller_id")!;
        var sellerRowsBefore = await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.seller WHERE seller_id = '{seller}'", Ct);

        // The carrier's late scan arrives: the order reached the customer 30 days later than first recorded.
        await world.Warehouse.ExecuteAsync(
            $"UPDATE silver.olist__orders SET order_delivered_customer_date = order_delivered_customer_date + INTERVAL 30 DAY, _lineage_id = 'correction' WHERE order_id = '{order.Get<string>("order_id")}'", cancellationToken: Ct);
        await world.RebuildGoldAsync(Ct);
        world.Time.Advance(TimeSpan.FromDays(1));
        var now = world.Time.GetUtcNow();
        var writtenAt = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero); // stored to the microsecond
        var second = await materializer.RunAsync(new FeatureRunRequest { Select = "seller", FullRefresh = true }, cancellationToken: Ct);

        var result = second.Groups.Single();
        Assert.Equal(FeatureMode.Full, result.Mode);
        Assert.True(result.LateRows > 0);
        Assert.Equal(result.RowsWritten, result.LateRows);
        var late = await world.RowsAsync($"SELECT seller_id, event_timestamp, created_at FROM features.seller WHERE _run_id = '{second.RunId}'", Ct);
        Assert.All(late, r => Assert.Equal(seller, r["seller_id"]));
        Assert.All(late, r => Assert.Equal(writtenAt, r.Get<DateTimeOffset>("created_at")));
        Assert.All(late, r => Assert.True(r.Get<DateTimeOffset>("event_timestamp") <= first.Groups.Single(g => g.Group == "seller").Watermark));
        Assert.Equal(sellerRowsBefore + late.Count, await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.seller WHERE seller_id = '{seller}'", Ct));
    }

    [Fact]
    public async Task SmallChunks_WriteTheSameHistory_InBoundedPieces()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);

        var run = await world.Materializer(new FeatureMaterializerOptions { ChunkRows = 1000, OnlineBatch = 50 }).RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct);

        var result = run.Groups.Single();
        Assert.Equal((int)Math.Ceiling(result.RowsWritten / 1000.0), result.Chunks);
        Assert.True(result.Chunks > 1);
        var objects = new List<string>();
        await foreach (var info in world.Objects.ListAsync(FeatureWorld.LakeBucket, $"features/olist/seller/{run.RunId}/", Ct))
        {
            objects.Add(info.Name);
        }

        Assert.Equal(result.Chunks, objects.Count);
        Assert.Equal(result.RowsWritten, await world.ScalarAsync<long>("SELECT COUNT(*) FROM features.seller", Ct));
        Assert.Equal((0L, 0L), await DifferenceFromFullHistoryAsync(world, world.Catalog().FindGroup("seller")!));
    }

    [Fact]
    public async Task ChangedDefinition_RebuildsTheGroupsHistory()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines: true);
        var first = await world.Materializer().RunAsync(new FeatureRunRequest { Select = "customer" }, cancellationToken: Ct);
        await world.EditFeatureFileAsync("customer", "/ 24.0 AS days_since_previous_order", "/ 24.0 + 0.0 AS days_since_previous_order", Ct);

        var second = await world.Materializer().RunAsync(new FeatureRunRequest { Select = "customer" }, cancellationToken: Ct);

        var result = second.Groups.Single();
        Assert.Equal(FeatureMode.Rebuild, result.Mode);
        Assert.Equal(first.Groups.Single().RowsWritten, result.RowsWritten);
        Assert.Equal(result.RowsWritten, await world.ScalarAsync<long>("SELECT COUNT(*) FROM features.customer", Ct));
        Assert.Equal(0, await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.customer WHERE _run_id = '{first.RunId}'", Ct));
    }

    [Fact]
    public async Task FailingGroup_IsReportedWithItsReason_OthersSucceed_AndItsWatermarkStays()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines: true);
        await world.EditFeatureFileAsync("product", "p.product_weight_g AS weight_g", "p.product_weight AS weight_g", Ct);

        var run = await world.Materializer().RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, run.Status);
        var product = run.Groups.Single(g => g.Group == "product");
        Assert.Equal(FeatureGroupStatus.Failed, product.Status);
        Assert.Contains("product_weight", product.Message, StringComparison.Ordinal);
        Assert.All(run.Groups.Where(g => g.Group != "product"), g => Assert.Equal(FeatureGroupStatus.Succeeded, g.Status));
        var watermarks = await world.FeatureOps.ReadWatermarksAsync(Ct);
        Assert.False(watermarks.ContainsKey("product"));
        Assert.True(watermarks.ContainsKey("seller"));
        var recorded = (await world.RowsAsync($"SELECT status, warnings FROM ops.runs WHERE run_id = '{run.RunId}'", Ct)).Single();
        Assert.Equal("failed", recorded["status"]);
    }

    [Fact]
    public async Task UnknownGroup_IsRejectedBeforeAnythingRuns()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);

        var error = await Assert.ThrowsAsync<OpenTraceException>(() => world.Materializer().RunAsync(new FeatureRunRequest { Select = "sellers" }, cancellationToken: Ct));

        Assert.Equal("select", error.Rule);
        Assert.Contains("No feature group 'sellers'", error.Message, StringComparison.Ordinal);
        Assert.Null(await world.Warehouse.GetTableAsync(new TableId("features", "seller"), Ct));
    }

    /// <summary>Rows in the offline table but not in the group's full history recomputed now, and the other way round.</summary>
    private static async Task<(long Extra, long Missing)> DifferenceFromFullHistoryAsync(FeatureWorld world, FeatureGroup group)
    {
        var sql = new FeatureSql(SqlDialect.DuckDb);
        var columns = string.Join(", ", FeatureSql.ValueColumns(group).Select(c =>
            group.Find(c)?.Type.Kind == ColumnType.Float64 ? $"ROUND({sql.Column(c)}, 9) AS {sql.Column(c)}" : sql.Column(c)));
        var stored = $"SELECT {columns} FROM (SELECT * FROM features.{group.Name} QUALIFY ROW_NUMBER() OVER (PARTITION BY {group.EntityColumn}, event_timestamp ORDER BY created_at DESC) = 1)";
        var expected = $"SELECT {columns} FROM ({sql.History(group)})";
        return (
            await world.ScalarAsync<long>($"SELECT COUNT(*) FROM ({stored} EXCEPT {expected})", Ct),
            await world.ScalarAsync<long>($"SELECT COUNT(*) FROM ({expected} EXCEPT {stored})", Ct));
    }

    private static async Task<string> LatestSellerAsync(FeatureWorld world) =>
        (await world.ScalarAsync<string>("SELECT seller_id FROM features.seller ORDER BY event_timestamp DESC, seller_id LIMIT 1", Ct))!;
}
