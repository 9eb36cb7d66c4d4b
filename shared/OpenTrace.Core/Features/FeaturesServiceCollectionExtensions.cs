using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>Registers the feature store, training and serving.</summary>
public static class FeaturesServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="FeatureStoreOptions"/> from <see cref="FeatureStoreOptions.SectionName"/> (validated when the
    /// host starts) and registers singletons: <see cref="FeatureCatalog"/> loaded once from the pipelines folder (its
    /// queries checked against the <see cref="GoldProject"/>; an error names the file and line when first resolved),
    /// <see cref="FeatureOpsStore"/>, <see cref="OnlineFeatureStore"/>, <see cref="FeatureMaterializer"/> (chunks to
    /// the lake bucket), <see cref="ModelRegistry"/> (the models bucket), <see cref="TrainRunner"/>,
    /// <see cref="PromotedModelSource"/> and <see cref="PredictionService"/>. Call after <c>AddOpenTraceCore</c>; needs
    /// an <see cref="IWarehouse"/>, <see cref="IDocumentStore"/> and <see cref="IObjectStore"/> from the adapters.
    /// </summary>
    public static IServiceCollection AddOpenTraceFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FeatureStoreOptions>().Bind(configuration.GetSection(FeatureStoreOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FeatureStoreOptions>>(new ThrowingOptionsValidator<FeatureStoreOptions>(options => options.Validate())));
        services.AddOptions<OpenTraceOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => FeatureCatalog.Load(Core(sp).ResolvePipelinesPath(), sp.GetService<GoldProject>()));
        services.TryAddSingleton(sp => new FeatureOpsStore(sp.GetRequiredService<IWarehouse>()));
        services.TryAddSingleton(sp => new OnlineFeatureStore(sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new FeatureMaterializer(
            sp.GetRequiredService<FeatureCatalog>(),
            sp.GetRequiredService<IWarehouse>(),
            sp.GetRequiredService<IObjectStore>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<OpsLog>(),
            sp.GetRequiredService<FeatureOpsStore>(),
            Core(sp).LakeBucket,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<FeatureMaterializer>>(),
            new FeatureMaterializerOptions { ChunkRows = Options(sp).ChunkRows, OnlineBatch = Options(sp).OnlineBatch }));
        services.TryAddSingleton(sp => new ModelRegistry(
            sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<IObjectStore>(), Core(sp).ModelsBucket, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TrainRunner(
            sp.GetRequiredService<FeatureCatalog>(),
            sp.GetRequiredService<IWarehouse>(),
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<OpsLog>(),
            sp.GetRequiredService<FeatureOpsStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<TrainRunner>>()));
        services.TryAddSingleton(sp => new PromotedModelSource(
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<FeatureCatalog>(),
            Options(sp).ModelRefreshInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<PromotedModelSource>>()));
        services.TryAddSingleton(sp => new PredictionService(
            sp.GetRequiredService<PromotedModelSource>(), sp.GetRequiredService<OnlineFeatureStore>(), sp.GetRequiredService<FeatureCatalog>()));
        return services;
    }

    private static OpenTraceOptions Core(IServiceProvider services) => services.GetRequiredService<IOptions<OpenTraceOptions>>().Value;

    private static FeatureStoreOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<FeatureStoreOptions>>().Value;
}
