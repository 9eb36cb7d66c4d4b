using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Training;
using OpenTrace.Functions.Bronze;
using OpenTrace.Functions.Features;
using OpenTrace.Functions.Gold;
using OpenTrace.Functions.Serve;
using OpenTrace.Functions.Silver;
using OpenTrace.Functions.Train;
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
    public const string FeaturesPath = "/functions/features";
    public const string TrainPath = "/functions/train";

    /// <summary>The serve API answers at the root: <c>http://127.0.0.1:8080/v1/...</c>, as its Cloud Run service does.</summary>
    public const string ServePath = "/";

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
        new("features (offline history, online store, embeddings)", async (runtime, console, ct) =>
            await FeaturesCommand.RunAsync(runtime, console, new FeatureRunRequest { Trigger = "demo" }, ct)),
        new("train (late-delivery model)", async (runtime, console, ct) =>
            await TrainCommand.RunAsync(runtime, console, new TrainRequest { Trigger = "demo" }, ct)),
    ];

    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddFunction<BronzeFunction>();
        services.AddFunction<SilverFunction>();
        services.AddFunction<GoldFunction>();
        services.AddFunction<FeaturesFunction>();
        services.AddFunction<TrainFunction>();
        services.AddFunction<ServeFunction>();

        // What the features, train and serve functions' startups register in the cloud; the promoted model loads on
        // the first prediction, so commands that never predict do not pay for it.
        services.AddOpenTraceFeatures(configuration);
        services.AddOpenTraceRetrieval(configuration);
        services.TryAddSingleton<ServeApi>();
    }

    /// <summary>One line per endpoint, for <c>opentrace up</c>.</summary>
    public static IEnumerable<string> Describe(Uri baseAddress)
    {
        yield return $"{new Uri(baseAddress, "healthz")}  health";
        yield return $"{new Uri(baseAddress, BronzePath.TrimStart('/'))}  bronze function (CloudEvents for bucket '{LocalHome.BronzeBucket}')";
        yield return $"{new Uri(baseAddress, SilverPath.TrimStart('/'))}  silver function (CloudEvents for bucket '{LocalHome.LakeBucket}'; acts on bronze/)";
        yield return $"{new Uri(baseAddress, GoldPath.TrimStart('/'))}  gold function (POST, as Cloud Scheduler does)";
        yield return $"{new Uri(baseAddress, FeaturesPath.TrimStart('/'))}  features function (POST, as Cloud Scheduler does)";
        yield return $"{new Uri(baseAddress, TrainPath.TrimStart('/'))}  train function (POST, as Cloud Scheduler does)";
        foreach (var (method, path) in ServeApi.Routes)
        {
            yield return $"{method,-4} {new Uri(baseAddress, path.TrimStart('/'))}  serve API";
        }
    }

    public static void Map(WebApplication app)
    {
        app.MapCloudEventFunction<BronzeFunction, StorageObjectData>(BronzePath);
        app.MapCloudEventFunction<SilverFunction, StorageObjectData>(SilverPath);
        app.MapHttpFunction<GoldFunction>(GoldPath);
        app.MapHttpFunction<FeaturesFunction>(FeaturesPath);
        app.MapHttpFunction<TrainFunction>(TrainPath);
        app.MapHttpFunction<ServeFunction>(ServePath);
    }
}

/// <summary>A stage Cloud Scheduler triggers in the cloud; the demo runs it in order after ingestion.</summary>
/// <param name="Name">Stage name shown in the timings.</param>
/// <param name="RunAsync">Runs the stage against the local runtime.</param>
internal sealed record ScheduledStage(string Name, Func<LocalRuntime, Cli.CliConsole, CancellationToken, Task> RunAsync);
