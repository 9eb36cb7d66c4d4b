using CloudNative.CloudEvents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded;
using OpenTrace.Hosting.Events;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Bronze.Tests;

/// <summary>A temporary OpenTrace home on the embedded adapters, with the bronze function composed as the host does.</summary>
internal sealed class BronzeHome : IAsyncDisposable
{
    public const string BronzeBucket = "bronze";
    public const string LakeBucket = "lake";

    private readonly TempDirectory _temp = new("bronze-function");
    private readonly ServiceProvider _services;

    public BronzeHome()
    {
        Home = _temp.Combine("home");
        PipelinesPath = _temp.Combine("pipelines");
        var contracts = Directory.CreateDirectory(Path.Combine(PipelinesPath, "olist", "contracts"));
        File.WriteAllText(Path.Combine(contracts.FullName, "orders.yaml"), "match:\n  - olist_orders_dataset*.csv\n");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(PipelinesPath)).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddEmbeddedAdapters(Home)
            .AddOpenTraceCore(configuration)
            .AddSingleton<BronzeFunction>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public string Home { get; }

    public string PipelinesPath { get; }

    public BronzeFunction Function => _services.GetRequiredService<BronzeFunction>();

    public BronzeIngestor Ingestor => _services.GetRequiredService<BronzeIngestor>();

    public IObjectStore Store => _services.GetRequiredService<IObjectStore>();

    public IWarehouse Warehouse => _services.GetRequiredService<IWarehouse>();

    public static Dictionary<string, string?> Settings(string pipelinesPath) => new()
    {
        ["OpenTrace:BronzeBucket"] = BronzeBucket,
        ["OpenTrace:LakeBucket"] = LakeBucket,
        ["OpenTrace:PipelinesPath"] = pipelinesPath,
    };

    public static string SamplePath(string file) => Path.Combine(AppContext.BaseDirectory, "data", "bronze", file);

    public Task<ObjectInfo> DropAsync(string name, byte[] content, string bucket = BronzeBucket) =>
        Store.UploadAsync(bucket, name, new MemoryStream(content), cancellationToken: TestContext.Current.CancellationToken);

    public Task<ObjectInfo> DropSampleAsync(string name, string sample) =>
        DropAsync(name, File.ReadAllBytes(SamplePath(sample)));

    /// <summary>The event Eventarc sends when <paramref name="obj"/> is finalized: type, source, subject and the object resource.</summary>
    public static (CloudEvent Event, StorageObjectData Data) Finalized(ObjectInfo obj, string? type = null)
    {
        var data = StorageObjectEvents.DataFor(obj);
        var cloudEvent = StorageObjectEvents.CreateFinalized(data, id: Guid.NewGuid().ToString("N"));
        cloudEvent.Type = type ?? cloudEvent.Type;
        return (cloudEvent, data);
    }

    public async Task HandleAsync(ObjectInfo obj)
    {
        var (cloudEvent, data) = Finalized(obj);
        await Function.HandleAsync(cloudEvent, data, TestContext.Current.CancellationToken);
    }

    public async Task<List<WarehouseRow>> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var rows = new List<WarehouseRow>();
        await foreach (var row in Warehouse.QueryAsync(sql, parameters, TestContext.Current.CancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Rows in a table; 0 when the table does not exist (nothing was ever written to it).</summary>
    public async Task<long> CountAsync(TableId table)
    {
        if (await Warehouse.GetTableAsync(table, TestContext.Current.CancellationToken) is null)
        {
            return 0;
        }

        var rows = await QueryAsync($"SELECT count(*) AS n FROM {table.Dataset}.{table.Table}");
        return rows[0].Get<long>("n");
    }

    public async Task<List<WarehouseRow>> RunsAsync() =>
        await Warehouse.GetTableAsync(OpsLog.Runs, TestContext.Current.CancellationToken) is null
            ? []
            : await QueryAsync("SELECT * FROM ops.runs ORDER BY started_at, finished_at");

    public async Task<List<WarehouseRow>> QuarantineAsync() =>
        await Warehouse.GetTableAsync(OpsLog.Quarantine, TestContext.Current.CancellationToken) is null
            ? []
            : await QueryAsync("SELECT * FROM ops.quarantine ORDER BY recorded_at");

    public static IReadOnlyList<string> Strings(object? list) =>
        list is System.Collections.IEnumerable items ? items.Cast<object?>().Select(i => Convert.ToString(i, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList() : [];

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }
}
