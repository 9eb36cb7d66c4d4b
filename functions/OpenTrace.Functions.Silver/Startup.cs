using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Silver;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Silver;

/// <summary>
/// Registers the silver logic and refuses to start without a personal-data key (<c>OpenTrace:PiiKey</c>) or with a
/// wrong contract. The adapters behind the ports are registered by the host's composition root.
/// </summary>
public sealed class Startup : FunctionsStartup
{
    /// <inheritdoc />
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(context);
        services.AddOpenTraceCore(context.Configuration);
        services.RequirePiiKeyAtStart();
    }
}
