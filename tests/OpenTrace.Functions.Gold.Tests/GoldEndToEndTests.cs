using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Functions.Gold.Tests.Support;
using ParquetSharp;

namespace OpenTrace.Functions.Gold.Tests;

/// <summary>Every Olist model built, tested and published on DuckDB over generated data.</summary>
public sealed class GoldEndToEndTests(OlistGoldFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void FirstRun_PublishesEveryModel_WithEveryTestPassing()
    {
        var run = fixture.FirstRun;

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(13, run.Models.Count);
        Assert.All(run.Models, m =>
        {
            Assert.True(m.Status == GoldModelStatus.Published, $"{m.Model}: {m.Status} {m.Message}");
            Assert.Equal(GoldBuildMode.Full, m.Mode);
            Assert.Equal("first build", m.Reason);
            Assert.NotEmpty(m.Tests);
            Assert.All(m.Tests, t => Assert.True(t.Outcome == "passed", $"{m.Model}: {t.Name} {t.Outcome} ({t.FailingRows} rows) {t.Message}"));
        });
        Assert.All(run.Sources, s => Assert.Equal("passed", s.Outcome));
    }

    [Fact]
    public async Task FirstRun_GoldTablesHoldRows_AndStagingIsCleared()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);

        foreach (var model in fixture.FirstRun.Models)
        {
            Assert.Equal(model.RowsWritten, await world.CountAsync($"SELECT COUNT(*) FROM gold.{model.Model}", Ct));
            Assert.True(model.RowsWritten > 0, $"{model.Model} is empty");
        }

        Assert.Equal(0, await world.CountAsync("SELECT COUNT(*) FROM duckdb_tables() WHERE schema_name = 'gold_staging'", Ct));
        Assert.Equal("Delivery date promised at purchase.", await world.ScalarAsync<string>("SELECT comment FROM duckdb_columns() WHERE schema_name = 'gold' AND table_name = 'fct_orders' AND column_name = 'estimated_delivery_date'", Ct));
    }

    [Fact]
    public async Task Reconciliation_DailySalesRevenueEqualsSilverPaymentsOfTheSameOrders()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);

        var revenue = await world.ScalarAsync<decimal>("SELECT SUM(revenue) FROM gold.kpi_daily_sales", Ct);
        var payments = await world.ScalarAsync<decimal>(
            """
            SELECT SUM(p.payment_value)
            FROM silver.olist__order_payments AS p
            JOIN silver.olist__orders AS o ON o.order_id = p.order_id
            WHERE o.order_status NOT IN ('canceled', 'unavailable')
              AND o.order_id IN (SELECT order_id FROM silver.olist__order_items)
            """,
            Ct);

        Assert.True(revenue > 1000m, $"revenue {revenue}");
        Assert.Equal(payments, revenue);
    }

    [Fact]
    public async Task Reconciliation_OrderCountsAgreeBetweenFctOrdersAndSilver()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);

        var silver = await world.CountAsync("SELECT COUNT(*) FROM silver.olist__orders", Ct);
        var gold = await world.CountAsync("SELECT COUNT(DISTINCT order_id) FROM gold.fct_orders", Ct);
        var delivered = await world.CountAsync("SELECT COUNT(*) FROM silver.olist__orders WHERE order_status = 'delivered'", Ct);
        var goldDelivered = await world.CountAsync("SELECT COUNT(*) FROM gold.fct_orders WHERE is_delivered", Ct);

        Assert.Equal(silver, gold);
        Assert.Equal(silver, await world.CountAsync("SELECT COUNT(*) FROM gold.fct_orders", Ct));
        Assert.Equal(delivered, goldDelivered);
    }

    [Fact]
    public async Task Kpis_AreConsistentWithTheFacts()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);

        var lateInFacts = await world.CountAsync("SELECT COUNT(*) FROM gold.fct_orders WHERE is_late", Ct);
        var lateRate = await world.ScalarAsync<double>("SELECT AVG(CASE WHEN is_late THEN 1.0 ELSE 0.0 END) FROM gold.fct_orders WHERE is_delivered AND delivered_to_customer_at IS NOT NULL", Ct);
        var scorecardOrders = await world.CountAsync("SELECT SUM(orders) FROM gold.kpi_seller_scorecard", Ct);
        var sellerOrderPairs = await world.CountAsync("SELECT COUNT(*) FROM (SELECT DISTINCT seller_id, order_id FROM gold.fct_order_items)", Ct);
        var days = await world.CountAsync("SELECT COUNT(*) FROM gold.dim_date", Ct);
        var first = await world.ScalarAsync<DateOnly>("SELECT MIN(date_day) FROM gold.dim_date", Ct);
        var last = await world.ScalarAsync<DateOnly>("SELECT MAX(date_day) FROM gold.dim_date", Ct);
        var firstPurchase = await world.ScalarAsync<DateOnly>("SELECT CAST(MIN(order_purchase_timestamp) AS DATE) FROM silver.olist__orders", Ct);
        var lastDelivery = await world.ScalarAsync<DateOnly>("SELECT CAST(MAX(order_delivered_customer_date) AS DATE) FROM silver.olist__orders", Ct);

        Assert.True(lateInFacts > 0, "the generator's late deliveries reach fct_orders");
        Assert.InRange(lateRate, 0.02, 0.25);
        Assert.Equal(sellerOrderPairs, scorecardOrders);
        Assert.Equal(new DateOnly(firstPurchase.Year, 1, 1), first);
        Assert.Equal(new DateOnly(lastDelivery.Year, 12, 31), last);
        Assert.Equal(last.DayNumber - first.DayNumber + 1, days);
    }

    [Fact]
    public void Exports_AreParquetWithTheModelsColumnsAndRows()
    {
        Assert.Equal(13, fixture.Exports.Count);
        var orders = fixture.FirstRun.Models.Single(m => m.Model == "fct_orders");
        Assert.Equal("gs://lake/gold/olist/fct_orders.parquet", orders.ExportUri);

        using var file = new ParquetFileReader(fixture.Exports["gold/olist/fct_orders.parquet"]);
        var schema = file.FileMetaData.Schema;
        Assert.Equal(orders.RowsWritten, file.FileMetaData.NumRows);
        Assert.Equal("order_id", schema.Column(0).Name);
        Assert.Equal(orders.BuildId, file.FileMetaData.KeyValueMetadata[GoldParquetExporter.BuildIdKey]);
        var payment = Enumerable.Range(0, schema.NumColumns).Select(schema.Column).Single(c => c.Name == "payment_value");
        Assert.Equal(18, payment.TypePrecision);
        Assert.Equal(2, payment.TypeScale);
        using var group = file.RowGroup(0);
        var values = group.Column(Enumerable.Range(0, schema.NumColumns).First(i => schema.Column(i).Name == "payment_value")).LogicalReader<decimal?>().ReadAll((int)group.MetaData.NumRows);
        Assert.True(values.Sum() > 1000m);
    }

    [Fact]
    public async Task FirstRun_RecordsRunBuildsAndQualityEventsInOps()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        var runId = fixture.FirstRun.RunId;

        var run = (await world.RowsAsync($"SELECT status, rows_written, message, len(outputs) AS outputs FROM ops.runs WHERE run_id = '{runId}'", Ct)).Single();
        var builds = await world.CountAsync($"SELECT COUNT(*) FROM ops.gold_builds WHERE run_id = '{runId}' AND status = 'published' AND input_state IS NOT NULL", Ct);
        var tests = fixture.FirstRun.Models.Sum(m => m.Tests.Count);
        var events = await world.CountAsync($"SELECT COUNT(*) FROM ops.quality_events WHERE run_id = '{runId}' AND table_name LIKE 'gold.%' AND outcome = 'passed'", Ct);
        var freshness = await world.CountAsync($"SELECT COUNT(*) FROM ops.quality_events WHERE run_id = '{runId}' AND rule = 'freshness'", Ct);

        Assert.Equal(RunStatus.Succeeded, run["status"]);
        Assert.Equal(fixture.FirstRun.Models.Sum(m => m.RowsWritten), run.Get<long>("rows_written"));
        Assert.Equal(13L, run.Get<long>("outputs"));
        Assert.Equal(13, builds);
        Assert.Equal(tests, events);
        Assert.Equal(9, freshness);
    }
}
