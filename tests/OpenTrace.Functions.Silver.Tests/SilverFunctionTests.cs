using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;

namespace OpenTrace.Functions.Silver.Tests;

public sealed class SilverFunctionTests
{
    internal const string OrdersContract = """
        match: [orders*.csv]
        primary_key: [order_id]
        order_by: updated_at
        columns:
          - name: order_id
          - name: status
            case: lower
          - name: updated_at
            type: timestamp
          - name: amount
            type: decimal(12,2)
          - name: email
            pii: pseudonymize
        rules:
          - rule: accepted_values
            column: status
            values: [open, closed]
          - rule: range
            column: amount
            min: 0
        """;

    private static readonly Dictionary<string, string> Contracts = new() { ["orders"] = OrdersContract };

    [Fact]
    public async Task Deliver_BronzeObject_PublishesToSilverQuarantinesBadRowsAndReconciles()
    {
        await using var home = new SilverHome(Contracts);

        var bronze = await home.LoadAsync("shop/orders/2024-01.csv", """
            order_id,status,updated_at,amount,email
            a1,OPEN,2024-01-01 10:00:00,12.50,ana@example.com
            a2,lost,2024-01-01 10:00:00,1.00,
            a3,closed,2024-01-01 10:00:00,-1,
            a1,closed,2024-01-02 10:00:00,13.00,ana@example.com
            """);

        var rows = await home.QueryAsync("SELECT order_id, status, amount, email, _lineage_id FROM silver.shop__orders ORDER BY order_id");
        var row = Assert.Single(rows);
        Assert.Equal("a1", row["order_id"]);
        Assert.Equal("closed", row["status"]);
        Assert.Equal(13.00m, row.Get<decimal>("amount"));
        Assert.Equal(BronzeLineageOf(bronze), row["_lineage_id"]);
        Assert.Equal(32, row.Get<string>("email")!.Length);

        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Succeeded, run["status"]);
        Assert.Equal(4L, run["rows_read"]);
        Assert.Equal(1L, run["rows_written"]);
        Assert.Equal(2L, run["rows_quarantined"]);
        Assert.Equal(1L, run["rows_duplicate"]);

        var quarantined = await home.QuarantineAsync();
        Assert.Equal(["accepted_values(status)", "range(amount)"], quarantined.Select(q => q.Get<string>("rule")));
        Assert.All(quarantined, q => Assert.Equal("row", q["kind"]));
        Assert.Single(await home.ListAsync("quarantine/shop/orders/"));
        Assert.Single(await home.ListAsync("silver/shop/orders/"));
    }

    [Theory]
    [InlineData("silver/shop/orders/ingest_date=2024-01-01/0123456789abcdef0123456789abcdef.parquet")]
    [InlineData("quarantine/shop/orders/ingest_date=2024-01-01/0123456789abcdef0123456789abcdef.parquet")]
    [InlineData("bronze/shop/orders/not-a-partition/x.parquet")]
    [InlineData("gold/olist/kpis.parquet")]
    public async Task Deliver_AnythingButBronzeParquet_IsANoOp(string name)
    {
        await using var home = new SilverHome(Contracts);
        var obj = await home.Store.UploadAsync(SilverHome.LakeBucket, name, new MemoryStream([1, 2, 3]), cancellationToken: SilverHome.Cancel);

        await home.DeliverAsync(obj);

        Assert.Empty(await home.RunsAsync());
    }

    [Fact]
    public async Task Deliver_OtherEventTypeOrBucket_IsANoOp()
    {
        await using var home = new SilverHome(Contracts);
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", "order_id,status,updated_at,amount,email\na1,open,2024-01-01,1,\n");

        await home.DeliverAsync(bronze, type: "google.cloud.storage.object.v1.deleted");
        var other = await home.Store.UploadAsync(SilverHome.BronzeBucket, bronze.Name, new MemoryStream([1]), cancellationToken: SilverHome.Cancel);
        await home.DeliverAsync(other);

        Assert.Empty(await home.RunsAsync());
    }

    [Fact]
    public async Task Deliver_TableWithoutContract_LeavesTheFileInBronzeAndSaysSo()
    {
        await using var home = new SilverHome(Contracts);

        await home.LoadAsync("shop/refunds/2024-01.csv", "refund_id,amount\nr1,3\n");

        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Skipped, run["status"]);
        Assert.Contains("No contract for shop/refunds", run.Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(0, await home.CountAsync(SilverTables.TableFor(new TableRoute("shop", "refunds"))));
        Assert.Equal(1, await home.CountAsync(new Core.Warehouse.TableId("bronze", "shop__refunds")));
    }

    [Fact]
    public async Task Deliver_SameEventTwice_PublishesOnceAndRecordsADuplicate()
    {
        await using var home = new SilverHome(Contracts);
        var bronze = await home.IngestAsync("shop/orders/2024-01.csv", "order_id,status,updated_at,amount,email\na1,open,2024-01-01,1,\na2,open,2024-01-01,2,\n");

        await home.DeliverAsync(bronze);
        await home.DeliverAsync(bronze);

        Assert.Equal(2, await home.CountAsync(SilverTables.TableFor(new TableRoute("shop", "orders"))));
        Assert.Equal([RunStatus.Succeeded, RunStatus.Duplicate], (await home.RunsAsync()).Select(r => r.Get<string>("status")));
    }

    private static string BronzeLineageOf(Core.Storage.ObjectInfo bronze) => Core.LakePaths.ParseBronze(bronze.Name)!.LineageId;
}
