using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>The MERGE into silver across files, on the real DuckDB warehouse.</summary>
public sealed class LatestWinsTests
{
    private static readonly Dictionary<string, string> Contracts = new() { ["orders"] = SilverFunctionTests.OrdersContract };

    [Fact]
    public async Task Merge_NewerVersionWinsWhicheverFileArrivesFirst()
    {
        await using var home = new SilverHome(Contracts);
        var newer = await home.IngestAsync("shop/orders/b.csv", "order_id,status,updated_at,amount,email\nk1,closed,2024-03-01,30,\nk2,open,2024-01-01,20,\n");
        var older = await home.IngestAsync("shop/orders/a.csv", "order_id,status,updated_at,amount,email\nk1,open,2024-02-01,10,\nk2,closed,2024-02-01,21,\nk3,open,2024-02-01,1,\n");

        await home.DeliverAsync(newer);
        await home.DeliverAsync(older);

        var rows = await home.QueryAsync("SELECT order_id, status, amount FROM silver.shop__orders ORDER BY order_id");
        Assert.Equal(["k1|closed|30.00", "k2|closed|21.00", "k3|open|1.00"], rows.Select(r => string.Join("|", r.Values.Select(SilverHome.Text))));
    }

    [Fact]
    public async Task Merge_EqualOrdering_LaterIngestedFileWins()
    {
        await using var home = new SilverHome(Contracts);
        await home.LoadAsync("shop/orders/a.csv", "order_id,status,updated_at,amount,email\nk1,open,2024-02-01,10,\n");
        await home.LoadAsync("shop/orders/b.csv", "order_id,status,updated_at,amount,email\nk1,closed,2024-02-01,11,\n");

        var row = Assert.Single(await home.QueryAsync("SELECT status FROM silver.shop__orders"));
        Assert.Equal("closed", row["status"]);
    }

    [Fact]
    public async Task QuarantineBrowser_ListsGroupsAndShowsOriginalValues()
    {
        await using var home = new SilverHome(Contracts);
        await home.LoadAsync("shop/orders/a.csv", "order_id,status,updated_at,amount,email\nk1,lost,2024-02-01,10,x@y.com\nk2,open,2024-02-01,-1,\nk3,gone,2024-02-01,1,\n");
        var browser = home.Services.GetService(typeof(QuarantineBrowser)) as QuarantineBrowser;

        var groups = await browser!.SummarizeAsync(new TableRoute("shop", "orders"), SilverHome.Cancel);
        var entries = await browser.ListAsync(limit: 2, cancellationToken: SilverHome.Cancel);
        var shown = await browser.GetAsync(entries[0].Id, SilverHome.Cancel);

        Assert.Equal([("accepted_values(status)", 2L), ("range(amount)", 1L)], groups.Select(g => (g.Rule, g.Count)));
        Assert.Equal(2, entries.Count);
        Assert.NotNull(shown);
        Assert.Equal(entries[0].Reason, shown.Reason);
        Assert.Contains("\"order_id\":", shown.Record, StringComparison.Ordinal);
        Assert.Null(await browser.GetAsync("nope", SilverHome.Cancel));
        Assert.Empty(await browser.SummarizeAsync(new TableRoute("shop", "refunds"), SilverHome.Cancel));
    }
}
