using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Functions.Gold;
using OpenTrace.Hosting;

[assembly: FunctionsStartup(typeof(GoldStartup))]

namespace OpenTrace.Functions.Gold;

/// <summary>
/// Registers the gold logic and loads the model files when the host starts. The adapters behind the ports are
/// registered by the host's composition root (<see cref="OpenTrace.Gcp.GcpFunctionsHost"/> in the cloud, the local runtime on a laptop).
/// </summary>
public sealed class GoldStartup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceCore(context.Configuration);
        services.AddHostedService<GoldProjectCheck>();
    }
}
