using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Samples;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using ParquetSharp;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>A generated, dirty Olist dataset dropped at the bronze bucket's root and brought to silver under the repository's contracts.</summary>
public sealed class OlistSilverFixture : IAsyncLifetime
{
    internal SilverHome Home { get; } = new();

    internal List<ObjectInfo> Bronze { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var files = new Dictionary<string, MemoryStream>();
        await new OlistGenerator(new OlistGeneratorOptions { Scale = 0.01, Seed = 7, Dirty = true })
            .WriteAsync(name => files[name] = new MemoryStream());

        // Parents first, as a daily drop would usually arrive; relationships are checked against what is loaded.
        foreach (var file in OlistDataset.Files.OrderBy(f => f.Table switch
        {
            "product_category_name_translation" => 0,
            "customers" or "sellers" or "geolocation" => 1,
            "products" => 2,
            "orders" => 3,
            _ => 4,
        }))
        {
            var bronze = await Home.IngestAsync(file.FileName, files[file.FileName].ToArray());
            await Home.DeliverAsync(bronze);
            Bronze.Add(bronze);
        }
    }

    public async ValueTask DisposeAsync() => await Home.DisposeAsync();
}

public sealed class OlistSilverTests(OlistSilverFixture fixture) : IClassFixture<OlistSilverFixture>
{
    private SilverHome Home => fixture.Home;

    [Fact]
    public async Task Olist_EveryFile_IsPublishedAndReconciles()
    {
        // The fixture's own deliveries: the first run of each bronze object (other tests in this class replay them later).
        var runs = (await Home.RunsAsync())
            .Where(r => r.Get<string>("status") != RunStatus.Duplicate)
            .GroupBy(r => r.Get<string>("source_uri"))
            .Select(g => g.First())
            .ToList();

        Assert.Equal(fixture.Bronze.Count, runs.Count);
        Assert.Equal(9, runs.Count);
        Assert.All(runs, run =>
        {
            Assert.True(run.Get<string>("status") == RunStatus.Succeeded, $"{run["table_name"]}: {run["message"]}");
            Assert.Equal(run.Get<long>("rows_read"), run.Get<long>("rows_written") + run.Get<long>("rows_quarantined") + run.Get<long>("rows_duplicate"));
        });
        foreach (var file in OlistDataset.Files)
        {
            Assert.True(await Home.CountAsync(SilverTables.TableFor(new TableRoute("olist", file.Table))) > 0, $"silver {file.Table} is empty");
        }

        // The generator's dirt is really there, and silver dealt with it: duplicates dropped, impossible dates quarantined.
        Assert.Contains(runs, r => r.Get<long>("rows_duplicate") > 0);
        var quarantined = await Home.QuarantineAsync();
        Assert.Contains(quarantined, q => q.Get<string>("rule") == "type(order_purchase_timestamp)");
        Assert.Contains(quarantined, q => q.Get<string>("rule") == "delivered_after_purchase");
        Assert.Contains(quarantined, q => q.Get<string>("rule") == "range(order_estimated_delivery_date)");
        var statuses = await Home.QueryAsync("SELECT DISTINCT order_status FROM silver.olist__orders");
        Assert.All(statuses, s => Assert.Equal(s.Get<string>("order_status"), s.Get<string>("order_status")!.Trim().ToLowerInvariant()));
    }

