using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using OpenTrace.Core.Serving;

namespace OpenTrace.Core.Training;

/// <summary>How a training set was cut in time.</summary>
/// <param name="TrainRows">Examples the trees were fitted on (the earliest).</param>
/// <param name="CalibrationRows">Examples after them that fitted the Platt calibration.</param>
/// <param name="HoldoutRows">The latest examples, used only for evaluation.</param>
/// <param name="HoldoutFrom">Event time of the first holdout example: every earlier example trained, every later one evaluated.</param>
public sealed record TimeSplit(int TrainRows, int CalibrationRows, int HoldoutRows, DateTimeOffset HoldoutFrom);

/// <summary>What a rule without a model scores on the same holdout.</summary>
/// <param name="Name">What the baseline is.</param>
/// <param name="Auc">Its AUC (0.5 for a constant).</param>
/// <param name="LogLoss">Its log loss.</param>
public sealed record BaselineMetrics(string Name, double Auc, double LogLoss);

/// <summary>A trained and evaluated model.</summary>
/// <param name="Scorer">The hand-rolled scorer (trees + Platt).</param>
/// <param name="Artifact">The ML.NET model zip (trees and the same Platt calibration).</param>
/// <param name="Split">The time split.</param>
/// <param name="Holdout">Metrics on the holdout.</param>
/// <param name="Baselines">The prior (constant training rate) and, when the task names one, the baseline feature.</param>
/// <param name="Importance">Per feature slot, its share of the trees' split gain, largest first.</param>
/// <param name="HoldoutProbabilities">The model's probability for each holdout example, in order.</param>
public sealed record TrainedModel(
    TreeEnsembleScorer Scorer,
    byte[] Artifact,
    TimeSplit Split,
    BinaryMetrics Holdout,
    IReadOnlyList<BaselineMetrics> Baselines,
    IReadOnlyList<KeyValuePair<string, double>> Importance,
    IReadOnlyList<double> HoldoutProbabilities);

