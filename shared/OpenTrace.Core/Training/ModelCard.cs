using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTrace.Core.Training;

/// <summary>
/// Everything recorded about one model version, stored as <c>card.json</c> beside its artifact in the models bucket:
/// what it predicts from which features, how it was trained and split, how it scored against the baselines and the
/// promoted model on the holdout, and where its training set came from.
/// </summary>
public sealed record ModelCard
{
    /// <summary>JSON settings of the card (snake_case, indented).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Prediction task.</summary>
    public required string Task { get; init; }

    /// <summary>Version number, from 1.</summary>
    public required int Version { get; init; }

    /// <summary>When it was trained.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Train run (ops.runs).</summary>
    public required string RunId { get; init; }

    /// <summary>The model zip.</summary>
    public required string ArtifactUri { get; init; }

    /// <summary>The vector layout: slot names in order.</summary>
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>Platt slope of the calibration.</summary>
    public required double PlattSlope { get; init; }

    /// <summary>Platt offset of the calibration.</summary>
    public required double PlattOffset { get; init; }

    /// <summary>Trainer settings.</summary>
    public required TrainerSettings Trainer { get; init; }

    /// <summary>The time split.</summary>
    public required TimeSplit Split { get; init; }

    /// <summary>Holdout metrics.</summary>
    public required BinaryMetrics Holdout { get; init; }

    /// <summary>Baselines on the same holdout.</summary>
    public required IReadOnlyList<BaselineMetrics> Baselines { get; init; }

    /// <summary>Share of split gain per feature slot.</summary>
    public required IReadOnlyList<KeyValuePair<string, double>> Importance { get; init; }

    /// <summary>Training-set lineage.</summary>
    public required TrainingSetLineage Lineage { get; init; }

    /// <summary>The model promoted when this one was trained, or null.</summary>
    public int? ComparedWithVersion { get; init; }

    /// <summary>That model's AUC on this model's holdout, or null when it could not score it.</summary>
    public double? ComparedAuc { get; init; }

    /// <summary>That model's log loss on this model's holdout, or null.</summary>
    public double? ComparedLogLoss { get; init; }

    /// <summary>Whether this version was promoted.</summary>
    public bool Promoted { get; init; }

    /// <summary>Why it was or was not promoted.</summary>
    public required string Decision { get; init; }
}
