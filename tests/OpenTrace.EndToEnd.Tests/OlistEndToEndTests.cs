using OpenTrace.Core.Samples;

namespace OpenTrace.EndToEnd.Tests;

/// <summary>The generated Olist files through <c>opentrace generate</c> and <c>ingest</c>, as a user with the real dataset would drop them.</summary>
public sealed class OlistEndToEndTests
{
    [Fact]
    public async Task NinePublishedFiles_DroppedAtTheBucketRoot_LandInTheirBronzeAndSilverTables()
    {
        using var cli = new LocalCli();
        var data = Path.Combine(cli.Data, "olist");
        var generated = await cli.RunAsync("generate", "--scale", "0.01", "--seed", "7", "--out", data);
        Assert.True(generated.ExitCode == 0, generated.Output);

        var (exit, output) = await cli.RunAsync("ingest", data);

        Assert.True(exit == 0, output);
        Assert.Contains("9 files, 0 rejected.", output, StringComparison.Ordinal);
        var summary = await new OlistGenerator(new OlistGeneratorOptions { Scale = 0.01, Seed = 7 }).WriteAsync(_ => Stream.Null, cancellationToken: TestContext.Current.CancellationToken);
        foreach (var file in OlistDataset.Files)
        {
            var bronze = await cli.QueryAsync($"select count(*), min(_source_uri) from bronze.olist__{file.Table}");
            Assert.Equal($"{summary.RowsFor(file.Table)},gs://bronze/{file.FileName}", Assert.Single(bronze));
            var silver = await cli.QueryAsync($"select count(*) > 0 from silver.olist__{file.Table}");
            Assert.Equal("true", Assert.Single(silver));
        }
    }

    [Fact]
    public async Task Demo_WithoutServing_BuildsEveryLayerAndSummarises()
    {
        using var cli = new LocalCli();

        var (exit, output) = await cli.RunAsync("demo", "--scale", "0.01", "--no-serve");

        Assert.True(exit == 0, output);
        Assert.Contains("9 files, 0 rejected.", output, StringComparison.Ordinal);
        Assert.Contains("Rows per layer and table", output, StringComparison.Ordinal);
        Assert.Contains("Time per stage", output, StringComparison.Ordinal);
        Assert.Equal(["13"], await cli.QueryAsync("select count(*) from information_schema.tables where table_schema = 'gold'"));
        // revenue in the KPI is what customers paid for sold orders (not canceled or unavailable, with items), to the cent
        var revenue = await cli.QueryAsync(
            "select (select sum(revenue) from gold.kpi_daily_sales) = (select sum(p.payment_value) from silver.olist__order_payments p " +
            "join silver.olist__orders o on o.order_id = p.order_id where o.order_status not in ('canceled', 'unavailable') " +
            "and o.order_id in (select order_id from silver.olist__order_items))");
        Assert.Equal(["true"], revenue);
        Assert.Equal(["true"], await cli.QueryAsync("select (select count(*) from gold.fct_orders) = (select count(*) from silver.olist__orders)"));
    }
}
