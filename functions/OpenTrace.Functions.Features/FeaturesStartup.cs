using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Retrieval;
using OpenTrace.Functions.Features;
using OpenTrace.Hosting;

[assembly: FunctionsStartup(typeof(FeaturesStartup))]

namespace OpenTrace.Functions.Features;

/// <summary>
/// Registers the feature store and the embedding indexer, and loads the feature files when the host starts. The
/// adapters behind the ports come from the host's composition root (<see cref="OpenTrace.Gcp.GcpFunctionsHost"/> in the cloud, the local
/// runtime on a laptop).
/// </summary>
public sealed class FeaturesStartup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceCore(context.Configuration);
        services.AddOpenTraceFeatures(context.Configuration);
        services.AddOpenTraceRetrieval(context.Configuration);
        services.AddHostedService<FeatureCatalogCheck>();
    }
}

/// <summary>Loads the feature files at start, so a broken group stops the deployment instead of the first scheduled run.</summary>
internal sealed partial class FeatureCatalogCheck(IServiceProvider services, Microsoft.Extensions.Logging.ILogger<FeatureCatalogCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<FeatureCatalog>();
        LogLoaded(logger, catalog.Groups.Count, catalog.Tasks.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Feature files loaded: {Groups} groups, {Tasks} prediction tasks.")]
    private static partial void LogLoaded(Microsoft.Extensions.Logging.ILogger logger, int groups, int tasks);
}
