using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>Schema drift, fail thresholds and replay after a contract change, through the function on the embedded adapters.</summary>
public sealed class FileLevelTests
{
    private static readonly Dictionary<string, string> Contracts = new() { ["orders"] = SilverFunctionTests.OrdersContract };
    private static readonly TableId Orders = SilverTables.TableFor(new TableRoute("shop", "orders"));

    [Fact]
    public async Task AdditiveColumn_IsCarriedIntoSilverAndRecordedAsDrift()
    {
        await using var home = new SilverHome(Contracts);

        await home.LoadAsync("shop/orders/2024-02.csv", """
            order_id,status,updated_at,amount,email,Coupon Code
            a1,open,2024-02-01,1.00,,WELCOME10
            a2,open,2024-02-01,2.00,,write to ze@mail.com
            """);

        var rows = await home.QueryAsync("SELECT order_id, Coupon_Code FROM silver.shop__orders ORDER BY order_id");
        Assert.Equal(["WELCOME10", "write to [email]"], rows.Select(r => r.Get<string>("Coupon_Code")));
        var drift = Assert.Single(await home.QualityAsync(), e => e.Get<string>("rule") == "schema_drift");
        Assert.Equal("warned", drift["outcome"]);
        Assert.Contains("Coupon Code", drift.Get<string>("message"), StringComparison.Ordinal);
        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Succeeded, run["status"]);
        Assert.Contains(SilverHome.Strings(run["warnings"]), w => w.Contains("Coupon_Code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MissingRequiredColumn_QuarantinesTheFileNamingTheColumn()
    {
        await using var home = new SilverHome(Contracts);

        await home.LoadAsync("shop/orders/2024-02.csv", "order_id,updated_at,amount,email\na1,2024-02-01,1.00,\n");

        await AssertFileQuarantinedAsync(home, "schema_drift(status)", "required column 'status' is missing");
    }

    [Fact]
    public async Task IncompatibleType_QuarantinesTheFileNamingTheColumn()
    {
        await using var home = new SilverHome(Contracts);

        await home.LoadAsync("shop/orders/2024-02.csv", """
            order_id,status,updated_at,amount,email
            a1,open,2024-02-01,R$ 1,00,
            a2,open,2024-02-01,"R$ 2,50",
            a3,open,2024-02-01,3.00,
            """.Replace("R$ 1,00", "\"R$ 1,00\"", StringComparison.Ordinal));

        await AssertFileQuarantinedAsync(home, "schema_drift(amount)", "column 'amount' is incompatible with decimal(12,2): 2 of 3 values do not parse");
    }

    [Fact]
    public async Task FailRuleOverItsThreshold_QuarantinesTheWholeFile_UnderItDropsTheRows()
    {
        var contract = SilverFunctionTests.OrdersContract.Replace(
            "    values: [open, closed]",
            "    values: [open, closed]\n    severity: fail\n    threshold: 25%",
            StringComparison.Ordinal);
        await using var home = new SilverHome(new Dictionary<string, string> { ["orders"] = contract });

        await home.LoadAsync("shop/orders/2024-02.csv", "order_id,status,updated_at,amount,email\na1,open,2024-02-01,1,\na2,lost,2024-02-01,1,\na3,open,2024-02-01,1,\na4,open,2024-02-01,1,\n");
        await home.LoadAsync("shop/orders/2024-03.csv", "order_id,status,updated_at,amount,email\nb1,open,2024-03-01,1,\nb2,lost,2024-03-01,1,\nb3,gone,2024-03-01,1,\n");

        Assert.Equal(["a1", "a3", "a4"], (await home.QueryAsync("SELECT order_id FROM silver.shop__orders ORDER BY 1")).Select(r => r.Get<string>("order_id")));
        Assert.Equal([RunStatus.Succeeded, RunStatus.Quarantined], (await home.RunsAsync()).Select(r => r.Get<string>("status")));
        var quarantine = await home.QuarantineAsync();
        Assert.Contains(quarantine, q => q.Get<string>("kind") == "row" && q.Get<long>("row_number") == 2);
        var file = Assert.Single(quarantine, q => q.Get<string>("kind") == "file");
        Assert.Equal("accepted_values(status)", file["rule"]);
        Assert.Contains("2 of 3 rows (66.67%) violate it", file.Get<string>("reason"), StringComparison.Ordinal);
        Assert.Empty(await home.ListAsync("silver/shop/orders/ingest_date=" + DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "/" + file.Get<string>("lineage_id")));
    }

    [Fact]
    public async Task Replay_AfterAContractChange_AppliesTheNewContractIdempotently()
    {
        await using var home = new SilverHome(Contracts);
        await home.LoadAsync("shop/orders/2024-02.csv", "order_id,status,updated_at,amount,email\na1,open,2024-02-01,1,\na2,pending,2024-02-01,2,\n");
        Assert.Equal(1, await home.CountAsync(Orders));

        await home.ReopenAsync(new Dictionary<string, string>
        {
            ["orders"] = SilverFunctionTests.OrdersContract.Replace("values: [open, closed]", "values: [open, closed, pending]", StringComparison.Ordinal),
        });
        var first = await home.Replayer.ReplayAsync(new TableRoute("shop", "orders"), cancellationToken: SilverHome.Cancel);
        var afterFirst = await home.SnapshotAsync(Orders);
        var second = await home.Replayer.ReplayAsync(new TableRoute("shop", "orders"), since: DateOnly.FromDateTime(DateTime.UtcNow), cancellationToken: SilverHome.Cancel);

        Assert.Equal(2, first.RowsPublished);
        Assert.Equal(1, second.Files);
        Assert.Equal(["a1", "a2"], (await home.QueryAsync("SELECT order_id FROM silver.shop__orders ORDER BY 1")).Select(r => r.Get<string>("order_id")));
        Assert.Equal(afterFirst, await home.SnapshotAsync(Orders));
        Assert.Empty(await home.QuarantineAsync());
    }

    [Fact]
    public async Task Replay_UnderAStricterContract_WithdrawsRowsTheOldOneLetThrough()
    {
        await using var home = new SilverHome(Contracts);
        await home.LoadAsync("shop/orders/2024-02.csv", "order_id,status,updated_at,amount,email\na1,open,2024-02-01,1,\na2,closed,2024-02-01,2,\n");

        await home.ReopenAsync(new Dictionary<string, string>
        {
            ["orders"] = SilverFunctionTests.OrdersContract.Replace("values: [open, closed]", "values: [open]", StringComparison.Ordinal),
        });
        await home.Replayer.ReplayAsync(new TableRoute("shop", "orders"), since: DateOnly.MinValue, cancellationToken: SilverHome.Cancel);

        Assert.Equal(["a1"], (await home.QueryAsync("SELECT order_id FROM silver.shop__orders")).Select(r => r.Get<string>("order_id")));
        Assert.Equal(["accepted_values(status)"], (await home.QuarantineAsync()).Select(q => q.Get<string>("rule")));
    }

    private static async Task AssertFileQuarantinedAsync(SilverHome home, string rule, string reason)
    {
        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Quarantined, run["status"]);
        var record = Assert.Single(await home.QuarantineAsync());
        Assert.Equal("file", record["kind"]);
        Assert.Equal(rule, record["rule"]);
        Assert.Contains(reason, record.Get<string>("reason"), StringComparison.Ordinal);
        Assert.Equal(0, await home.CountAsync(Orders));
        Assert.Empty(await home.ListAsync("silver/"));
        var events = await home.QualityAsync();
        Assert.Contains(events, e => e.Get<string>("rule") == rule && e.Get<string>("outcome") == "failed");
    }
}
