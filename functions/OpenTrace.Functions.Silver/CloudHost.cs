using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Silver;

/// <summary>The cloud composition root: the silver function on the Google Cloud adapters, as deployed to Cloud Run.</summary>
internal static class CloudHost
{
    /// <summary>Host options for Cloud Run; <paramref name="address"/> and <paramref name="port"/> default to the host's (0.0.0.0, PORT).</summary>
    internal static FunctionsHostOptions Options(IPAddress? address = null, int? port = null) => new()
    {
        FunctionType = typeof(SilverFunction),
        Address = address,
        Port = port,
        ConfigureBuilder = builder => builder.Services.AddGcpAdapters(builder.Configuration),
    };
}
