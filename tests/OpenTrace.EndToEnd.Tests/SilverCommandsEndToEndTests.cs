namespace OpenTrace.EndToEnd.Tests;

/// <summary><c>opentrace quarantine</c> and <c>replay</c> over dirty generated data.</summary>
public sealed class SilverCommandsEndToEndTests
{
    [Fact]
    public async Task Quarantine_ListsRejectedRowsWithReasons_AndShowPrintsTheOriginalValues()
    {
        using var cli = new LocalCli();
        var data = Path.Combine(cli.Data, "olist");
        await cli.RunAsync("generate", "--scale", "0.01", "--seed", "3", "--dirty", "--out", data);
        var ingest = await cli.RunAsync("ingest", Path.Combine(data, "olist_orders_dataset.csv"));
        Assert.True(ingest.ExitCode == 0, ingest.Output);

        var (exit, list) = await cli.RunAsync("quarantine", "list", "--table", "olist/orders");

        Assert.True(exit == 0, list);
        var id = Assert.Single(await cli.QueryAsync("select quarantine_id from ops.quarantine where kind = 'row' order by quarantine_id limit 1"));
        Assert.Contains(id, list, StringComparison.Ordinal);
        var (showExit, show) = await cli.RunAsync("quarantine", "show", id);
        Assert.True(showExit == 0, show);
        var original = Assert.Single(await cli.QueryAsync($"select json_extract_string(record, '$.order_id') from ops.quarantine where quarantine_id = '{id}'"));
        Assert.Contains(original, show, StringComparison.Ordinal);
        var reason = Assert.Single(await cli.QueryAsync($"select rule from ops.quarantine where quarantine_id = '{id}'"));
        Assert.Contains(reason, show, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_Twice_LeavesTheSilverTableUnchanged()
    {
        using var cli = new LocalCli();
        var data = Path.Combine(cli.Data, "olist");
        await cli.RunAsync("generate", "--scale", "0.01", "--seed", "5", "--dirty", "--out", data);
        await cli.RunAsync("ingest", Path.Combine(data, "olist_orders_dataset.csv"));
        const string Fingerprint =
            "select count(*), bit_xor(hash(order_id, order_status, order_purchase_timestamp, order_delivered_customer_date, _lineage_id, _row_number)) from silver.olist__orders";
        var before = await cli.QueryAsync(Fingerprint);

        var first = await cli.RunAsync("replay", "olist/orders");
        var afterFirst = await cli.QueryAsync(Fingerprint);
        var second = await cli.RunAsync("replay", "olist/orders");
        var afterSecond = await cli.QueryAsync(Fingerprint);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(before, afterFirst);
        Assert.Equal(before, afterSecond);
    }

    [Fact]
    public async Task Replay_TableWithoutAContract_IsAClearError()
    {
        using var cli = new LocalCli();

        var (exit, output) = await cli.RunAsync("replay", "olist/no_such_table");

        Assert.NotEqual(0, exit);
        Assert.Contains("no_such_table", output, StringComparison.Ordinal);
    }
}
