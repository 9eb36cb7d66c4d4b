using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>
/// Exactly-once effects on an at-least-once trigger: a delivery that dies part-way leaves nothing partial or
/// doubled behind, and the redelivered event finishes the work.
/// </summary>
public sealed class FaultInjectionTests
{
    private const string Csv = """
        order_id,status,updated_at,amount,email
        a1,open,2024-01-01 10:00:00,12.50,ana@example.com
        a2,lost,2024-01-01 10:00:00,1.00,
        a3,closed,2024-01-01 10:00:00,3.00,bia@example.com
        a1,closed,2024-01-02 10:00:00,13.00,ana@example.com
        a4,open,2024-01-03 10:00:00,-4,
        """;

    private static readonly Dictionary<string, string> Contracts = new() { ["orders"] = SilverFunctionTests.OrdersContract };
    private static readonly TableId Orders = SilverTables.TableFor(new TableRoute("shop", "orders"));

    [Fact]
    public async Task CrashBetweenParquetAndMerge_LeavesNoPartialOrDuplicateEffect_AndTheRetryCompletes()
    {
        var expected = await CleanRunAsync();
        FaultyWarehouse faulty = null!;
        await using var home = new SilverHome(Contracts, inner => faulty = new FaultyWarehouse(inner));
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", Csv);
        faulty.CrashBeforeStatement = sql => sql.StartsWith("MERGE", StringComparison.Ordinal);

        await Assert.ThrowsAsync<InjectedCrashException>(() => home.DeliverAsync(bronze));

        // The Parquet files are written whole, once; nothing reached the silver table or ops.quarantine.
        Assert.Equal(1, faulty.Crashes);
        Assert.Single(await home.ListAsync("silver/shop/orders/"));
        Assert.Single(await home.ListAsync("quarantine/shop/orders/"));
        Assert.Equal(0, await home.CountAsync(Orders));
        Assert.Empty(await home.QuarantineAsync());
        Assert.Equal([RunStatus.Failed], (await home.RunsAsync()).Select(r => r.Get<string>("status")));

        await home.DeliverAsync(bronze);

        Assert.Equal(expected.Rows, await BusinessRowsAsync(home));
        Assert.Equal(expected.Quarantine, await QuarantineRulesAsync(home));
        Assert.Single(await home.ListAsync("silver/shop/orders/"));
        Assert.Single(await home.ListAsync("quarantine/shop/orders/"));
        Assert.Equal([RunStatus.Failed, RunStatus.Succeeded], (await home.RunsAsync()).Select(r => r.Get<string>("status")));
        Assert.Empty(await StagedLeftoversAsync(home));
    }

    [Fact]
    public async Task CrashBeforeStaging_PublishesNothing_AndTheRetryCompletes()
    {
        var expected = await CleanRunAsync();
        FaultyWarehouse faulty = null!;
        await using var home = new SilverHome(Contracts, inner => faulty = new FaultyWarehouse(inner));
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", Csv);
        faulty.CrashBeforeStage = _ => true;

        await Assert.ThrowsAsync<InjectedCrashException>(() => home.DeliverAsync(bronze));

        Assert.Equal(1, faulty.Crashes);
        Assert.Equal(0, await home.CountAsync(Orders));
        Assert.Empty(await home.QuarantineAsync());

        await home.DeliverAsync(bronze);

        Assert.Equal(expected.Rows, await BusinessRowsAsync(home));
        Assert.Equal(expected.Quarantine, await QuarantineRulesAsync(home));
        Assert.Empty(await StagedLeftoversAsync(home));
    }

    [Theory]
    [InlineData("after the merge, before the staged files are dropped", null)]
    [InlineData("after the merge, before old quarantine records are cleared", "DELETE FROM \"ops\".\"quarantine\"")]
    public async Task CrashAfterMerge_RetryDoesNotDuplicateAnything(string when, string? statement)
    {
        _ = when;
        var expected = await CleanRunAsync();
        FaultyWarehouse faulty = null!;
        await using var home = new SilverHome(Contracts, inner => faulty = new FaultyWarehouse(inner));
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", Csv);
        if (statement is null)
        {
            faulty.CrashBeforeDropStaged = _ => true;
        }
        else
        {
            faulty.CrashBeforeStatement = sql => sql.StartsWith(statement, StringComparison.Ordinal);
        }

        await Assert.ThrowsAsync<InjectedCrashException>(() => home.DeliverAsync(bronze));
        await home.DeliverAsync(bronze);

        Assert.Equal(1, faulty.Crashes);
        Assert.Equal(expected.Rows, await BusinessRowsAsync(home));
        Assert.Equal(expected.Quarantine, await QuarantineRulesAsync(home));
    }

    [Fact]
    public async Task CrashBeforeQuarantineLoad_RetryLoadsTheRowsOnce()
    {
        var expected = await CleanRunAsync();
        FaultyWarehouse faulty = null!;
        await using var home = new SilverHome(Contracts, inner => faulty = new FaultyWarehouse(inner));
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", Csv);
        faulty.CrashBeforeLoad = load => load.Destination == OpsLog.Quarantine;

        await Assert.ThrowsAsync<InjectedCrashException>(() => home.DeliverAsync(bronze));
        await home.DeliverAsync(bronze);

        Assert.Equal(expected.Rows, await BusinessRowsAsync(home));
        Assert.Equal(expected.Quarantine, await QuarantineRulesAsync(home));
    }

    [Fact]
    public async Task WarehouseCountingFewerStagedRowsThanWritten_FailsTheRunAndPublishesNothing()
    {
        FaultyWarehouse faulty = null!;
        await using var home = new SilverHome(Contracts, inner => faulty = new FaultyWarehouse(inner));
        faulty.AlterStage = (_, result) => result with { Rows = result.Rows - 1 };

        await home.LoadAsync("shop/orders/2024-01.csv", Csv);

        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Failed, run["status"]);
        Assert.Contains("Reconciliation failed after the warehouse load: read 5 = published 1 + quarantined 2 + duplicates 1 does not hold (off by 1)", run.Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(0, await home.CountAsync(Orders));
        Assert.Empty(await StagedLeftoversAsync(home));
    }

    /// <summary>Staged relations (tables or views) still in the warehouse.</summary>
    private static async Task<List<WarehouseRow>> StagedLeftoversAsync(SilverHome home) =>
        await home.QueryAsync("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'silver_staging%' UNION ALL SELECT view_name FROM duckdb_views() WHERE view_name LIKE 'silver_staging%'");

    private static async Task<(List<string> Rows, List<string> Quarantine)> CleanRunAsync()
    {
        await using var clean = new SilverHome(Contracts);
        await clean.LoadAsync("shop/orders/2024-01.csv", Csv);
        return (await BusinessRowsAsync(clean), await QuarantineRulesAsync(clean));
    }

    private static async Task<List<string>> BusinessRowsAsync(SilverHome home) =>
        (await home.QueryAsync("SELECT order_id, status, updated_at, amount, email, _row_number FROM silver.shop__orders ORDER BY order_id"))
        .Select(r => string.Join("|", r.Values.Select(SilverHome.Text))).ToList();

    private static async Task<List<string>> QuarantineRulesAsync(SilverHome home) =>
        (await home.QuarantineAsync()).Select(q => $"{q["row_number"]}|{q["rule"]}|{q["reason"]}|{q["record"]}").ToList();
}
