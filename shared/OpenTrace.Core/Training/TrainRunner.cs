using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Training;

/// <summary>What a training run is asked to do.</summary>
public sealed record TrainRequest
{
    /// <summary>The prediction task; null trains every task of the catalog.</summary>
    public string? Task { get; init; }

    /// <summary>What started the run, recorded in ops.</summary>
    public string Trigger { get; init; } = "http";
}

/// <summary>The outcome of training one task.</summary>
/// <param name="Task">The task.</param>
/// <param name="Card">The registered version's card (metrics, lineage, decision).</param>
/// <param name="Duration">How long it took.</param>
public sealed record TrainTaskResult(string Task, ModelCard Card, TimeSpan Duration);

/// <summary>A training run.</summary>
/// <param name="RunId">Run id (ops.runs).</param>
/// <param name="Status"><c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Message">Summary.</param>
/// <param name="Tasks">Per task trained.</param>
public sealed record TrainRunResult(string RunId, string Status, string Message, IReadOnlyList<TrainTaskResult> Tasks);

/// <summary>Where a training run is.</summary>
/// <param name="Task">The task.</param>
/// <param name="Stage">What it is doing.</param>
public sealed record TrainProgress(string Task, string Stage);

/// <summary>
/// Trains prediction tasks: builds the point-in-time training set from the offline feature store, trains and
/// evaluates on a time split, scores the promoted model on the same holdout, registers the new version (artifact,
/// card, registry documents) and promotes it only when its holdout AUC beats the promoted model's (or, with none
/// promoted, every baseline's). Records a run in <c>ops.runs</c>.
/// </summary>
public sealed class TrainRunner
{
    /// <summary>Function name in <c>ops.runs</c>.</summary>
    public const string FunctionName = "train";

    private readonly FeatureCatalog _catalog;
    private readonly IWarehouse _warehouse;
    private readonly ModelRegistry _registry;
    private readonly OpsLog _ops;
    private readonly FeatureOpsStore _featureOps;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the runner.</summary>
    public TrainRunner(FeatureCatalog catalog, IWarehouse warehouse, ModelRegistry registry, OpsLog ops, FeatureOpsStore featureOps, TimeProvider? time = null, ILogger<TrainRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(featureOps);
        _catalog = catalog;
        _warehouse = warehouse;
        _registry = registry;
        _ops = ops;
        _featureOps = featureOps;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<TrainRunner>.Instance;
    }

    /// <summary>
    /// Trains the requested task(s). Throws <see cref="OpenTraceException"/> (rule <c>select</c>) for an unknown task,
    /// (rule <c>training</c>) when the feature tables are missing or the data cannot be split; the failure is recorded.
    /// </summary>
    public async Task<TrainRunResult> RunAsync(TrainRequest? request = null, IProgress<TrainProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        request ??= new TrainRequest();
        var tasks = request.Task is null
            ? _catalog.Tasks
            : [_catalog.FindTask(request.Task) ?? throw new OpenTraceException($"No prediction task '{request.Task}'. Tasks: {string.Join(", ", _catalog.Tasks.Select(t => t.Name))}.", rule: "select")];
        var startedAt = _time.GetUtcNow();
        var runId = "train-" + startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var results = new List<TrainTaskResult>();
        try
        {
            await _ops.EnsureAsync(cancellationToken);
            var watermarks = await _featureOps.ReadWatermarksAsync(cancellationToken);
            foreach (var task in tasks)
            {
                results.Add(await TrainAsync(runId, task, watermarks, stage => progress?.Report(new TrainProgress(task.Name, stage)), cancellationToken));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await RecordAsync(runId, request, startedAt, RunStatus.Failed, $"Training stopped: {ex.Message}", results, CancellationToken.None);
            throw;
        }

        var message = string.Join(" ", results.Select(r => Summary(r.Card)));
        await RecordAsync(runId, request, startedAt, RunStatus.Succeeded, message, results, cancellationToken);
        return new TrainRunResult(runId, RunStatus.Succeeded, message, results);
    }

    /// <summary>One line about a trained version: its metrics, the baselines and the decision.</summary>
    public static string Summary(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var baselines = string.Join("; ", card.Baselines.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Name}: AUC {b.Auc:F3}, log loss {b.LogLoss:F4}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"{card.Task} v{card.Version}: holdout AUC {card.Holdout.Auc:F3}, log loss {card.Holdout.LogLoss:F4} on {card.Holdout.Count:N0} events (late rate {card.Holdout.BaseRate:P1}); baselines — {baselines}. {card.Decision}");
    }

