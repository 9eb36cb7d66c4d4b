using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Gold;
using OpenTrace.Functions.Bronze;
using OpenTrace.Functions.Gold;
using OpenTrace.Functions.Silver;
using OpenTrace.Local.Commands;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Local.Runtime;

/// <summary>The functions the local host runs, where they are mounted, and which bucket's events each receives.</summary>
internal static class LocalFunctions
{
    public const string BronzePath = "/functions/bronze";
    public const string SilverPath = "/functions/silver";
    public const string GoldPath = "/functions/gold";

    /// <summary>Bucket → the CloudEvent endpoint its finalize events go to (as the Eventarc triggers in terraform/ do).</summary>
    public static IReadOnlyDictionary<string, string> EventRoutes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [LocalHome.BronzeBucket] = BronzePath,
        [LocalHome.LakeBucket] = SilverPath,
    };

    /// <summary>Stages that run on a schedule in the cloud (gold, features, train…), in the order the demo runs them.</summary>
    public static IReadOnlyList<ScheduledStage> ScheduledStages { get; } =
    [
        new("gold (build, test, publish)", async (runtime, console, ct) =>
            await GoldCommand.RunAsync(runtime, console, new GoldRunRequest { Trigger = "demo" }, ct)),
    ];

    public static void Register(IServiceCollection services)
    {
        services.AddFunction<BronzeFunction>();
        services.AddFunction<SilverFunction>();
        services.AddFunction<GoldFunction>();
    }

    /// <summary>One line per endpoint, for <c>opentrace up</c>.</summary>
    public static IEnumerable<string> Describe(Uri baseAddress)
    {
        yield return $"{new Uri(baseAddress, "healthz")}  health";
        yield return $"{new Uri(baseAddress, BronzePath.TrimStart('/'))}  bronze function (CloudEvents for bucket '{LocalHome.BronzeBucket}')";
        yield return $"{new Uri(baseAddress, SilverPath.TrimStart('/'))}  silver function (CloudEvents for bucket '{LocalHome.LakeBucket}'; acts on bronze/)";
        yield return $"{new Uri(baseAddress, GoldPath.TrimStart('/'))}  gold function (POST, as Cloud Scheduler does)";
    }

    public static void Map(WebApplication app)
    {
        app.MapCloudEventFunction<BronzeFunction, StorageObjectData>(BronzePath);
        app.MapCloudEventFunction<SilverFunction, StorageObjectData>(SilverPath);
        app.MapHttpFunction<GoldFunction>(GoldPath);
    }
}

/// <summary>A stage Cloud Scheduler triggers in the cloud; the demo runs it in order after ingestion.</summary>
/// <param name="Name">Stage name shown in the timings.</param>
/// <param name="RunAsync">Runs the stage against the local runtime.</param>
internal sealed record ScheduledStage(string Name, Func<LocalRuntime, Cli.CliConsole, CancellationToken, Task> RunAsync);
