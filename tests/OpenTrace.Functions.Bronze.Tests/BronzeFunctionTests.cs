using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Bronze.Tests;

public sealed class BronzeFunctionTests
{
    private static readonly TableId Customers = new("bronze", "olist__customers");

    [Fact]
    public async Task Handle_CsvUnderDomainAndTable_LoadsEveryValueAsTextWithLineage()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/2024-05/customers.csv", "comma.csv");

        await home.HandleAsync(obj);

        var rows = await home.QueryAsync(
            "SELECT customer_id, customer_zip_code_prefix, customer_city, _lineage_id, _source_uri, _source_generation, _row_number, _ingested_at, _row_issue, _extra_fields " +
            "FROM bronze.olist__customers ORDER BY _row_number");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["01409", "09790", "01151"], rows.Select(r => r.Get<string>("customer_zip_code_prefix")));
        Assert.Equal(["franca", "sao bernardo do campo", ""], rows.Select(r => r.Get<string>("customer_city")));
        Assert.All(rows, r =>
        {
            Assert.Equal(Lineage.IdFor("bronze", obj.Name, obj.Generation), r.Get<string>("_lineage_id"));
            Assert.Equal("gs://bronze/olist/customers/2024-05/customers.csv", r.Get<string>("_source_uri"));
            Assert.Equal(obj.Generation, r.Get<long>("_source_generation"));
            Assert.Null(r["_row_issue"]);
            Assert.Null(r["_extra_fields"]);
            Assert.InRange(r.Get<DateTimeOffset>("_ingested_at"), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        });
        Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Get<long>("_row_number")));

        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Succeeded, run.Get<string>("status"));
        Assert.Equal("bronze", run.Get<string>("function"));
        Assert.Equal(("olist", "customers"), (run.Get<string>("domain"), run.Get<string>("table_name")));
        Assert.Equal((3L, 3L), (run.Get<long>("rows_read"), run.Get<long>("rows_written")));
        Assert.Equal(obj.Size, run.Get<long>("bytes_read"));
        var output = Assert.Single(BronzeHome.Strings(run["outputs"]));
        var lakeObjects = await home.Store.ListAsync("lake", "bronze/olist/customers/", TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(output, Assert.Single(lakeObjects).Uri);
        Assert.EndsWith($"/{Lineage.IdFor("bronze", obj.Name, obj.Generation)}.parquet", output, StringComparison.Ordinal);
        Assert.Empty(await home.QuarantineAsync());
    }

    [Fact]
    public async Task Handle_SameEventTwice_WritesRowsOnceAndRecordsTheSecondAsDuplicate()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");

        await home.HandleAsync(obj);
        await home.HandleAsync(obj);

        Assert.Equal(3, await home.CountAsync(Customers));
        var runs = await home.RunsAsync();
        Assert.Equal([RunStatus.Succeeded, RunStatus.Duplicate], runs.Select(r => r.Get<string>("status")));
        Assert.Contains("already ingested", runs[1].Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(0, runs[1].Get<long>("rows_written"));
    }

    [Fact]
    public async Task Handle_SameEventTwiceAtOnce_WritesRowsOnce()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");
        var (cloudEvent, data) = BronzeHome.Finalized(obj);

        var deliveries = await Concurrently.RunAsync(2, async _ =>
        {
            await home.Function.HandleAsync(cloudEvent, data, TestContext.Current.CancellationToken);
            return true;
        });
        Assert.All(deliveries, d => Assert.True(d.Succeeded || d.Error is TransientException, d.Error?.ToString()));
        if (deliveries.Any(d => !d.Succeeded))
        {
            // The host answered 503 to the delivery that found the claim held; Eventarc delivers it again.
            await home.Function.HandleAsync(cloudEvent, data, TestContext.Current.CancellationToken);
        }

        Assert.Equal(3, await home.CountAsync(Customers));
        var statuses = (await home.RunsAsync()).Select(r => r.Get<string>("status")).ToList();
        Assert.Equal(1, statuses.Count(s => s == RunStatus.Succeeded));
        Assert.Equal(1, statuses.Count(s => s == RunStatus.Duplicate));
    }

    [Fact]
    public async Task Handle_NewGenerationOfTheSameNameWithNewContent_IsIngestedAsANewFile()
    {
        await using var home = new BronzeHome();
        var first = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");
        await home.HandleAsync(first);

        var changed = File.ReadAllText(BronzeHome.SamplePath("comma.csv")) + "7a1b2c3d4e5f60718293a4b5c6d7e8f9,13023,campinas,SP\n";
        var second = await home.DropAsync("olist/customers/customers.csv", System.Text.Encoding.UTF8.GetBytes(changed));
        await home.HandleAsync(second);

        Assert.NotEqual(first.Generation, second.Generation);
        var lineages = await home.QueryAsync("SELECT _lineage_id, count(*) AS n FROM bronze.olist__customers GROUP BY _lineage_id ORDER BY n");
        Assert.Equal([3L, 4L], lineages.Select(l => l.Get<long>("n")));
    }

    [Theory]
    [InlineData("olist/customers/customers.csv")]
    [InlineData("olist/customers/customers-copy.csv")]
    public async Task Handle_SameContentDroppedAgain_LeavesTheRowCountAndRecordsADuplicate(string secondName)
    {
        await using var home = new BronzeHome();
        var first = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");
        await home.HandleAsync(first);

        var second = await home.DropSampleAsync(secondName, "comma.csv");
        await home.HandleAsync(second);

        Assert.Equal(3, await home.CountAsync(Customers));
        var runs = await home.RunsAsync();
        Assert.Equal([RunStatus.Succeeded, RunStatus.Duplicate], runs.Select(r => r.Get<string>("status")));
        Assert.Contains("same content", runs[1].Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(second.Generation, runs[1].Get<long>("source_generation"));
    }

    [Fact]
    public async Task Handle_SameContentAfterItWasQuarantined_IsEvaluatedAgain()
    {
        await using var home = new BronzeHome();
        var first = await home.DropSampleAsync("olist/customers/header-only.csv", "header-only.csv");
        await home.HandleAsync(first);
        var second = await home.DropSampleAsync("olist/customers/header-only-again.csv", "header-only.csv");
        await home.HandleAsync(second);

        var statuses = (await home.RunsAsync()).Select(r => r.Get<string>("status"));
        Assert.Equal([RunStatus.Quarantined, RunStatus.Quarantined], statuses);
    }

    [Theory]
    [InlineData("empty.csv", BronzeRules.Empty, "the file is empty (0 bytes)")]
    [InlineData("binary.csv", BronzeRules.Binary, "not a text file")]
    [InlineData("truncated.csv.gz", BronzeRules.GzipTruncated, "the gzip stream is truncated")]
    [InlineData("invalid.json", BronzeRules.JsonInvalid, "not valid JSON")]
    [InlineData("invalid.ndjson", BronzeRules.JsonInvalid, "not valid JSON (line 4")]
    [InlineData("header-only.csv", BronzeRules.NoRows, "no data rows")]
    [InlineData("corrupt.parquet", BronzeRules.ParquetCorrupt, "not a readable Parquet file")]
    [InlineData("unclosed-quote.csv", BronzeRules.CsvMalformed, "cannot be split into records")]
    public async Task Handle_FileThatCanNeverBeRead_IsQuarantinedWithAReadableReasonAndReturns(string sample, string rule, string reason)
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync($"olist/customers/{sample}", sample);

        await home.HandleAsync(obj); // returns normally: the host answers 2xx and Eventarc does not retry

        var quarantined = Assert.Single(await home.QuarantineAsync());
        Assert.Equal(("bronze", "file", rule), (quarantined.Get<string>("layer"), quarantined.Get<string>("kind"), quarantined.Get<string>("rule")));
        var message = quarantined.Get<string>("reason")!;
        Assert.StartsWith($"gs://bronze/olist/customers/{sample}", message, StringComparison.Ordinal);
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Equal(("olist", "customers"), (quarantined.Get<string>("domain"), quarantined.Get<string>("table_name")));
        Assert.Equal($"gs://bronze/olist/customers/{sample}#{obj.Generation}", quarantined.Get<string>("object_uri"));
        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Quarantined, run.Get<string>("status"));
        Assert.Equal(message, run.Get<string>("message"));
        Assert.Equal(0, await home.CountAsync(Customers));
    }

    [Fact]
    public async Task Handle_QuarantinedFileDeliveredAgain_IsADuplicateNotASecondQuarantine()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/empty.csv", "empty.csv");

        await home.HandleAsync(obj);
        await home.HandleAsync(obj);

        Assert.Single(await home.QuarantineAsync());
        Assert.Equal([RunStatus.Quarantined, RunStatus.Duplicate], (await home.RunsAsync()).Select(r => r.Get<string>("status")));
    }

    [Fact]
    public async Task Handle_NameThatRoutesNowhere_IsQuarantinedWithHowToNameIt()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("loose-file.csv", "comma.csv");

        await home.HandleAsync(obj);

        var quarantined = Assert.Single(await home.QuarantineAsync());
        Assert.Equal(BronzeRules.Unroutable, quarantined.Get<string>("rule"));
        Assert.Contains("gs://bronze/loose-file.csv", quarantined.Get<string>("reason"), StringComparison.Ordinal);
        Assert.Contains("<domain>/<table>/", quarantined.Get<string>("reason"), StringComparison.Ordinal);
        Assert.Null(quarantined["domain"]);
    }

    [Fact]
    public async Task Handle_FileNamedLikeAContractGlob_LandsInThatContractsTable()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropAsync("uploads/olist_orders_dataset.csv", "order_id,order_status\ne481f51c,delivered\n"u8.ToArray());

        await home.HandleAsync(obj);

        var row = Assert.Single(await home.QueryAsync("SELECT order_id, order_status FROM bronze.olist__orders"));
        Assert.Equal(("e481f51c", "delivered"), (row.Get<string>("order_id"), row.Get<string>("order_status")));
    }

    [Fact]
    public async Task Handle_RaggedRows_AreKeptFlaggedAndCountedInTheRunWarnings()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/ragged.csv", "ragged.csv");

        await home.HandleAsync(obj);

        var rows = await home.QueryAsync("SELECT a, b, c, _row_issue, _extra_fields FROM bronze.olist__customers ORDER BY _row_number");
        Assert.Equal(4, rows.Count);
        Assert.Equal(("4", "5", null), (rows[1].Get<string>("a"), rows[1].Get<string>("b"), rows[1].Get<string>("c")));
        Assert.Contains("has 2 fields but the header has 3", rows[1].Get<string>("_row_issue"), StringComparison.Ordinal);
        Assert.Equal("[\"9\",\"10\"]", rows[2].Get<string>("_extra_fields"));
        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(4, run.Get<long>("rows_written"));
        Assert.Contains(BronzeHome.Strings(run["warnings"]), w => w.StartsWith("2 of 4 rows did not fit the header", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Handle_Latin1File_KeepsTheCharactersAndWarnsOnTheRun()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/latin1.csv", "latin1.csv");

        await home.HandleAsync(obj);

        var rows = await home.QueryAsync("SELECT cidade, preco FROM bronze.olist__customers ORDER BY _row_number");
        Assert.Equal(["São Paulo", "Ribeirão Preto"], rows.Select(r => r.Get<string>("cidade")));
        Assert.Equal("€ 10,00", rows[0].Get<string>("preco"));
        var warning = Assert.Single(BronzeHome.Strings(Assert.Single(await home.RunsAsync())["warnings"]));
        Assert.Contains("read as Windows-1252", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("orders.ndjson", 3)]
    [InlineData("payments.json", 3)]
    [InlineData("typed.parquet", 3)]
    [InlineData("comma.csv.gz", 3)]
    [InlineData("tab.tsv", 2)]
    public async Task Handle_EveryFormat_LandsInTheTable(string sample, long rows)
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync($"olist/orders/{sample}", sample);

        await home.HandleAsync(obj);

        Assert.Equal(rows, await home.CountAsync(new TableId("bronze", "olist__orders")));
        Assert.Equal(RunStatus.Succeeded, Assert.Single(await home.RunsAsync()).Get<string>("status"));
    }

    [Fact]
    public async Task Handle_ObjectOverwrittenBeforeItWasRead_RecordsASkippedRun()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");

        await home.HandleAsync(obj with { Generation = obj.Generation + 1_000 });

        var run = Assert.Single(await home.RunsAsync());
        Assert.Equal(RunStatus.Skipped, run.Get<string>("status"));
        Assert.Contains("does not exist", run.Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(0, await home.CountAsync(Customers));
    }

    [Fact]
    public async Task Handle_EventForAnotherBucket_DoesNothing()
    {
        await using var home = new BronzeHome();
        var obj = await home.DropAsync("olist/customers/c.csv", "a\n1\n"u8.ToArray(), bucket: "elsewhere");

        await home.HandleAsync(obj);

        Assert.Empty(await home.RunsAsync());
    }

    [Theory]
    [InlineData("google.cloud.storage.object.v1.deleted")]
    [InlineData("google.cloud.storage.object.v1.metadataUpdated")]
    public async Task Handle_EventOtherThanFinalize_DoesNothing(string type)
    {
        await using var home = new BronzeHome();
        var obj = await home.DropSampleAsync("olist/customers/customers.csv", "comma.csv");
        var (cloudEvent, data) = BronzeHome.Finalized(obj, type);

        await home.Function.HandleAsync(cloudEvent, data, TestContext.Current.CancellationToken);

        Assert.Empty(await home.RunsAsync());
    }

    [Fact]
    public async Task Handle_EventWithoutGeneration_IsMalformed()
    {
        await using var home = new BronzeHome();
        var (cloudEvent, _) = BronzeHome.Finalized(await home.DropSampleAsync("olist/customers/c.csv", "comma.csv"));

        var ex = await Assert.ThrowsAsync<MalformedEventException>(() =>
            home.Function.HandleAsync(cloudEvent, new StorageObjectData { Bucket = "bronze", Name = "olist/customers/c.csv" }, TestContext.Current.CancellationToken));

        Assert.Contains("generation", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddOpenTraceCore_BronzeAndLakeTheSameBucket_FailsNamingTheSettings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenTrace:BronzeBucket"] = "data",
            ["OpenTrace:LakeBucket"] = "data",
        }).Build();
        using var services = new ServiceCollection().AddOpenTraceCore(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<OpenTraceOptions>>().Value);

        Assert.Contains("OpenTrace:BronzeBucket and OpenTrace:LakeBucket", ex.Message, StringComparison.Ordinal);
    }
}
