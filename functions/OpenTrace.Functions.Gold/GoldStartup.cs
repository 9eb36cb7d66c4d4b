using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Gold;
using OpenTrace.Functions.Gold;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

[assembly: FunctionsStartup(typeof(GoldStartup))]

namespace OpenTrace.Functions.Gold;

/// <summary>Google Cloud adapters and gold's services; the model files load (and are checked) when the host starts.</summary>
public sealed class GoldStartup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddGcpAdapters(context.Configuration);
        services.AddOpenTraceGold();
        services.AddHostedService<GoldProjectCheck>();
    }
}
