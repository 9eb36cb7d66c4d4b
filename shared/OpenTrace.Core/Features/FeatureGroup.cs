using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>What the online store does with a value older than its group's time to live.</summary>
public enum StalePolicy
{
    /// <summary>Returned with <c>stale: true</c> (and used by predictions, flagged) until it expires.</summary>
    Flag,

    /// <summary>Not returned: a lookup finds nothing, a prediction treats the group as missing.</summary>
    Omit,
}

/// <summary>One feature of a group: a column of the group's query.</summary>
/// <param name="Name">Column name (letters, digits, '_').</param>
/// <param name="Type">Declared type: <c>float64</c>, <c>int64</c>, <c>bool</c>, <c>string</c> or <c>timestamp</c>.</param>
/// <param name="Description">What it measures and over which window.</param>
public sealed record FeatureDefinition(string Name, GoldType Type, string Description);

/// <summary>
/// A feature group: a SQL query over gold and silver producing the history of one entity's features, one row per
/// (entity id, event timestamp), each computed only from data at or before its event timestamp. Declared in
/// <c>pipelines/&lt;domain&gt;/features/&lt;name&gt;.yaml</c>; <see cref="OfflineTable"/> holds the history and the
/// online store the latest row per entity.
/// </summary>
public sealed record FeatureGroup
{
    /// <summary>Column of the offline table holding the event time of a row.</summary>
    public const string EventTimestampColumn = "event_timestamp";

    /// <summary>Column of the offline table holding when a row's values became known.</summary>
    public const string CreatedAtColumn = "created_at";

    /// <summary>Column of the offline table holding when the row was written.</summary>
    public const string MaterializedAtColumn = "_materialized_at";

    /// <summary>Column of the offline table holding the materialisation run that wrote the row.</summary>
    public const string RunIdColumn = "_run_id";

    /// <summary>Group name: the file name, the table <c>features.&lt;name&gt;</c> and the online documents' prefix.</summary>
    public required string Name { get; init; }

    /// <summary>Domain folder, e.g. <c>olist</c>.</summary>
    public required string Domain { get; init; }

    /// <summary>The YAML file.</summary>
    public required string Path { get; init; }

    /// <summary>What the group describes.</summary>
    public required string Description { get; init; }

    /// <summary>Who answers for the group (a team or an address).</summary>
    public required string Owner { get; init; }

    /// <summary>Column of the query holding the entity id (a string, e.g. <c>seller_id</c>).</summary>
    public required string EntityColumn { get; init; }

    /// <summary>What the entity is, or null.</summary>
    public string? EntityDescription { get; init; }

    /// <summary>How long after its event timestamp a value counts as fresh.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>What a read does with a stale value. Default <see cref="StalePolicy.Flag"/>.</summary>
    public StalePolicy OnStale { get; init; } = StalePolicy.Flag;

    /// <summary>
    /// How long after going stale an online document is kept (its <c>expire_at</c> is event time + TTL + this), so a
    /// flagging group can still return it flagged. Default 7 days.
    /// </summary>
    public TimeSpan KeepStaleFor { get; init; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How far before the watermark an incremental run recomputes, to catch source rows that arrived late or were
    /// corrected. Default 0: only event times after the watermark.
    /// </summary>
    public TimeSpan LateWindow { get; init; }

    /// <summary>Features in declaration order.</summary>
    public required IReadOnlyList<FeatureDefinition> Features { get; init; }

    /// <summary>The query producing (entity id, <c>event_timestamp</c>, features...).</summary>
    public required SqlTemplate Query { get; init; }

    /// <summary>Gold models and sources the query reads.</summary>
    public IReadOnlyList<RelationRef> References { get; init; } = [];

    /// <summary>The offline history, <c>features.&lt;name&gt;</c>.</summary>
    public TableId OfflineTable => new(Datasets.Features, Name);

    /// <summary>The feature named <paramref name="name"/>, or null.</summary>
    public FeatureDefinition? Find(string name) => Features.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>The schema of <see cref="OfflineTable"/>: entity, event and created timestamps, features, run columns.</summary>
    public TableSchema OfflineSchema() => new(
        OfflineTable,
        [
            new(EntityColumn, ColumnType.String, Nullable: false, Description: EntityDescription ?? "Entity id."),
            new(EventTimestampColumn, ColumnType.Timestamp, Nullable: false, Description: "Event time: the values use only data at or before it."),
            new(CreatedAtColumn, ColumnType.Timestamp, Nullable: false, Description: "When the values became known: the event time for history computed from source events, the write time for late or corrected rows."),
            .. Features.Select(f => new ColumnSchema(f.Name, f.Type.Kind, Description: f.Description)),
            new(MaterializedAtColumn, ColumnType.Timestamp, Nullable: false, Description: "When the row was written."),
            new(RunIdColumn, ColumnType.String, Nullable: false, Description: "Materialisation run that wrote the row (ops.feature_materializations)."),
        ],
        PartitionBy: EventTimestampColumn,
        ClusterBy: [EntityColumn],
        Description: $"{Description} Append-only history of feature group {Name}.");

    /// <summary>The query as a gold model, so gold's renderer casts every column to its declared type in both dialects.</summary>
    internal GoldModel AsModel() => new()
    {
        Name = Name,
        Domain = Domain,
        Path = Path,
        Description = Description,
        Columns =
        [
            new ModelColumn(EntityColumn, new GoldType(ColumnType.String), null),
            new ModelColumn(EventTimestampColumn, new GoldType(ColumnType.Timestamp), null),
            .. Features.Select(f => new ModelColumn(f.Name, f.Type, f.Description)),
        ],
        Body = Query,
        References = References,
    };
}
