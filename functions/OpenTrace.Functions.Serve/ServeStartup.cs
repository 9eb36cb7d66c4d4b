using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Serving;
using OpenTrace.Functions.Serve;
using OpenTrace.Hosting;

[assembly: FunctionsStartup(typeof(ServeStartup))]

namespace OpenTrace.Functions.Serve;

/// <summary>
/// Registers the serve API (feature store, promoted models, question answering) and loads the promoted models when
/// the host starts. The adapters come from the host's composition root (<see cref="OpenTrace.Gcp.GcpFunctionsHost"/> in the cloud, the local
/// runtime on a laptop).
/// </summary>
public sealed class ServeStartup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceServe(context.Configuration);
    }
}

/// <summary>Registration of the serve API, shared by the cloud host and the local runtime.</summary>
public static class ServeServiceCollectionExtensions
{
    /// <summary>
    /// Registers the platform's logic, the feature store and retrieval, <see cref="ServeApi"/> as a singleton, and a
    /// start-up step that loads every task's promoted model (so the first prediction does not wait for it).
    /// </summary>
    public static IServiceCollection AddOpenTraceServe(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOpenTraceCore(configuration);
        services.AddOpenTraceFeatures(configuration);
        services.AddOpenTraceRetrieval(configuration);
        services.TryAddSingleton<ServeApi>();
        services.AddHostedService<ModelWarmUp>();
        return services;
    }
}

/// <summary>Loads the promoted models at start; a task without one is logged and answered 503 until one is promoted.</summary>
internal sealed partial class ModelWarmUp(FeatureCatalog catalog, PromotedModelSource models, ILogger<ModelWarmUp> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var task in catalog.Tasks)
        {
            try
            {
                var model = await models.GetAsync(task, cancellationToken);
                LogLoaded(logger, task.Name, model.Version);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogNotLoaded(logger, task.Name, ex.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Task} v{Version}.")]
    private static partial void LogLoaded(ILogger logger, string task, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No model of {Task} loaded at start: {Reason}")]
    private static partial void LogNotLoaded(ILogger logger, string task, string reason);
}
