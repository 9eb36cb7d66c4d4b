using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Training;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace train [--task late_delivery]</c>: builds the point-in-time training set from the offline features,
/// trains and evaluates the model on a time split, registers the version in the models bucket and promotes it only
/// when it beats the promoted one on the holdout. Prints the holdout metrics, the baselines, the calibration by
/// decile and the decision. Exit code 1 when training cannot run (no features yet, too few events).
/// </summary>
internal sealed class TrainCommand : ICommand
{
    public string Name => "train";

    public string Usage => "train [--task <prediction task>]";

    public string Summary => "Train, evaluate and register the prediction models; promote a model only when it beats the promoted one.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var task = context.Arguments.Option("task");
        context.Arguments.RejectUnknownOptions();
        var catalog = FeatureCatalog.Load(LocalHome.ResolvePipelinesPath());
        if (task is not null && catalog.FindTask(task) is null)
        {
            throw new UsageException($"No prediction task '{task}'. Tasks: {string.Join(", ", catalog.Tasks.Select(t => t.Name))}.");
        }

        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions(), cancellationToken);
        return await RunAsync(runtime, context.Console, new TrainRequest { Task = task, Trigger = "cli" }, cancellationToken) is null ? 1 : 0;
    }

    /// <summary>
    /// Trains with progress and prints, per task, the metrics, baselines, calibration and decision. Returns null, having
    /// said why, when training cannot run on the data there is (no features or gold tables yet, too few events).
    /// </summary>
    internal static async Task<TrainRunResult?> RunAsync(LocalRuntime runtime, CliConsole console, TrainRequest request, CancellationToken cancellationToken)
    {
        var runner = runtime.Services.GetRequiredService<TrainRunner>();
        TrainRunResult result;
        try
        {
            result = await console.ProgressAsync("train", sink => runner.RunAsync(request, new SinkProgress(sink), cancellationToken));
        }
        catch (OpenTraceException ex) when (ex.Rule == "training")
        {
            console.Line($"✗ {ex.Reason}");
            return null;
        }

        foreach (var task in result.Tasks)
        {
            var card = task.Card;
            console.Line();
            console.Line(string.Create(CultureInfo.InvariantCulture,
                $"{card.Task} v{card.Version}: trained on {card.Split.TrainRows:N0} events, calibrated on {card.Split.CalibrationRows:N0}, evaluated on {card.Split.HoldoutRows:N0} from {card.Split.HoldoutFrom:yyyy-MM-dd} (holdout late rate {card.Holdout.BaseRate:P1})."));
            console.Line(string.Create(CultureInfo.InvariantCulture, $"  holdout AUC {card.Holdout.Auc:F3}, log loss {card.Holdout.LogLoss:F4}, Brier {card.Holdout.Brier:F4}"));
            foreach (var baseline in card.Baselines)
            {
                console.Line(string.Create(CultureInfo.InvariantCulture, $"  baseline {baseline.Name}: AUC {baseline.Auc:F3}, log loss {baseline.LogLoss:F4}"));
            }

            console.Line("  calibration by decile (mean predicted → observed late rate):");
            console.Line("    " + string.Join("  ", card.Holdout.Calibration.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Decile}: {b.MeanPredicted:P1}→{b.ObservedRate:P1}"))));
            console.Line("  strongest features: " + string.Join(", ", card.Importance.Take(5).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:P0}"))));
            console.Line($"  {card.Decision}");
            console.Line($"  artifact {card.ArtifactUri}");
        }

        return result;
    }

    private sealed class SinkProgress(IProgressSink sink) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress value) => sink.Report(value.Task, $"{value.Task}: {value.Stage}", 0, null);
    }
}
