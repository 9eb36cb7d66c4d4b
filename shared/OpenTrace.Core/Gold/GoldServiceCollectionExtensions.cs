using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>Registers gold's services.</summary>
public static class GoldServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons (each only when not registered yet): <see cref="TimeProvider.System"/>,
    /// <see cref="OpsLog"/>, <see cref="GoldOpsStore"/>, the <see cref="GoldProject"/> loaded once from
    /// <see cref="OpenTraceOptions.ResolvePipelinesPath"/> (a model error stops the host at start with the file and
    /// line), and <see cref="GoldRunner"/> exporting to <see cref="OpenTraceOptions.LakeBucket"/>. Needs
    /// <see cref="OpenTraceOptions"/>, an <see cref="IWarehouse"/>, an <see cref="IObjectStore"/> and logging from elsewhere.
    /// </summary>
    public static IServiceCollection AddOpenTraceGold(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new OpsLog(sp.GetRequiredService<IWarehouse>()));
        services.TryAddSingleton(sp => new GoldOpsStore(sp.GetRequiredService<IWarehouse>()));
        services.TryAddSingleton(sp => GoldProject.Load(sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value.ResolvePipelinesPath()));
        services.TryAddSingleton(sp => new GoldRunner(
            sp.GetRequiredService<GoldProject>(),
            sp.GetRequiredService<IWarehouse>(),
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<OpsLog>(),
            sp.GetRequiredService<GoldOpsStore>(),
            sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<GoldRunner>>()));
        return services;
    }
}
