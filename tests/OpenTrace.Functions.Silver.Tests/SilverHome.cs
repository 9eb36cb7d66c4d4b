using System.Globalization;
using CloudNative.CloudEvents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Hosting.Events;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>
/// A temporary OpenTrace home on the embedded adapters with bronze and silver composed as the hosts do. Files are
/// dropped into the bronze bucket, ingested by the real bronze use case, and handed to the silver function with the
/// event Eventarc sends for the bronze Parquet object.
/// </summary>
internal sealed class SilverHome : IAsyncDisposable
{
    public const string BronzeBucket = "bronze";
    public const string LakeBucket = "lake";
    public const string PiiKeyText = "silver-tests-key-0123456789";

    private readonly TempDirectory _temp = new("silver-function");
    private readonly Func<IWarehouse, IWarehouse>? _decorate;
    private ServiceProvider _services;

    /// <param name="contracts">Contract files by table name, written under <c>pipelines/shop/contracts</c>; null uses the repository's Olist contracts.</param>
    /// <param name="decorate">Wraps the warehouse every component uses (fault injection); null: none.</param>
    public SilverHome(IReadOnlyDictionary<string, string>? contracts = null, Func<IWarehouse, IWarehouse>? decorate = null)
    {
        Home = _temp.Combine("home");
        PipelinesPath = contracts is null ? Path.Combine(AppContext.BaseDirectory, "pipelines") : _temp.Combine("pipelines");
        _decorate = decorate;
        _services = Compose(contracts);
    }

    public string Home { get; }

    /// <summary>
    /// Stops and starts the platform over the same state with new contract files (as a deployment of a changed
    /// contract does); null keeps the files as they are.
    /// </summary>
    public async Task ReopenAsync(IReadOnlyDictionary<string, string>? contracts = null)
    {
        await _services.DisposeAsync();
        _services = Compose(contracts);
    }

