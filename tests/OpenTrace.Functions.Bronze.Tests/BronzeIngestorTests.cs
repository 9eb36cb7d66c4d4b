using OpenTrace.Core;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Bronze.Tests;

public sealed class BronzeIngestorTests
{
    [Fact]
    public async Task Ingest_GzipSemicolonFile_ReturnsWhatItReadAndWhereItWrote()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("sales/items/part-1.csv", "gzip-unnamed.csv");

        var result = await home.Ingestor.IngestAsync(new BronzeRequest("bronze", obj.Name, obj.Generation, "event-1"), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(new TableRoute("sales", "items"), result.Route);
        Assert.Equal(new TableId("bronze", "sales__items"), result.Table);
        Assert.Equal("csv(';') gzip utf-8", result.Source?.ToString());
        Assert.Equal((1L, 1L, 0L, obj.Size), (result.RowsRead, result.RowsWritten, result.FlaggedRows, result.BytesRead));
        Assert.Equal(Lineage.IdFor("bronze", obj.Name, obj.Generation), result.LineageId);
        Assert.Empty(result.Warnings);
        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal((result.RunId, "event-1"), (run.Get<string>("run_id"), run.Get<string>("event_id")));
        var date = run.Get<DateTimeOffset>("started_at").UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"gs://lake/bronze/sales/items/ingest_date={date}/{result.LineageId}.parquet", result.OutputUri);
    }

    [Fact]
    public async Task Ingest_OnTheEmbeddedWarehouse_ReadsTheBronzeParquetInPlace()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("sales/items/part-1.csv", "gzip-unnamed.csv");

        var result = await home.Ingestor.IngestAsync(new BronzeRequest("bronze", obj.Name, obj.Generation, "event-1"), TestContext.Current.CancellationToken);

        // Bronze objects are create-only, so the load names them immutable and DuckDB keeps a link instead of a copy.
        var file = Assert.Single(await home.QueryAsync("SELECT destination, job_id FROM ops.table_files"));
        Assert.Equal(("bronze.sales__items", BronzeIngestor.LoadJobId(result.LineageId!)), (file.Get<string>("destination"), file.Get<string>("job_id")));
        Assert.Single(await home.QueryAsync("SELECT * FROM duckdb_views() WHERE schema_name = 'bronze' AND view_name = 'sales__items'"));
        Assert.Equal(1L, Assert.Single(await home.QueryAsync("SELECT count(*) AS n FROM bronze.sales__items")).Get<long>("n"));
    }

    [Fact]
    public async Task Ingest_UnreadableThenRedelivered_ReturnsTheQuarantineThenADuplicate()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("sales/items/header-only.csv", "header-only.csv");
        var request = new BronzeRequest("bronze", obj.Name, obj.Generation);

        var first = await home.Ingestor.IngestAsync(request, TestContext.Current.CancellationToken);
        var second = await home.Ingestor.IngestAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal((RunStatus.Quarantined, BronzeRules.NoRows), (first.Status, first.QuarantineRule));
        Assert.Equal("gs://bronze/sales/items/header-only.csv, rule format.no_rows: it has a header (3 columns: order_id, customer_id, order_status) but no data rows.", first.Message);
        Assert.Null(first.Table);
        Assert.Equal(RunStatus.Duplicate, second.Status);
        Assert.Contains(first.RunId, second.Message, StringComparison.Ordinal);
        Assert.Contains("quarantined", second.Message, StringComparison.Ordinal);
    }
}
