using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;

namespace OpenTrace.Core.Training;

/// <summary>The type of a request input of a prediction task.</summary>
public enum InputType
{
    /// <summary>Text, e.g. a state code.</summary>
    String,

    /// <summary>A number (JSON number; float64 in the labels query).</summary>
    Number,

    /// <summary>An instant (ISO 8601 in JSON; timestamp in the labels query).</summary>
    Timestamp,
}

/// <summary>A group the task joins, and the column of the labels query (and field of a predict request) holding its entity id.</summary>
/// <param name="Group">Feature group name.</param>
/// <param name="Column">Labels column / request field with the entity id.</param>
public sealed record TaskEntity(string Group, string Column);

/// <summary>A feature of a joined group used by the model.</summary>
/// <param name="Group">Feature group.</param>
/// <param name="Feature">Feature name.</param>
public sealed record TaskFeature(string Group, string Feature)
{
    /// <summary><c>group.feature</c>.</summary>
    public override string ToString() => $"{Group}.{Feature}";
}

/// <summary>A field known when the prediction is asked for: a column of the labels query and a field of the predict request.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Min">Least value a request may give (numbers only); null for no bound.</param>
/// <param name="Max">Greatest value a request may give (numbers only); null for no bound.</param>
public sealed record TaskInput(string Name, InputType Type, string Description, double? Min = null, double? Max = null);

/// <summary>A feature computed from request inputs the same way in training and serving.</summary>
/// <param name="Name">Feature name.</param>
/// <param name="Expression">The expression, e.g. <c>ratio(freight_value, price)</c>.</param>
/// <param name="Description">What it measures.</param>
public sealed record TaskRequestFeature(string Name, RequestExpression Expression, string Description);

/// <summary>Gradient-boosted trees settings (ML.NET FastTree).</summary>
/// <param name="Trees">Number of trees. Default 200.</param>
/// <param name="Leaves">Leaves per tree. Default 16.</param>
/// <param name="LearningRate">Shrinkage. Default 0.05.</param>
/// <param name="MinExamplesPerLeaf">Least examples in a leaf. Default 50.</param>
public sealed record TrainerSettings(int Trees = 200, int Leaves = 16, double LearningRate = 0.05, int MinExamplesPerLeaf = 50);

/// <summary>
/// A prediction task (<c>kind: prediction</c> in a features folder): a labels query over gold giving one labelled
/// event per row, the feature groups joined point in time at each event, the request inputs and the features derived
/// from them, and how to train and judge a binary classifier.
/// </summary>
public sealed record PredictionTask
{
    /// <summary>Task name (file name); models are registered and stored under it.</summary>
    public required string Name { get; init; }

    /// <summary>Domain folder.</summary>
    public required string Domain { get; init; }

    /// <summary>The YAML file.</summary>
    public required string Path { get; init; }

    /// <summary>What is predicted.</summary>
    public required string Description { get; init; }

    /// <summary>Who answers for the model.</summary>
    public required string Owner { get; init; }

    /// <summary>Column / request field identifying an example, e.g. <c>order_id</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Column / optional request field holding the time the prediction is made for (the event time).</summary>
    public required string EventTimestamp { get; init; }

    /// <summary>Boolean label column of the labels query.</summary>
    public required string Label { get; init; }

    /// <summary>The labels query.</summary>
    public required SqlTemplate Labels { get; init; }

    /// <summary>Gold models and sources the labels query reads.</summary>
    public IReadOnlyList<RelationRef> References { get; init; } = [];

    /// <summary>The groups joined, in order.</summary>
    public required IReadOnlyList<TaskEntity> Entities { get; init; }

    /// <summary>The group features the model uses, in order.</summary>
    public required IReadOnlyList<TaskFeature> Features { get; init; }

    /// <summary>Request inputs besides the key, the entity ids and the event time.</summary>
    public required IReadOnlyList<TaskInput> Inputs { get; init; }

    /// <summary>Features computed from the inputs.</summary>
    public required IReadOnlyList<TaskRequestFeature> RequestFeatures { get; init; }

    /// <summary>The feature whose value is the baseline score (a rule without a model), or null for the prior only.</summary>
    public TaskFeature? Baseline { get; init; }

    /// <summary>Share of the latest events held out for evaluation. Default 0.2.</summary>
    public double Holdout { get; init; } = 0.2;

    /// <summary>Trainer settings.</summary>
    public TrainerSettings Trainer { get; init; } = new();

    /// <summary>The entity of <paramref name="group"/>, or null.</summary>
    public TaskEntity? EntityOf(string group) => Entities.FirstOrDefault(e => e.Group == group);
}
