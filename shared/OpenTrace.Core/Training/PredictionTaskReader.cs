using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Training;

/// <summary>Reads a prediction task file (<c>kind: prediction</c>). References to groups are checked by <see cref="FeatureCatalog"/>.</summary>
public static class PredictionTaskReader
{
    /// <summary>The <c>kind</c> of a prediction task file.</summary>
    public const string Kind = "prediction";

    private static readonly Dictionary<string, InputType> InputTypes = new(StringComparer.Ordinal)
    {
        ["string"] = InputType.String,
        ["float64"] = InputType.Number,
        ["timestamp"] = InputType.Timestamp,
    };

    /// <summary>Parses a task; the file name is the task name.</summary>
    public static PredictionTask Read(string path, string domain, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        return Read(path, domain, YamlSection.Load(path, text));
    }

    internal static PredictionTask Read(string path, string domain, YamlSection root)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!ModelFileReader.IsIdentifier(name))
        {
            throw new OpenTraceException($"Prediction file name '{name}' is not a valid name (a letter or '_', then letters, digits or '_').", file: path, rule: "features");
        }

        var task = root.As($"prediction '{name}'");
        task.RejectUnknown("kind", "description", "owner", "key", "event_timestamp", "label", "entities", "features", "inputs", "request_features", "baseline", "holdout", "trainer", "labels");
        var key = task.Identifier("key");
        var eventTimestamp = task.Identifier("event_timestamp");
        var label = task.Identifier("label");
        var taken = new HashSet<string>(StringComparer.Ordinal) { key, eventTimestamp, label };

        var entities = new List<TaskEntity>();
        foreach (var (node, map, _) in task.Items("entities", required: true))
        {
            var entity = map ?? throw task.Error(node, "Each entity is a map: {group: seller, column: seller_id}.");
            entity.RejectUnknown("group", "column");
            var group = entity.Identifier("group");
            var column = entity.Identifier("column");
            if (entities.Any(e => e.Group == group) || !taken.Add(column))
            {
                throw entity.Error(node, $"Entity {group} ({column}) repeats a group or a column name already used.");
            }

            entities.Add(new TaskEntity(group, column));
        }

        var inputs = new List<TaskInput>();
        foreach (var (node, map, _) in task.Items("inputs", required: false))
        {
            var input = map ?? throw task.Error(node, "Each input is a map with name, type (string, float64, timestamp) and description.");
            input.RejectUnknown("name", "type", "description", "min", "max");
            var inputName = input.Identifier("name");
            if (!taken.Add(inputName))
            {
                throw input.Error(node, $"Input '{inputName}' repeats a name already used (key, event_timestamp, label, an entity column or another input).");
            }

            var type = input.Choice("type", InputType.Number, InputTypes);
            double? min = input.Has("min") ? input.Number("min", 0, double.MinValue, double.MaxValue) : null;
            double? max = input.Has("max") ? input.Number("max", 0, double.MinValue, double.MaxValue) : null;
            if ((min is not null || max is not null) && type != InputType.Number)
            {
                throw input.Error(node, $"Input '{inputName}': min and max bound float64 inputs only.");
            }

            inputs.Add(new TaskInput(inputName, type, input.Required("description"), min, max));
        }

        var known = inputs.ToDictionary(i => i.Name, i => i.Type, StringComparer.Ordinal);
        known[eventTimestamp] = InputType.Timestamp;
        var requestFeatures = new List<TaskRequestFeature>();
        foreach (var (node, map, _) in task.Items("request_features", required: false))
        {
            var feature = map ?? throw task.Error(node, "Each request feature is a map with name, expression and description.");
            feature.RejectUnknown("name", "expression", "description");
            var featureName = feature.Identifier("name");
            if (requestFeatures.Any(f => f.Name == featureName))
            {
                throw feature.Error(node, $"Request feature '{featureName}' is declared twice.");
            }

            var expression = RequestExpression.Parse(feature.Required("expression"), known, message => feature.Error(feature.Node("expression")!, message));
            requestFeatures.Add(new TaskRequestFeature(featureName, expression, feature.Required("description")));
        }

        var features = task.Items("features", required: false)
            .Select(item => ParseFeature(task, item.Node, item.Scalar))
            .ToList();
        var baseline = task.Text("baseline") is { } b ? ParseFeature(task, task.Node("baseline")!, b) : null;
        var trainer = task.Has("trainer") ? task.Map("trainer", "the trainer") : null;
        trainer?.RejectUnknown("trees", "leaves", "learning_rate", "min_leaf");
        var (labels, line) = task.Sql("labels");
        var query = SqlTemplate.Parse(path, labels, line);
        return new PredictionTask
        {
            Name = name,
            Domain = domain,
            Path = path,
            Description = task.Required("description"),
            Owner = task.Required("owner"),
            Key = key,
            EventTimestamp = eventTimestamp,
            Label = label,
            Labels = query,
            References = query.Calls.Select(ModelFileReader.RelationOf).OfType<RelationRef>().ToList(),
            Entities = entities,
            Features = features,
            Inputs = inputs,
            RequestFeatures = requestFeatures,
            Baseline = baseline,
            Holdout = task.Number("holdout", 0.2, 0.05, 0.5),
            Trainer = trainer is null
                ? new TrainerSettings()
                : new TrainerSettings(
                    (int)trainer.Number("trees", 200, 1, 5000),
                    (int)trainer.Number("leaves", 16, 2, 1024),
                    trainer.Number("learning_rate", 0.05, 0.0001, 1),
                    (int)trainer.Number("min_leaf", 50, 1, 100_000)),
        };
    }

    private static TaskFeature ParseFeature(YamlSection task, YamlDotNet.RepresentationModel.YamlNode node, string? text)
    {
        var parts = text?.Split('.') ?? [];
        return parts.Length == 2 && ModelFileReader.IsIdentifier(parts[0]) && ModelFileReader.IsIdentifier(parts[1])
            ? new TaskFeature(parts[0], parts[1])
            : throw task.Error(node, $"'{text}' is not a feature reference: write group.feature, e.g. seller.late_rate_90d.");
    }

    /// <summary>Checks the task against the groups it joins and fills in the default feature list.</summary>
    internal static PredictionTask Resolve(PredictionTask task, IReadOnlyDictionary<string, FeatureGroup> groups)
    {
        OpenTraceException Error(string message) => new(message, file: task.Path, rule: "features");
        foreach (var entity in task.Entities)
        {
            if (!groups.ContainsKey(entity.Group))
            {
                throw Error($"Prediction '{task.Name}' joins feature group '{entity.Group}', which no features folder declares. Groups: {string.Join(", ", groups.Keys.Order(StringComparer.Ordinal))}.");
            }
        }

        var features = task.Features.Count > 0
            ? task.Features
            : task.Entities.SelectMany(e => groups[e.Group].Features.Where(f => IsNumeric(f.Type.Kind)).Select(f => new TaskFeature(e.Group, f.Name))).ToList();
        foreach (var feature in features.Concat(task.Baseline is null ? [] : [task.Baseline]))
        {
            if (task.EntityOf(feature.Group) is null)
            {
                throw Error($"Feature {feature} of prediction '{task.Name}' belongs to a group the task does not join; add it to entities.");
            }

            var definition = groups[feature.Group].Find(feature.Feature)
                ?? throw Error($"Feature group '{feature.Group}' has no feature '{feature.Feature}' (used by prediction '{task.Name}').");
            if (!IsNumeric(definition.Type.Kind))
            {
                throw Error($"Feature {feature} is {definition.Type}; a model takes float64, int64 and bool features.");
            }
        }

        return task with { Features = features };
    }

    private static bool IsNumeric(ColumnType type) => type is ColumnType.Float64 or ColumnType.Int64 or ColumnType.Bool;
}
