using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Runtime;
using OpenTrace.Testing;

namespace OpenTrace.EndToEnd.Tests;

/// <summary><c>opentrace up</c>'s runtime: a file copied into the bronze bucket folder by hand is delivered as a CloudEvent over HTTP.</summary>
public sealed class UpEndToEndTests
{
    [Fact]
    public async Task FileDroppedIntoTheBronzeFolder_IsIngestedThroughTheHttpHost()
    {
        using var temp = new TempDirectory("opentrace-up");
        var home = new LocalHome(temp.Combine("home"));
        // The copy below pauses between its two writes only as long as the test thread is off the CPU; on a loaded
        // machine that can pass the default settle time, and the watcher would rightly take the header alone as a
        // finished file. A longer settle time keeps the check (half a file is never ingested) independent of load.
        await using var runtime = await LocalRuntime.StartAsync(home, new LocalRuntimeOptions { WatchBronze = true, SettleTime = TimeSpan.FromSeconds(3) }, TestContext.Current.CancellationToken);
        var delivered = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Silver's delivery of the bronze Parquet can finish before bronze has answered (bronze still loads its
        // table), so only the bronze bucket's delivery is the one this test waits for.
        runtime.Delivery.Delivered += (_, result) =>
        {
            if (result.Object.Bucket == LocalHome.BronzeBucket)
            {
                delivered.TrySetResult(result);
            }
        };

        // a copy by hand, in two writes, as a slow copy would arrive
        var target = Path.Combine(home.BronzeBucketPath, "olist", "sellers", "sellers.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, "seller_id,seller_zip_code_prefix,seller_city,seller_state\n", TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(target, "3442f8959a84dea7ee197c632cb2df15,13023,campinas,SP\n", TestContext.Current.CancellationToken);

        var result = await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await runtime.Delivery.WaitForIdleAsync(TestContext.Current.CancellationToken);

        Assert.Equal(200, result.StatusCode);
        Assert.Equal("olist/sellers/sellers.csv", result.Object.Name);
        var warehouse = runtime.Services.GetRequiredService<IWarehouse>();
        var rows = new List<WarehouseRow>();
        await foreach (var row in warehouse.QueryAsync("select seller_zip_code_prefix, _source_generation from bronze.olist__sellers", cancellationToken: TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        var only = Assert.Single(rows);
        Assert.Equal("13023", only.Get<string>("seller_zip_code_prefix"));
        Assert.Equal(result.Object.Generation, only.Get<long>("_source_generation"));
    }

    [Fact]
    public async Task Health_AnswersOverHttp()
    {
        using var temp = new TempDirectory("opentrace-up");
        await using var runtime = await LocalRuntime.StartAsync(new LocalHome(temp.Path), new LocalRuntimeOptions(), TestContext.Current.CancellationToken);
        using var client = new HttpClient { BaseAddress = runtime.BaseAddress };

        var health = await client.GetStringAsync("healthz", TestContext.Current.CancellationToken);

        Assert.Contains("BronzeFunction", health, StringComparison.Ordinal);
    }
}
