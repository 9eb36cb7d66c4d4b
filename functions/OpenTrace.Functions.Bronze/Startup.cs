using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Bronze;

/// <summary>Registers the bronze logic. The adapters behind the ports are registered by the host's composition root.</summary>
public sealed class Startup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceCore(context.Configuration);
    }
}
