using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// The shape of bronze data, in Parquet and in the warehouse: every source column as a nullable string, then the
/// lineage columns, <see cref="Lineage.RowIssue"/> and <see cref="ExtraFields"/>.
/// </summary>
public static class BronzeTable
{
    /// <summary>Values of a row beyond the header, as a JSON array of strings; null when the row fits the header.</summary>
    public const string ExtraFields = "_extra_fields";

    /// <summary>Parquet key-value metadata: the source's column names as a JSON array, in column order.</summary>
    public const string SourceColumnsKey = "opentrace.source_columns";

    /// <summary>Parquet key-value metadata: the lineage id.</summary>
    public const string LineageIdKey = "opentrace.lineage_id";

    /// <summary>Parquet key-value metadata: the source object's URI.</summary>
    public const string SourceUriKey = "opentrace.source_uri";

    /// <summary>Parquet key-value metadata: the source object's generation.</summary>
    public const string SourceGenerationKey = "opentrace.source_generation";

    /// <summary>Parquet key-value metadata: the sniffed format, e.g. <c>csv(';') gzip utf-8</c>.</summary>
    public const string SourceFormatKey = "opentrace.source_format";

    /// <summary>The columns bronze adds after the source columns, in order.</summary>
    public static IReadOnlyList<string> AddedColumns { get; } =
        [Lineage.LineageId, Lineage.SourceUri, Lineage.SourceGeneration, Lineage.RowNumber, Lineage.IngestedAt, Lineage.RowIssue, ExtraFields];

    /// <summary>JSON settings for text bronze writes (non-ASCII kept readable).</summary>
    internal static JsonSerializerOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The warehouse table of a domain table: <c>bronze.&lt;domain&gt;__&lt;table&gt;</c>.</summary>
    public static TableId TableFor(TableRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new TableId(Datasets.Bronze, Datasets.TableName(route.Domain, route.Table));
    }

    /// <summary>
    /// The warehouse schema for <paramref name="columns"/> (already cleaned by <see cref="BronzeColumnNames"/>):
    /// partitioned by the day of <see cref="Lineage.IngestedAt"/>, clustered by <see cref="Lineage.LineageId"/>.
    /// </summary>
    public static TableSchema Schema(TableId table, IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var schema = new List<ColumnSchema>(columns.Count + AddedColumns.Count);
        schema.AddRange(columns.Select(c => new ColumnSchema(c, ColumnType.String)));
        schema.Add(new ColumnSchema(Lineage.LineageId, ColumnType.String, Nullable: false, Description: "Source object generation the row came from."));
        schema.Add(new ColumnSchema(Lineage.SourceUri, ColumnType.String, Nullable: false, Description: "gs:// URI of the source object."));
        schema.Add(new ColumnSchema(Lineage.SourceGeneration, ColumnType.Int64, Nullable: false, Description: "Generation of the source object."));
        schema.Add(new ColumnSchema(Lineage.RowNumber, ColumnType.Int64, Nullable: false, Description: "1-based data row in the source file."));
        schema.Add(new ColumnSchema(Lineage.IngestedAt, ColumnType.Timestamp, Nullable: false, Description: "When bronze ingested the file (UTC)."));
        schema.Add(new ColumnSchema(Lineage.RowIssue, ColumnType.String, Description: "Why the row did not fit the header, or null."));
        schema.Add(new ColumnSchema(ExtraFields, ColumnType.String, Description: "Values beyond the header as a JSON array, or null."));
        return new TableSchema(table, schema, PartitionBy: Lineage.IngestedAt, ClusterBy: [Lineage.LineageId],
            Description: "Raw rows as text with lineage; append-only.");
    }
}

/// <summary>Where a bronze file's rows come from and when they were ingested.</summary>
/// <param name="LineageId">See <see cref="Lineage.IdFor"/>.</param>
/// <param name="SourceUri"><c>gs://bucket/name</c> of the source object.</param>
/// <param name="SourceGeneration">Its generation.</param>
/// <param name="IngestedAt">When bronze ingested it (UTC; stored with microsecond precision).</param>
public sealed record BronzeLineage(string LineageId, string SourceUri, long SourceGeneration, DateTimeOffset IngestedAt)
{
    /// <summary>The lineage of one object generation ingested at <paramref name="ingestedAt"/>.</summary>
    public static BronzeLineage For(string bucket, string name, long generation, DateTimeOffset ingestedAt) =>
        new(Lineage.IdFor(bucket, name, generation), Storage.ObjectRef.ToUri(bucket, name), generation, ingestedAt);
}
