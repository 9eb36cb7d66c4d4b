using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Silver;
using OpenTrace.Embedded;
using OpenTrace.Embedded.Storage;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Logging;

namespace OpenTrace.Local.Runtime;

/// <summary>Settings of the in-process platform.</summary>
internal sealed record LocalRuntimeOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Watch the bronze bucket folder for files dropped by hand (<c>opentrace up</c>).</summary>
    public bool WatchBronze { get; init; }

    /// <summary>
    /// How long a dropped file's size and write time must stay unchanged before it counts as finished; null: the
    /// watcher's default (<see cref="BucketWatcher.SettleTime"/>).
    /// </summary>
    public TimeSpan? SettleTime { get; init; }

    /// <summary>DuckDB's limit for commands that only load files (<c>ingest</c>, <c>replay</c>): <see cref="EmbeddedOptions.LoadMemoryLimit"/>.</summary>
    public const string LoadMemoryLimit = EmbeddedOptions.LoadMemoryLimit;

    /// <summary>
    /// DuckDB's memory limit. A laptop shares its memory with other work, and DuckDB's default (80% of RAM) lets a
    /// large load grow the process by hundreds of MB; it spills to disk past this limit instead. Analytical queries
    /// (gold models, point-in-time training sets) run many hash joins and aggregates at once, each reserving memory
    /// per thread, so the default leaves them room.
    /// </summary>
    public string WarehouseMemoryLimit { get; init; } = "256MB";

    /// <summary>DuckDB's threads for commands that only load files (<c>ingest</c>, <c>replay</c>): <see cref="EmbeddedOptions.LoadThreads"/>.</summary>
    public const int LoadThreads = EmbeddedOptions.LoadThreads;

    /// <summary>DuckDB's threads; null: one per core.</summary>
    public int? WarehouseThreads { get; init; }

    /// <summary>Log at Information instead of Warning.</summary>
    public bool Verbose { get; init; }
}

/// <summary>
/// Every function in one process on the embedded adapters, behind the real HTTP host: objects finalized in the
/// local buckets become CloudEvents POSTed to the functions over HTTP, exactly as Eventarc delivers them in the cloud.
/// </summary>
internal sealed class LocalRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly FolderObjectStore _store;
    private BucketWatcher? _watcher;

    private LocalRuntime(WebApplication app, LocalHome home, Uri baseAddress)
    {
        _app = app;
        Home = home;
        BaseAddress = baseAddress;
        _client = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        _store = app.Services.GetRequiredService<FolderObjectStore>();
        Delivery = new EventDelivery(_client, LocalFunctions.EventRoutes, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenTrace.Local.Delivery"));
        _store.ObjectFinalized += OnObjectFinalized;
    }

    public LocalHome Home { get; }

    /// <summary><c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public EventDelivery Delivery { get; }

    public FolderObjectStore Store => _store;

    public static async Task<LocalRuntime> StartAsync(LocalHome home, LocalRuntimeOptions options, CancellationToken cancellationToken = default)
    {
        home.EnsureCreated();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenTrace:BronzeBucket"] = LocalHome.BronzeBucket,
            ["OpenTrace:LakeBucket"] = LocalHome.LakeBucket,
            ["OpenTrace:ModelsBucket"] = LocalHome.ModelsBucket,
            ["OpenTrace:PipelinesPath"] = LocalHome.ResolvePipelinesPath(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddPlainConsole();
        builder.Logging.SetMinimumLevel(options.Verbose ? LogLevel.Information : LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // start-up failures are rethrown with a clearer message
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, options.Port));

        // The command owns Ctrl+C and SIGTERM; the web host must not stop on its own underneath it.
        builder.Services.AddSingleton<IHostLifetime, CommandOwnedLifetime>();
        builder.Services.AddEmbeddedAdapters(new EmbeddedOptions { Home = home.Path, WarehouseMemoryLimit = options.WarehouseMemoryLimit, WarehouseThreads = options.WarehouseThreads });
        builder.Services.AddOpenTraceCore(builder.Configuration);

        // On a laptop the PII key is made once and kept in the home folder (the cloud reads it from Secret Manager).
        builder.Services.AddSingleton(new LocalPiiKeyFile(Path.Combine(home.Path, PiiKey.FileName)));
        LocalFunctions.Register(builder.Services, builder.Configuration);

        var app = builder.Build();
        app.MapFunctionsHealthCheck();
        LocalFunctions.Map(app);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await app.DisposeAsync();
            throw new OpenTraceException($"Port {options.Port} on 127.0.0.1 is in use (another 'opentrace up'?). Stop it or pass --port.", inner: ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var runtime = new LocalRuntime(app, home, new Uri(address.TrimEnd('/') + "/"));
        if (options.WatchBronze)
        {
            runtime._watcher = new BucketWatcher(
                LocalHome.BronzeBucket,
                home.BronzeBucketPath,
                runtime._store,
                runtime.Delivery.Enqueue,
                runtime.AlreadyIngestedAsync,
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenTrace.Local.Watcher"),
                settleTime: options.SettleTime);
        }

        return runtime;
    }

    /// <summary>True when bronze already finished this object generation (so a restart does not redeliver it).</summary>
    private Task<bool> AlreadyIngestedAsync(Core.Storage.ObjectInfo obj, CancellationToken cancellationToken) =>
        _app.Services.GetRequiredService<Core.Claims.EventClaims>().IsDoneAsync(
            Core.Claims.EventClaims.KeyFor(Core.Bronze.BronzeIngestor.FunctionName, obj.Bucket, obj.Name, obj.Generation), cancellationToken);

    /// <summary>Queues every file already in the bronze bucket folder (bronze's claims skip what was ingested before).</summary>
    public void ScanBronzeNow() => _watcher?.ScanNow();

    public async ValueTask DisposeAsync()
    {
        _store.ObjectFinalized -= OnObjectFinalized;
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }

        await Delivery.DisposeAsync();
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void OnObjectFinalized(object? sender, ObjectFinalizedEventArgs e) => Delivery.Enqueue(e.Object);
}

/// <summary>A host lifetime that leaves start and stop to the running command.</summary>
internal sealed class CommandOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