/// <summary>
/// Trains a late-risk style binary classifier with ML.NET FastTree on a time split: the latest
/// <see cref="PredictionTask.Holdout"/> of events (cut at an event-time boundary) is held out, the last 10% of the
/// rest fits a Platt calibration, the rest fits the trees. Single-threaded and seeded, so the same set gives the same model.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Share of the training part used to fit the calibration.</summary>
    public const double CalibrationShare = 0.1;

    /// <summary>Fewest labelled events a model is trained on.</summary>
    public const int MinimumEvents = 100;

    /// <summary>Trains on <paramref name="set"/>. Throws <see cref="OpenTraceException"/> when a part of the split lacks a class.</summary>
    public static TrainedModel Train(TrainingSet set, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(set);
        var task = set.Layout.Task;
        if (set.Examples.Count < MinimumEvents)
        {
            throw new OpenTraceException($"'{task.Name}' has {set.Examples.Count} labelled events; a model needs at least {MinimumEvents}.", file: task.Path, rule: "training");
        }

        var split = Split(set.Examples, task.Holdout);
        var examples = set.Examples;
        var train = examples.Take(split.TrainRows).ToList();
        var calibration = examples.Skip(split.TrainRows).Take(split.CalibrationRows).ToList();
        var holdout = examples.Skip(split.TrainRows + split.CalibrationRows).ToList();
        foreach (var (part, rows) in new[] { ("training", train), ("calibration", calibration), ("holdout", holdout) })
        {
            if (!rows.Any(r => r.Label) || rows.All(r => r.Label))
            {
                throw new OpenTraceException($"The {part} part of '{task.Name}' ({rows.Count} events) has only one class; there is too little data to train.", file: task.Path, rule: "training");
            }
        }

        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, set.Layout.Length);
        var trainData = ml.Data.LoadFromEnumerable(train.Select(Row.Of), schema);
        var settings = task.Trainer;
        var trees = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            LearningRate = settings.LearningRate,
            MinimumExampleCountPerLeaf = settings.MinExamplesPerLeaf,
            NumberOfThreads = 1,
        }).Fit(trainData);

        var parameters = trees.Model.SubModel;
        var scorer = TreeEnsembleScorer.FromModel(trees, set.Layout.Length, 0, 0);
        var platt = PlattScaling.Fit(calibration.Select(e => scorer.Score(e.Features)).ToList(), calibration.Select(e => e.Label).ToList());
        var calibrated = TreeEnsembleScorer.FromModel(trees, set.Layout.Length, platt.Slope, platt.Offset);

        // The artifact carries the same calibration, so ML.NET's own prediction engine gives the scorer's probabilities.
        var calibrator = ml.BinaryClassification.Calibrators.Platt(platt.Slope, platt.Offset).Fit(trees.Transform(trainData));
        var chain = new TransformerChain<ITransformer>(trees, calibrator);
        byte[] artifact;
        using (var zip = new MemoryStream())
        {
            ml.Model.Save(chain, trainData.Schema, zip);
            artifact = zip.ToArray();
        }

        var probabilities = holdout.Select(e => calibrated.Probability(e.Features)).ToList();
        var labels = holdout.Select(e => e.Label).ToList();
        var prior = (double)train.Concat(calibration).Count(e => e.Label) / (train.Count + calibration.Count);
        var baselines = new List<BaselineMetrics>
        {
            new($"prior: the training late rate {prior:P1} for every event", 0.5, BinaryMetrics.Compute(holdout.Select(_ => prior).ToList(), labels).LogLoss),
        };
        if (task.Baseline is { } feature)
        {
            var rule = holdout.Select(e => double.IsFinite(e.Baseline) ? Math.Clamp(e.Baseline, 0, 1) : prior).ToList();
            var metrics = BinaryMetrics.Compute(rule, labels);
            baselines.Add(new BaselineMetrics($"rule: {feature} as the probability (the prior when missing)", metrics.Auc, metrics.LogLoss));
        }

        VBuffer<float> gains = default;
        parameters.GetFeatureWeights(ref gains);
        var dense = gains.DenseValues().ToArray();
        var total = dense.Sum();
        var importance = set.Layout.Names
            .Select((name, i) => new KeyValuePair<string, double>(name, total > 0 && i < dense.Length ? Math.Round(dense[i] / total, 4) : 0))
            .OrderByDescending(p => p.Value)
            .ToList();
        return new TrainedModel(calibrated, artifact, split, BinaryMetrics.Compute(probabilities, labels), baselines, importance, probabilities);
    }

    /// <summary>
    /// Cuts <paramref name="examples"/> (in event-time order) into train, calibration and holdout parts. The holdout
    /// starts at an event-time boundary, so no holdout event is at the same instant as a training one.
    /// </summary>
    public static TimeSplit Split(IReadOnlyList<TrainingExample> examples, double holdoutShare)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var holdoutStart = (int)Math.Floor(examples.Count * (1 - holdoutShare));
        while (holdoutStart > 0 && holdoutStart < examples.Count && examples[holdoutStart - 1].EventTimestamp == examples[holdoutStart].EventTimestamp)
        {
            holdoutStart--;
        }

        if (holdoutStart <= 0 || holdoutStart >= examples.Count)
        {
            throw new ArgumentException($"{examples.Count} events cannot be split in time with a {holdoutShare:P0} holdout.", nameof(examples));
        }

        var calibrationRows = Math.Max(1, (int)Math.Round(holdoutStart * CalibrationShare));
        return new TimeSplit(holdoutStart - calibrationRows, calibrationRows, examples.Count - holdoutStart, examples[holdoutStart].EventTimestamp);
    }

    /// <summary>The row type ML.NET reads; the vector length is set per task in the schema definition.</summary>
    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }

        public static Row Of(TrainingExample example) => new() { Features = example.Features, Label = example.Label };
    }
}
