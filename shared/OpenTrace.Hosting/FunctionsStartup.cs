using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenTrace.Hosting;

/// <summary>
/// A startup hook that <see cref="FunctionsHost"/> applies before it maps the function: register services,
/// adjust logging, add middleware. Name it with <see cref="FunctionsStartupAttribute"/> on the function assembly
/// or on the function class. Every method does nothing unless overridden. Needs a public parameterless constructor.
/// </summary>
public abstract class FunctionsStartup
{
    /// <summary>Registers services the function needs (adapters, options). The function itself is already registered.</summary>
    public virtual void ConfigureServices(WebHostBuilderContext context, IServiceCollection services)
    {
    }

    /// <summary>Adjusts logging (filters, extra providers). The host has already added its console logger.</summary>
    public virtual void ConfigureLogging(WebHostBuilderContext context, ILoggingBuilder logging)
    {
    }

    /// <summary>Adds middleware; it runs before the function's endpoint.</summary>
    public virtual void Configure(WebHostBuilderContext context, IApplicationBuilder app)
    {
    }
}

/// <summary>
/// Names a <see cref="FunctionsStartup"/> to apply. On an assembly it applies to every function in it; on a function
/// class it applies only when that function is the target. Startups run in <see cref="Order"/>, then assembly ones
/// before class ones, then in declaration order.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FunctionsStartupAttribute : Attribute
{
    /// <summary>Names the startup type, which must derive from <see cref="FunctionsStartup"/>.</summary>
    public FunctionsStartupAttribute(Type startupType)
    {
        ArgumentNullException.ThrowIfNull(startupType);
        StartupType = startupType;
    }

    /// <summary>The startup type.</summary>
    public Type StartupType { get; }

    /// <summary>Lower runs first; default 0.</summary>
    public int Order { get; set; }
}
