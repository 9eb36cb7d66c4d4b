using OpenTrace.Core.Features;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Training;

/// <summary>Where one joined group's values go in a feature vector.</summary>
/// <param name="Group">The group.</param>
/// <param name="EntityColumn">Labels column / request field with the entity id.</param>
/// <param name="PresentSlot">Slot set to 1 when the group has a usable value (0: missing, or stale in an omitting group).</param>
/// <param name="Features">The group features used, in order.</param>
/// <param name="FeatureSlots">The slot of each of them.</param>
public sealed record EntitySlots(FeatureGroup Group, string EntityColumn, int PresentSlot, IReadOnlyList<FeatureDefinition> Features, IReadOnlyList<int> FeatureSlots);

/// <summary>
/// The feature vector of a prediction task, the same in training and serving: per joined group a presence flag and
/// its features (a missing value is 0, its presence flag telling it apart), then the request features (NaN as 0).
/// Booleans are 1 or 0.
/// </summary>
public sealed class FeatureLayout
{
    private readonly Dictionary<string, int> _inputPositions;

    /// <summary>Builds the layout of <paramref name="task"/> over its <paramref name="groups"/>.</summary>
    public FeatureLayout(PredictionTask task, IReadOnlyList<FeatureGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(groups);
        Task = task;
        var names = new List<string>();
        var entities = new List<EntitySlots>();
        foreach (var entity in task.Entities)
        {
            var group = groups.FirstOrDefault(g => g.Name == entity.Group)
                ?? throw new ArgumentException($"Group '{entity.Group}' of task '{task.Name}' is missing.", nameof(groups));
            var present = names.Count;
            names.Add($"{group.Name}.{FeatureSql.PresentSuffix}");
            var features = task.Features.Where(f => f.Group == group.Name).Select(f => group.Find(f.Feature)!).ToList();
            var slots = new List<int>();
            foreach (var feature in features)
            {
                slots.Add(names.Count);
                names.Add($"{group.Name}.{feature.Name}");
            }

            entities.Add(new EntitySlots(group, entity.Column, present, features, slots));
        }

        RequestSlot = names.Count;
        names.AddRange(task.RequestFeatures.Select(f => f.Name));
        Names = names;
        Entities = entities;
        _inputPositions = task.Inputs.Select((input, i) => (input.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        _inputPositions[task.EventTimestamp] = task.Inputs.Count;
    }

    /// <summary>The task.</summary>
    public PredictionTask Task { get; }

    /// <summary>Slot names in order: <c>group.present</c>, <c>group.feature</c>..., then request feature names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Per joined group, its slots.</summary>
    public IReadOnlyList<EntitySlots> Entities { get; }

    /// <summary>First slot of the request features.</summary>
    public int RequestSlot { get; }

    /// <summary>Vector length.</summary>
    public int Length => Names.Count;

    /// <summary>Request inputs: the task's inputs, then the event time.</summary>
    public int InputCount => Task.Inputs.Count + 1;

    /// <summary>Position of the event time among the request inputs.</summary>
    public int EventTimestampInput => Task.Inputs.Count;

    /// <summary>Position of an input (or the event time) by name.</summary>
    public IReadOnlyDictionary<string, int> InputPositions => _inputPositions;

    /// <summary>Fills the request-feature slots of <paramref name="vector"/> from <paramref name="inputs"/>.</summary>
    public void FillRequest(Span<float> vector, RequestInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        for (var i = 0; i < Task.RequestFeatures.Count; i++)
        {
            var value = Task.RequestFeatures[i].Expression.Evaluate(inputs, _inputPositions);
            vector[RequestSlot + i] = double.IsFinite(value) ? (float)value : 0f;
        }
    }

    /// <summary>The number a stored feature value contributes (0 for null), as training and serving both encode it.</summary>
    public static float Encode(object? value, ColumnType type) => value switch
    {
        null => 0f,
        bool b => b ? 1f : 0f,
        double d => double.IsFinite(d) ? (float)d : 0f,
        long l => l,
        _ => type == ColumnType.Bool ? (ValueConversion.To<bool>(value) ? 1f : 0f) : (float)ValueConversion.To<double>(value),
    };
}
