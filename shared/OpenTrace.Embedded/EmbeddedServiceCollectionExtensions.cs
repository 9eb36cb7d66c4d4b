using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Documents;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;

namespace OpenTrace.Embedded;

/// <summary>Registers the embedded adapters.</summary>
public static class EmbeddedServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons over <paramref name="home"/>: <see cref="FolderObjectStore"/> (also as
    /// <see cref="IObjectStore"/>), <see cref="DuckDbWarehouse"/> (as <see cref="IWarehouse"/>),
    /// <see cref="SqliteDocumentStore"/> (as <see cref="IDocumentStore"/>) and <see cref="EmbeddedOptions"/>, plus
    /// <see cref="TimeProvider.System"/> when no <see cref="TimeProvider"/> is registered. Nothing is opened until first use.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="home">The state folder; null uses <see cref="EmbeddedOptions.DefaultHome()"/>.</param>
    public static IServiceCollection AddEmbeddedAdapters(this IServiceCollection services, string? home = null) =>
        services.AddEmbeddedAdapters(new EmbeddedOptions { Home = home ?? EmbeddedOptions.DefaultHome() });

    /// <summary>Registers the embedded adapters as <see cref="AddEmbeddedAdapters(IServiceCollection, string?)"/> does, with all options.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="options">Home and warehouse settings; <see cref="EmbeddedOptions.Home"/> is made a full path.</param>
    public static IServiceCollection AddEmbeddedAdapters(this IServiceCollection services, EmbeddedOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Home = Path.GetFullPath(options.Home);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(sp => new FolderObjectStore(options.BucketsPath, sp.GetService<ILogger<FolderObjectStore>>()));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<FolderObjectStore>());
        services.AddSingleton(sp => new DuckDbWarehouse(options.WarehousePath, sp.GetRequiredService<FolderObjectStore>(), memoryLimit: options.WarehouseMemoryLimit, threads: options.WarehouseThreads));
        services.AddSingleton<IWarehouse>(sp => sp.GetRequiredService<DuckDbWarehouse>());
        services.AddSingleton(sp => new SqliteDocumentStore(options.DocumentStorePath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<SqliteDocumentStore>());
        return services;
    }
}
