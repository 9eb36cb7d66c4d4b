using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Hosting;

namespace OpenTrace.Gcp;

/// <summary>
/// The cloud composition root: a function on the Google Cloud adapters, as deployed to Cloud Run. Every function's
/// <c>Program.cs</c> is one call to it; the function's own startup adds what the function needs on top of the ports.
/// </summary>
public static class GcpFunctionsHost
{
    /// <summary>Host options for <typeparamref name="TFunction"/> on Cloud Run; <paramref name="address"/> and <paramref name="port"/> default to the host's (0.0.0.0, PORT).</summary>
    public static FunctionsHostOptions Options<TFunction>(IPAddress? address = null, int? port = null)
        where TFunction : class => new()
    {
        FunctionType = typeof(TFunction),
        Address = address,
        Port = port,
        ConfigureBuilder = builder => builder.Services.AddGcpAdapters(builder.Configuration),
    };
}