    private ServiceProvider Compose(IReadOnlyDictionary<string, string>? contracts)
    {
        if (contracts is not null)
        {
            var folder = Directory.CreateDirectory(Path.Combine(PipelinesPath, "shop", "contracts"));
            foreach (var (table, yaml) in contracts)
            {
                File.WriteAllText(Path.Combine(folder.FullName, $"{table}.yaml"), yaml);
            }
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(PipelinesPath)).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddEmbeddedAdapters(Home)
            .AddOpenTraceCore(configuration)
            .AddSingleton<SilverFunction>();
        if (_decorate is not null)
        {
            services.AddSingleton(sp => _decorate(sp.GetRequiredService<DuckDbWarehouse>()));
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IWarehouse>(); // builds the decorator now, so a test can arm it before the first call
        return provider;
    }

    public string PipelinesPath { get; }

    public IServiceProvider Services => _services;

    public SilverFunction Function => _services.GetRequiredService<SilverFunction>();

    public SilverProcessor Processor => _services.GetRequiredService<SilverProcessor>();

    public SilverReplayer Replayer => _services.GetRequiredService<SilverReplayer>();

    public IObjectStore Store => _services.GetRequiredService<IObjectStore>();

    public IWarehouse Warehouse => _services.GetRequiredService<IWarehouse>();

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> Settings(string pipelinesPath) => new()
    {
        ["OpenTrace:BronzeBucket"] = BronzeBucket,
        ["OpenTrace:LakeBucket"] = LakeBucket,
        ["OpenTrace:PipelinesPath"] = pipelinesPath,
        ["OpenTrace:PiiKey"] = PiiKeyText,
    };

    /// <summary>Drops a file into the bronze bucket and ingests it; returns the bronze Parquet object in the lake.</summary>
    public async Task<ObjectInfo> IngestAsync(string name, byte[] content)
    {
        var dropped = await Store.UploadAsync(BronzeBucket, name, new MemoryStream(content), cancellationToken: Cancel);
        var result = await _services.GetRequiredService<BronzeIngestor>().IngestAsync(new BronzeRequest(dropped.Bucket, dropped.Name, dropped.Generation), Cancel);
        Assert.True(result.Status == RunStatus.Succeeded, $"bronze did not ingest {name}: {result.Message}");
        var objectName = result.OutputUri!["gs://lake/".Length..];
        return (await Store.GetAsync(LakeBucket, objectName, Cancel))!;
    }

    public Task<ObjectInfo> IngestAsync(string name, string csv) => IngestAsync(name, System.Text.Encoding.UTF8.GetBytes(csv));

    /// <summary>Delivers the finalize event of <paramref name="obj"/> to the silver function.</summary>
    public async Task DeliverAsync(ObjectInfo obj, string? type = null)
    {
        var (cloudEvent, data) = Finalized(obj, type);
        await Function.HandleAsync(cloudEvent, data, Cancel);
    }

    /// <summary>Ingests a CSV and delivers its bronze object to silver; returns the bronze object.</summary>
    public async Task<ObjectInfo> LoadAsync(string name, string csv)
    {
        var bronze = await IngestAsync(name, csv);
        await DeliverAsync(bronze);
        return bronze;
    }

    /// <summary>The event Eventarc sends when <paramref name="obj"/> is finalized.</summary>
    public static (CloudEvent Event, StorageObjectData Data) Finalized(ObjectInfo obj, string? type = null)
    {
        var data = StorageObjectEvents.DataFor(obj);
        var cloudEvent = StorageObjectEvents.CreateFinalized(data, id: Guid.NewGuid().ToString("N"));
        cloudEvent.Type = type ?? cloudEvent.Type;
        return (cloudEvent, data);
    }

    public async Task<List<WarehouseRow>> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var rows = new List<WarehouseRow>();
        await foreach (var row in Warehouse.QueryAsync(sql, parameters, Cancel))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Every row of a table as text, sorted, lineage columns included: equal snapshots mean equal tables.</summary>
    public async Task<List<string>> SnapshotAsync(TableId table)
    {
        if (await Warehouse.GetTableAsync(table, Cancel) is null)
        {
            return [];
        }

        var rows = await QueryAsync($"SELECT * FROM {table.Dataset}.{table.Table}");
        return rows.Select(r => string.Join("|", r.Columns.Select((c, i) => $"{c}={Text(r[i])}"))).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<long> CountAsync(TableId table) =>
        await Warehouse.GetTableAsync(table, Cancel) is null ? 0 : (await QueryAsync($"SELECT count(*) AS n FROM {table.Dataset}.{table.Table}"))[0].Get<long>("n");

    public async Task<List<WarehouseRow>> RunsAsync(string function = SilverProcessor.FunctionName) =>
        await Warehouse.GetTableAsync(OpsLog.Runs, Cancel) is null
            ? []
            : await QueryAsync("SELECT * FROM ops.runs WHERE function = @f ORDER BY started_at, finished_at", new Dictionary<string, object?> { ["f"] = function });

    public async Task<List<WarehouseRow>> QuarantineAsync(string layer = "silver") =>
        await Warehouse.GetTableAsync(OpsLog.Quarantine, Cancel) is null
            ? []
            : await QueryAsync("SELECT * FROM ops.quarantine WHERE layer = @layer ORDER BY quarantine_id", new Dictionary<string, object?> { ["layer"] = layer });

    public async Task<List<WarehouseRow>> QualityAsync() =>
        await Warehouse.GetTableAsync(OpsLog.QualityEvents, Cancel) is null
            ? []
            : await QueryAsync("SELECT * FROM ops.quality_events ORDER BY recorded_at, rule");

    /// <summary>Object names under a prefix of the lake bucket.</summary>
    public async Task<List<ObjectInfo>> ListAsync(string prefix)
    {
        var list = new List<ObjectInfo>();
        await foreach (var obj in Store.ListAsync(LakeBucket, prefix, Cancel))
        {
            list.Add(obj);
        }

        return list;
    }

    /// <summary>The local file of a lake object (the folder store keeps objects as files).</summary>
    public string LocalPath(ObjectInfo obj) => _services.GetRequiredService<Embedded.Storage.FolderObjectStore>().GetLocalPath(obj.Bucket, obj.Name);

    /// <summary>A list value (e.g. <c>ops.runs.warnings</c>) as strings.</summary>
    public static IReadOnlyList<string> Strings(object? list) =>
        list is System.Collections.IEnumerable items and not string ? items.Cast<object?>().Select(Text).ToList() : [];

    public static string Text(object? value) => value switch
    {
        null => "NULL",
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _temp.Dispose();
    }
}