    private async Task<TrainTaskResult> TrainAsync(string runId, PredictionTask task, IReadOnlyDictionary<string, FeatureWatermark> watermarks, Action<string> stage, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (await RelationCheck.MissingAsync(_warehouse, task.References, cancellationToken) is { } missing)
        {
            throw new OpenTraceException($"Cannot train '{task.Name}': {missing}", file: task.Path, rule: "training");
        }

        stage("building the point-in-time training set");
        var set = await new TrainingSetBuilder(_warehouse, _catalog).BuildAsync(task, watermarks, cancellationToken);
        stage($"training on {TrainingSetBuilder.Describe(set)}");
        var model = ModelTrainer.Train(set);
        var holdout = set.Examples.Skip(model.Split.TrainRows + model.Split.CalibrationRows).ToList();

        stage("comparing with the promoted model");
        var head = await _registry.GetHeadAsync(task.Name, cancellationToken);
        var (comparedAuc, comparedLogLoss, decision, promote) = await DecideAsync(task, set, model, holdout, head, cancellationToken);

        stage("registering");
        var card = await _registry.RegisterAsync(task.Name, model.Artifact, (version, uri) => new ModelCard
        {
            Task = task.Name,
            Version = version,
            CreatedAt = _time.GetUtcNow(),
            RunId = runId,
            ArtifactUri = uri,
            Features = set.Layout.Names,
            PlattSlope = model.Scorer.Slope,
            PlattOffset = model.Scorer.Offset,
            Trainer = task.Trainer,
            Split = model.Split,
            Holdout = model.Holdout,
            Baselines = model.Baselines,
            Importance = model.Importance,
            Lineage = set.Lineage,
            ComparedWithVersion = head?.PromotedVersion,
            ComparedAuc = comparedAuc,
            ComparedLogLoss = comparedLogLoss,
            Promoted = promote,
            Decision = decision,
        }, cancellationToken);
        if (promote)
        {
            await _registry.PromoteAsync(card, cancellationToken);
        }

        _logger.LogInformation("{Summary}", Summary(card));
        return new TrainTaskResult(task.Name, card, clock.Elapsed);
    }

    private async Task<(double? Auc, double? LogLoss, string Decision, bool Promote)> DecideAsync(
        PredictionTask task, TrainingSet set, TrainedModel model, IReadOnlyList<TrainingExample> holdout, RegistryHead? head, CancellationToken cancellationToken)
    {
        var auc = model.Holdout.Auc;
        var bestBaseline = model.Baselines.Max(b => double.IsNaN(b.Auc) ? 0.5 : b.Auc);
        if (head?.PromotedVersion is not { } promoted)
        {
            return auc > bestBaseline
                ? (null, null, string.Create(CultureInfo.InvariantCulture, $"Promoted: no model was promoted, and AUC {auc:F3} beats the best baseline's {bestBaseline:F3}."), true)
                : (null, null, string.Create(CultureInfo.InvariantCulture, $"Not promoted: AUC {auc:F3} does not beat the best baseline's {bestBaseline:F3}."), false);
        }

        var card = await _registry.ReadCardAsync(task.Name, promoted, cancellationToken);
        if (!card.Features.SequenceEqual(set.Layout.Names, StringComparer.Ordinal))
        {
            return auc > bestBaseline
                ? (null, null, string.Create(CultureInfo.InvariantCulture, $"Promoted: the features changed since v{promoted}, which cannot score this holdout; AUC {auc:F3} beats the best baseline's {bestBaseline:F3}."), true)
                : (null, null, string.Create(CultureInfo.InvariantCulture, $"Not promoted: the features changed since v{promoted}, and AUC {auc:F3} does not beat the best baseline's {bestBaseline:F3}."), false);
        }

        TreeEnsembleScorer current;
        await using (var zip = await _registry.OpenArtifactAsync(task.Name, promoted, cancellationToken))
        {
            current = TreeEnsembleScorer.Load(zip, card.Features.Count, card.PlattSlope, card.PlattOffset);
        }

        var metrics = BinaryMetrics.Compute(holdout.Select(e => current.Probability(e.Features)).ToList(), holdout.Select(e => e.Label).ToList());
        var better = auc > metrics.Auc;
        var decision = string.Create(CultureInfo.InvariantCulture,
            $"{(better ? "Promoted" : "Not promoted")}: on this holdout AUC {auc:F3} vs {metrics.Auc:F3} for the promoted v{promoted} (log loss {model.Holdout.LogLoss:F4} vs {metrics.LogLoss:F4}).");
        return (metrics.Auc, metrics.LogLoss, decision, better);
    }

    private async Task RecordAsync(string runId, TrainRequest request, DateTimeOffset startedAt, string status, string message, IReadOnlyList<TrainTaskResult> results, CancellationToken cancellationToken)
    {
        try
        {
            await _ops.RecordRunAsync(new RunRecord
            {
                RunId = runId,
                Function = FunctionName,
                Status = status,
                RowsRead = results.Sum(r => r.Card.Lineage.Rows),
                StartedAt = startedAt,
                FinishedAt = _time.GetUtcNow(),
                Message = message,
                EventId = request.Trigger,
                Outputs = results.Select(r => r.Card.ArtifactUri).ToList(),
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && status == RunStatus.Failed)
        {
            _logger.LogError(ex, "Train run {RunId} could not be recorded in ops after it failed.", runId);
        }
    }
}
