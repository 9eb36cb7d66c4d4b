using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Functions.Bronze;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Local.Runtime;

/// <summary>The functions the local host runs, where they are mounted, and which bucket's events each receives.</summary>
internal static class LocalFunctions
{
    public const string BronzePath = "/functions/bronze";

    /// <summary>Bucket → the CloudEvent endpoint its finalize events go to (as the Eventarc triggers in terraform/ do).</summary>
    public static IReadOnlyDictionary<string, string> EventRoutes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [LocalHome.BronzeBucket] = BronzePath,
    };

    public static void Register(IServiceCollection services)
    {
        services.AddFunction<BronzeFunction>();
    }

    /// <summary>One line per endpoint, for <c>opentrace up</c>.</summary>
    public static IEnumerable<string> Describe(Uri baseAddress)
    {
        yield return $"{new Uri(baseAddress, "healthz")}  health";
        yield return $"{new Uri(baseAddress, BronzePath.TrimStart('/'))}  bronze function (CloudEvents for bucket '{LocalHome.BronzeBucket}')";
    }

    public static void Map(WebApplication app)
    {
        app.MapCloudEventFunction<BronzeFunction, StorageObjectData>(BronzePath);
    }
}
