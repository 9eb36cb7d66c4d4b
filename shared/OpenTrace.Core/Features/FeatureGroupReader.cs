using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>Reads a feature group file (<c>kind: feature_group</c>). Every error names the file and line.</summary>
public static class FeatureGroupReader
{
    /// <summary>The <c>kind</c> of a feature group file.</summary>
    public const string Kind = "feature_group";

    /// <summary>Feature types a group may declare.</summary>
    public const string AcceptedTypes = "float64, int64, bool, string, timestamp";

    private static readonly Dictionary<string, StalePolicy> Policies = new(StringComparer.Ordinal)
    {
        ["flag"] = StalePolicy.Flag,
        ["omit"] = StalePolicy.Omit,
    };

    /// <summary>Parses a group; <paramref name="path"/>'s file name (without <c>.yaml</c>) is the group name.</summary>
    public static FeatureGroup Read(string path, string domain, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        return Read(path, domain, YamlSection.Load(path, text));
    }

    internal static FeatureGroup Read(string path, string domain, YamlSection root)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        if (!ModelFileReader.IsIdentifier(name))
        {
            throw new OpenTraceException($"Feature file name '{name}' is not a valid group name (a letter or '_', then letters, digits or '_').", file: path, rule: "features");
        }

        var group = root.As($"feature group '{name}'");
        group.RejectUnknown("kind", "description", "owner", "entity", "ttl", "on_stale", "keep_stale_for", "late_window", "features", "query");
        var entity = group.Map("entity", "the entity");
        entity.RejectUnknown("column", "description");
        var entityColumn = entity.Identifier("column");

        var features = new List<FeatureDefinition>();
        foreach (var (node, map, _) in group.Items("features", required: true))
        {
            var feature = map ?? throw group.Error(node, "Each feature is a map with name, type and description.");
            feature.RejectUnknown("name", "type", "description");
            var featureName = feature.Identifier("name");
            var typeText = feature.Required("type");
            var type = GoldType.TryParse(typeText) is { Kind: ColumnType.Float64 or ColumnType.Int64 or ColumnType.Bool or ColumnType.String or ColumnType.Timestamp } t
                ? t
                : throw feature.Error(feature.Node("type")!, $"Feature '{featureName}' has type '{typeText}'; feature types are {AcceptedTypes}.");
            if (featureName == entityColumn || IsReserved(featureName) || features.Any(f => f.Name == featureName))
            {
                throw feature.Error(feature.Node("name")!, $"Feature name '{featureName}' is taken (the entity column, another feature, {FeatureGroup.EventTimestampColumn}, {FeatureGroup.CreatedAtColumn} or a '_' column).");
            }

            features.Add(new FeatureDefinition(featureName, type, feature.Required("description")));
        }

        if (features.Count == 0)
        {
            throw group.Error(group.Node("features")!, "A feature group declares at least one feature.");
        }

        var (sql, line) = group.Sql("query");
        var query = SqlTemplate.Parse(path, sql, line);
        var ttl = group.Duration("ttl", TimeSpan.Zero);
        if (ttl == TimeSpan.Zero)
        {
            throw group.Error($"Feature group '{name}' needs 'ttl': how long after its event time a value counts as fresh (e.g. 90d).");
        }

        return new FeatureGroup
        {
            Name = name,
            Domain = domain,
            Path = path,
            Description = group.Required("description"),
            Owner = group.Required("owner"),
            EntityColumn = entityColumn,
            EntityDescription = entity.Text("description"),
            Ttl = ttl,
            OnStale = group.Choice("on_stale", StalePolicy.Flag, Policies),
            KeepStaleFor = group.Duration("keep_stale_for", TimeSpan.FromDays(7), allowZero: true),
            LateWindow = group.Duration("late_window", TimeSpan.Zero, allowZero: true),
            Features = features,
            Query = query,
            References = query.Calls.Select(ModelFileReader.RelationOf).OfType<RelationRef>().ToList(),
        };
    }

    private static bool IsReserved(string name) =>
        name is FeatureGroup.EventTimestampColumn or FeatureGroup.CreatedAtColumn || name.StartsWith('_');
}
