using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Functions.Gold.Tests.Support;

namespace OpenTrace.Functions.Gold.Tests;

/// <summary>What a later run rebuilds: nothing without new silver data, changed partitions incrementally, a definition change in full.</summary>
public sealed class GoldRebuildTests(OlistGoldFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SecondRun_NoNewSilverData_RebuildsNothingAndSaysSo()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        var before = await world.DigestAsync(new("gold", "kpi_daily_sales"), Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Skipped, run.Status);
        Assert.Equal("Nothing to rebuild: all 13 selected models are up to date with their inputs.", run.Message);
        Assert.All(run.Models, m =>
        {
            Assert.Equal(GoldModelStatus.UpToDate, m.Status);
            Assert.Null(m.Mode);
            Assert.StartsWith("inputs unchanged since build " + fixture.FirstRun.RunId, m.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(before, await world.DigestAsync(new("gold", "kpi_daily_sales"), Ct));
        Assert.Equal(13, await world.CountAsync($"SELECT COUNT(*) FROM ops.gold_builds WHERE run_id = '{run.RunId}' AND status = 'up_to_date'", Ct));
        Assert.Equal(RunStatus.Skipped, await world.ScalarAsync<string>($"SELECT status FROM ops.runs WHERE run_id = '{run.RunId}'", Ct));
    }

    [Fact]
    public async Task ChangedPayments_RebuildDependentsOnly_KpiIncrementallyAndEqualToAFullBuild()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        // A new silver file corrects the payments of three orders: their rows now carry the new file's lineage id.
        await world.Warehouse.ExecuteAsync(
            """
            UPDATE silver.olist__order_payments
            SET payment_value = payment_value + 10, _lineage_id = '22222222222222222222222222222222'
            WHERE order_id IN (
              SELECT order_id FROM silver.olist__orders
              WHERE order_status = 'delivered' ORDER BY order_id LIMIT 3)
            """,
            cancellationToken: Ct);
        var days = await world.CountAsync(
            """
            SELECT COUNT(DISTINCT CAST(o.order_purchase_timestamp AS DATE)) FROM silver.olist__orders AS o
            WHERE o.order_id IN (SELECT order_id FROM silver.olist__order_payments WHERE _lineage_id = '22222222222222222222222222222222')
            """,
            Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var byModel = run.Models.ToDictionary(m => m.Model);
        var incremental = await world.DigestAsync(new("gold", "kpi_daily_sales"), Ct);
        var full = await world.Runner().RunAsync(new GoldRunRequest { Select = "kpi_daily_sales", FullRefresh = true }, cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(GoldModelStatus.UpToDate, byModel["dim_products"].Status);
        Assert.Equal(GoldModelStatus.UpToDate, byModel["dim_date"].Status);
        Assert.Equal(GoldModelStatus.Published, byModel["fct_payments"].Status);
        Assert.Equal("inputs changed: silver.olist__order_payments", byModel["fct_orders"].Reason);
        Assert.Equal("inputs changed: silver.olist__order_payments, fct_orders", byModel["fct_payments"].Reason);
        Assert.Equal(GoldModelStatus.Published, byModel["fct_orders"].Status);
        Assert.Equal(GoldBuildMode.Incremental, byModel["kpi_daily_sales"].Mode);
        Assert.Equal(days, byModel["kpi_daily_sales"].PartitionsReplaced);
        Assert.All(byModel["kpi_daily_sales"].Tests, t => Assert.Equal("passed", t.Outcome));
        Assert.Equal(GoldModelStatus.Published, full.Models.Single().Status);
        Assert.Equal(GoldBuildMode.Full, full.Models.Single().Mode);
        Assert.Equal(incremental, await world.DigestAsync(new("gold", "kpi_daily_sales"), Ct));
    }

    [Fact]
    public async Task NewOrder_IncrementalBuildAddsItsDay_AndRevenueStillReconciles()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        const string lineage = "33333333333333333333333333333333";
        // A copy of a delivered order placed on a day with no other sales, arriving in a new file.
        await world.Warehouse.ExecuteAsync(
            $"""
            CREATE TEMP TABLE source_order AS
              SELECT * FROM silver.olist__orders WHERE order_status = 'delivered' ORDER BY order_id LIMIT 1;
            INSERT INTO silver.olist__orders
              SELECT 'new-order' AS order_id, customer_id, order_status, order_purchase_timestamp + shift, order_approved_at + shift,
                     order_delivered_carrier_date + shift, order_delivered_customer_date + shift, order_estimated_delivery_date + shift,
                     '{lineage}', _source_uri, _source_generation, _row_number, _ingested_at
              FROM (SELECT *, to_days(CAST(DATE '2019-06-01' - CAST(order_purchase_timestamp AS DATE) AS INTEGER)) AS shift FROM source_order);
            INSERT INTO silver.olist__order_items
              SELECT 'new-order', order_item_id, product_id, seller_id, shipping_limit_date, price, freight_value,
                     '{lineage}', _source_uri, _source_generation, _row_number, _ingested_at
              FROM silver.olist__order_items WHERE order_id = (SELECT order_id FROM source_order);
            INSERT INTO silver.olist__order_payments
              SELECT 'new-order', payment_sequential, payment_type, payment_installments, payment_value,
                     '{lineage}', _source_uri, _source_generation, _row_number, _ingested_at
              FROM silver.olist__order_payments WHERE order_id = (SELECT order_id FROM source_order);
            """,
            cancellationToken: Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var sales = run.Models.Single(m => m.Model == "kpi_daily_sales");

        Assert.True(run.Status == RunStatus.Succeeded, run.Message + " " + string.Join("; ", run.Models.Where(m => m.Message is not null).Select(m => m.Model + ": " + m.Message)));
        Assert.Equal(GoldBuildMode.Incremental, sales.Mode);
        Assert.Equal(1, sales.PartitionsReplaced);
        Assert.Equal(1, await world.CountAsync("SELECT COUNT(DISTINCT sale_date) FROM gold.kpi_daily_sales WHERE sale_date = DATE '2019-06-01'", Ct));
        Assert.Contains(sales.Tests, t => t.Name == "revenue_reconciles_with_silver_payments" && t.Outcome == "passed");
    }

    [Fact]
    public async Task EditedModel_DefinitionChanged_RebuildsItInFullAndItsDependents()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        var file = world.ModelFile("dim_states");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, Ct)).Replace("'Tocantins'", "'Tocantins (TO)'", StringComparison.Ordinal), Ct);

        var run = await world.Runner().RunAsync(cancellationToken: Ct);
        var byModel = run.Models.ToDictionary(m => m.Model);

        Assert.Equal("definition changed", byModel["dim_states"].Reason);
        Assert.Equal(GoldModelStatus.Published, byModel["dim_customers"].Status);
        Assert.Contains("dim_states", byModel["dim_customers"].Reason, StringComparison.Ordinal);
        Assert.Equal(GoldModelStatus.UpToDate, byModel["dim_products"].Status);
        Assert.Equal("Tocantins (TO)", await world.ScalarAsync<string>("SELECT state_name FROM gold.dim_states WHERE state_code = 'TO'", Ct));
    }

    [Fact]
    public async Task Select_ModelPlus_RunsTheModelAndItsDescendantsOnly()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);

        var run = await world.Runner().RunAsync(new GoldRunRequest { Select = "fct_payments+", FullRefresh = true }, cancellationToken: Ct);

        Assert.Equal(["fct_payments"], run.Models.Select(m => m.Model));
        Assert.Equal(GoldModelStatus.Published, run.Models.Single().Status);
        Assert.Equal(["silver.olist__order_payments", "silver.olist__orders"], run.Sources.Select(s => s.Source));
    }
}
