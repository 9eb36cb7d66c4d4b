using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Functions.Train;
using OpenTrace.Hosting;

[assembly: FunctionsStartup(typeof(TrainStartup))]

namespace OpenTrace.Functions.Train;

/// <summary>
/// Registers training (feature catalog, registry, runner). The adapters behind the ports come from the host's
/// composition root (<see cref="OpenTrace.Gcp.GcpFunctionsHost"/> in the cloud, the local runtime on a laptop).
/// </summary>
public sealed class TrainStartup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceCore(context.Configuration);
        services.AddOpenTraceFeatures(context.Configuration);
    }
}
