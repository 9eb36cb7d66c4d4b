using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Functions.Gold.Tests.Support;

namespace OpenTrace.Functions.Gold.Tests;

/// <summary>Write-audit-publish: a model that fails its tests never reaches gold; sources are checked first.</summary>
public sealed class GoldAuditTests(OlistGoldFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BrokenModel_LeavesThePreviousGoldTableUnchanged_AndRecordsTheFailingRows()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        var before = await world.DigestAsync(new("gold", "fct_orders"), Ct);
        var file = world.ModelFile("fct_orders");
        var text = await File.ReadAllTextAsync(file, Ct);
        // A join fan-out bug: every order appears once per payment row.
        await File.WriteAllTextAsync(file, text.Replace("LEFT JOIN latest_review AS r", "LEFT JOIN {{ source('silver', 'olist__order_payments') }} AS fan ON fan.order_id = o.order_id\nLEFT JOIN latest_review AS r", StringComparison.Ordinal), Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var orders = run.Models.Single(m => m.Model == "fct_orders");

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(GoldModelStatus.Failed, orders.Status);
        var unique = orders.Tests.Single(t => t.Name == "unique(order_id)");
        Assert.Equal("failed", unique.Outcome);
        Assert.True(unique.FailingRows > 0);
        Assert.InRange(unique.Sample.Count, 1, GoldSql.DefaultSampleRows);
        Assert.Contains("order_id", unique.Sample[0].Keys);
        Assert.Equal(before, await world.DigestAsync(new("gold", "fct_orders"), Ct));
        Assert.Equal(GoldModelStatus.Blocked, run.Models.Single(m => m.Model == "kpi_daily_sales").Status);
        Assert.Equal("upstream model fct_orders failed", run.Models.Single(m => m.Model == "fct_order_items").Reason);
        Assert.Equal("upstream model fct_order_items blocked", run.Models.Single(m => m.Model == "kpi_seller_scorecard").Reason);

        var failure = (await world.RowsAsync($"SELECT severity, failing_rows, sample, test_sql, model_file FROM ops.gold_test_failures WHERE run_id = '{run.RunId}' AND test = 'unique(order_id)'", Ct)).Single();
        Assert.Equal("error", failure["severity"]);
        Assert.Equal(unique.FailingRows, failure.Get<long>("failing_rows"));
        Assert.StartsWith("[{\"order_id\":", failure.Get<string>("sample"), StringComparison.Ordinal);
        Assert.Contains("gold_staging", failure.Get<string>("test_sql"), StringComparison.Ordinal);
        Assert.EndsWith("fct_orders.sql:13", failure.Get<string>("model_file"), StringComparison.Ordinal);
        Assert.Equal(1, await world.CountAsync($"SELECT COUNT(*) FROM ops.quality_events WHERE run_id = '{run.RunId}' AND table_name = 'gold.fct_orders' AND rule = 'unique(order_id)' AND outcome = 'failed'", Ct));
        Assert.True(await world.CountAsync("SELECT COUNT(*) FROM gold_staging.fct_orders", Ct) > await world.CountAsync("SELECT COUNT(*) FROM gold.fct_orders", Ct), "the failed build stays in staging for inspection");
    }

    [Fact]
    public async Task BrokenModel_FixedLater_PublishesOnTheNextRun()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        var file = world.ModelFile("dim_states");
        var original = await File.ReadAllTextAsync(file, Ct);
        await File.WriteAllTextAsync(file, original.Replace("UNION ALL SELECT 'TO', 'Tocantins', 'North'", "UNION ALL SELECT 'TO', 'Tocantins', 'Norte'", StringComparison.Ordinal), Ct);

        var broken = await world.Runner().RunAsync(cancellationToken: Ct);
        await File.WriteAllTextAsync(file, original, Ct);
        var fixedRun = await world.Runner().RunAsync(cancellationToken: Ct);

        Assert.Equal("failed", broken.Models.Single(m => m.Model == "dim_states").Tests.Single(t => t.Name == "accepted_values(region)").Outcome);
        Assert.Equal(RunStatus.Skipped, fixedRun.Status);
        Assert.Equal("North", await world.ScalarAsync<string>("SELECT region FROM gold.dim_states WHERE state_code = 'TO'", Ct));
    }

    [Fact]
    public async Task BrokenSql_FailsTheBuildWithTheModelFile_AndGoldStaysReadable()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        var file = world.ModelFile("dim_sellers");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, Ct)).Replace("s.seller_city,", "s.seller_town,", StringComparison.Ordinal), Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var sellers = run.Models.Single(m => m.Model == "dim_sellers");

        Assert.Equal(GoldModelStatus.Failed, sellers.Status);
        Assert.Contains("dim_sellers.sql: the build failed", sellers.Message, StringComparison.Ordinal);
        Assert.Contains("seller_town", sellers.Message, StringComparison.Ordinal);
        Assert.Equal(await world.CountAsync("SELECT COUNT(*) FROM silver.olist__sellers", Ct), await world.CountAsync("SELECT COUNT(*) FROM gold.dim_sellers", Ct));
    }

    [Fact]
    public async Task WarnTest_Failing_IsRecordedButTheModelIsPublished()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        await world.Warehouse.ExecuteAsync(
            "UPDATE silver.olist__order_reviews SET review_answer_timestamp = review_creation_date - INTERVAL 2 DAY, _lineage_id = '44444444444444444444444444444444' WHERE review_id IN (SELECT review_id FROM silver.olist__order_reviews ORDER BY review_id LIMIT 2)",
            cancellationToken: Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var reviews = run.Models.Single(m => m.Model == "fct_reviews");

        Assert.Equal(GoldModelStatus.Published, reviews.Status);
        var warned = reviews.Tests.Single(t => t.Name == "expression(answer_hours >= 0)");
        Assert.Equal("warned", warned.Outcome);
        Assert.Equal(2, warned.FailingRows);
        Assert.Equal(1, await world.CountAsync($"SELECT COUNT(*) FROM ops.gold_test_failures WHERE run_id = '{run.RunId}' AND severity = 'warn'", Ct));
        Assert.Contains("fct_reviews: expression(answer_hours >= 0) found 2 rows", await world.ScalarAsync<string>($"SELECT array_to_string(warnings, '|') FROM ops.runs WHERE run_id = '{run.RunId}'", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaleSource_BlocksTheModelsReadingIt()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        var later = new FixedTime(fixture.IngestedAt.AddDays(40));

        var run = await world.Runner(later).RunAsync(new GoldRunRequest { FullRefresh = true }, cancellationToken: Ct);

        var orders = run.Sources.Single(s => s.Source == "silver.olist__orders");
        Assert.Equal("failed", orders.Outcome);
        Assert.Contains("more than the 30 days error_after", orders.Message, StringComparison.Ordinal);
        Assert.Equal("passed", run.Sources.Single(s => s.Source == "silver.olist__geolocation").Outcome);
        Assert.Equal(GoldModelStatus.Published, run.Models.Single(m => m.Model == "dim_zip_prefixes").Status);
        Assert.Matches("^source silver.olist__(customers|orders): Newest row .* error_after", run.Models.Single(m => m.Model == "dim_customers").Reason);
        Assert.Equal(GoldModelStatus.Blocked, run.Models.Single(m => m.Model == "kpi_daily_sales").Status);
    }

    [Fact]
    public async Task MissingSilverTable_BlocksItsModels_WithAClearReason()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.SilverOnlyWarehouse);
        await world.Warehouse.ExecuteAsync("DROP TABLE silver.olist__sellers", cancellationToken: Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("Table silver.olist__sellers does not exist; the models reading it wait until silver has published it.", run.Sources.Single(s => s.Source == "silver.olist__sellers").Message);
        Assert.Equal(GoldModelStatus.Blocked, run.Models.Single(m => m.Model == "dim_sellers").Status);
        Assert.Equal(GoldModelStatus.Published, run.Models.Single(m => m.Model == "fct_orders").Status);
        Assert.Equal("upstream model dim_sellers blocked", run.Models.Single(m => m.Model == "fct_order_items").Reason);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
