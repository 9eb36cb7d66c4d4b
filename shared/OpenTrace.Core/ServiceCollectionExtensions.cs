using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Claims;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core;

/// <summary>Registers the platform's logic; the adapters behind the ports come from <c>AddGcpAdapters</c> or <c>AddEmbeddedAdapters</c>.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="OpenTraceOptions"/> from the <c>OpenTrace</c> section (validated when the host starts and on
    /// first use) and registers, as singletons: <see cref="TimeProvider.System"/> unless a time provider is already
    /// registered, <see cref="OpsLog"/>, <see cref="EventClaims"/> with the configured lease, the
    /// <see cref="PipelineCatalog"/> loaded once from <see cref="OpenTraceOptions.ResolvePipelinesPath"/>,
    /// <see cref="BronzeIngestor"/>, and for gold <see cref="GoldOpsStore"/>, the <see cref="GoldProject"/> loaded once
    /// from the same folder (a model error names its file and line when first resolved) and <see cref="GoldRunner"/>
    /// exporting to <see cref="OpenTraceOptions.LakeBucket"/>, and silver
    /// (<see cref="SilverServiceCollectionExtensions.AddOpenTraceSilver"/>). Needs an <see cref="IWarehouse"/>, an
    /// <see cref="IDocumentStore"/>, an <see cref="IObjectStore"/> and logging from elsewhere.
    /// </summary>
    public static IServiceCollection AddOpenTraceCore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OpenTraceOptions>()
            .Bind(configuration.GetSection(OpenTraceOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenTraceOptions>>(new ThrowingOptionsValidator<OpenTraceOptions>(options => options.Validate())));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new OpsLog(sp.GetRequiredService<IWarehouse>()));
        services.TryAddSingleton(sp => new EventClaims(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value.ClaimLease));
        services.TryAddSingleton(sp => PipelineCatalog.Load(sp.GetRequiredService<IOptions<OpenTraceOptions>>().Value.ResolvePipelinesPath()));
        services.TryAddSingleton<BronzeIngestor>();
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
            sp.GetService<Microsoft.Extensions.Logging.ILogger<GoldRunner>>()));
        services.AddOpenTraceSilver(configuration);
        return services;
    }
}