    [Fact]
    public async Task Olist_SeededEmailsAndPhones_NeverReachSilver()
    {
        // The bronze reviews hold the seeded personal data, so the scan below can find it if it leaks.
        var seeded = (await Home.QueryAsync("SELECT review_comment_message FROM bronze.olist__order_reviews"))
            .SelectMany(r => OlistPii.FindAll(r.Get<string>("review_comment_message"))).ToList();
        Assert.Contains(seeded, s => s.Contains('@', StringComparison.Ordinal));
        Assert.Contains(seeded, s => !s.Contains('@', StringComparison.Ordinal));

        var leaks = new List<string>();
        foreach (var obj in await Home.ListAsync("silver/"))
        {
            foreach (var value in ParquetText(Home.LocalPath(obj)))
            {
                leaks.AddRange(OlistPii.FindAll(value).Select(found => $"{obj.Name}: {found}"));
            }
        }

        foreach (var file in OlistDataset.Files)
        {
            var table = SilverTables.TableFor(new TableRoute("olist", file.Table));
            var schema = (await Home.Warehouse.GetTableAsync(table, SilverHome.Cancel))!;
            foreach (var column in schema.Columns.Where(c => c.Type == ColumnType.String))
            {
                foreach (var row in await Home.QueryAsync($"SELECT \"{column.Name}\" AS v FROM {table.Dataset}.{table.Table}"))
                {
                    leaks.AddRange(OlistPii.FindAll(row.Get<string>("v")).Select(found => $"{table}.{column.Name}: {found}"));
                }
            }
        }

        Assert.Empty(leaks);
        var scrubbed = await Home.QueryAsync("SELECT count(*) AS n FROM silver.olist__order_reviews WHERE review_comment_message LIKE '%[email]%' OR review_comment_message LIKE '%[phone]%'");
        Assert.True(scrubbed[0].Get<long>("n") > 0);
    }

    [Fact]
    public async Task Olist_ReplayingEveryTableTwice_LeavesEverySilverTableUnchanged()
    {
        var tables = OlistDataset.Files.Select(f => new TableRoute("olist", f.Table)).ToList();
        var before = new Dictionary<TableRoute, List<string>>();
        foreach (var route in tables)
        {
            before[route] = await Home.SnapshotAsync(SilverTables.TableFor(route));
        }

        var quarantineBefore = (await Home.QuarantineAsync()).Select(q => $"{q["quarantine_id"]}|{q["rule"]}|{q["reason"]}|{q["record"]}").ToList();

        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var route in tables)
            {
                var summary = await Home.Replayer.ReplayAsync(route, cancellationToken: SilverHome.Cancel);
                Assert.Equal(1, summary.Files);
                Assert.Equal(0, summary.FilesFailed);
            }
        }

        foreach (var route in tables)
        {
            Assert.Equal(before[route], await Home.SnapshotAsync(SilverTables.TableFor(route)));
        }

        Assert.Equal(quarantineBefore, (await Home.QuarantineAsync()).Select(q => $"{q["quarantine_id"]}|{q["rule"]}|{q["reason"]}|{q["record"]}").ToList());
    }

    [Fact]
    public async Task Olist_Relationships_AreCheckedInTheWarehouseAndRecorded()
    {
        var events = await Home.QualityAsync();

        var items = events.Where(e => e.Get<string>("rule") == "relationships(order_id -> orders.order_id)" && e.Get<string>("table_name") == "silver.olist__order_items").ToList();
        Assert.NotEmpty(items);
        Assert.All(items, e => Assert.True(e.Get<long>("rows_checked") > 0));

        // Orders quarantined for impossible dates leave their items without a parent: recorded as warnings, items kept.
        Assert.Contains(items, e => e.Get<string>("outcome") == "warned" && e.Get<long>("violations") > 0);
    }

    /// <summary>Every text value of a Parquet file.</summary>
    private static IEnumerable<string> ParquetText(string path)
    {
        using var reader = new ParquetFileReader(path);
        var schema = reader.FileMetaData.Schema;
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            var rows = (int)group.MetaData.NumRows;
            for (var c = 0; c < schema.NumColumns; c++)
            {
                if (schema.Column(c).PhysicalType != PhysicalType.ByteArray)
                {
                    continue;
                }

                using var column = group.Column(c);
                using var logical = column.LogicalReader<string?>();
                var values = new string?[rows];
                logical.ReadBatch(values);
                foreach (var value in values)
                {
                    if (value is not null)
                    {
                        yield return value;
                    }
                }
            }
        }
    }
}
