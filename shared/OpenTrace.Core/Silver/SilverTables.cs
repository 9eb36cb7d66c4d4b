using System.Globalization;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>Names and shapes of silver data: tables, lake objects, staging tables and quarantine ids.</summary>
public static class SilverTables
{
    /// <summary>Object metadata key holding the contract fingerprint an output was written under.</summary>
    public const string FingerprintMetadata = "contract_fingerprint";

    /// <summary>Object metadata key holding the id of the personal-data key an output was written with.</summary>
    public const string PiiKeyMetadata = "pii_key_id";

    /// <summary>The lineage columns every silver row ends with.</summary>
    public static IReadOnlyList<ColumnSchema> LineageColumns { get; } =
    [
        new(Lineage.LineageId, ColumnType.String, Nullable: false, Description: "Source object generation the row came from."),
        new(Lineage.SourceUri, ColumnType.String, Nullable: false, Description: "gs:// URI of the source object."),
        new(Lineage.SourceGeneration, ColumnType.Int64, Nullable: false, Description: "Generation of the source object."),
        new(Lineage.RowNumber, ColumnType.Int64, Nullable: false, Description: "1-based data row in the source file."),
        new(Lineage.IngestedAt, ColumnType.Timestamp, Nullable: false, Description: "When bronze ingested the source file (UTC)."),
    ];

    /// <summary><c>silver.&lt;domain&gt;__&lt;table&gt;</c>.</summary>
    public static TableId TableFor(TableRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new TableId(Datasets.Silver, Datasets.TableName(route.Domain, route.Table));
    }

    /// <summary>
    /// The staging table one file's rows are loaded into before the MERGE: in the <c>ops</c> dataset, so silver only
    /// ever holds published tables.
    /// </summary>
    public static TableId StagingFor(TableRoute route, string lineageId)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentException.ThrowIfNullOrEmpty(lineageId);
        return new TableId(Datasets.Ops, $"silver_staging__{route.Domain}__{route.Table}__{lineageId}");
    }

    /// <summary>The silver table schema: columns as given, clustered by the first four key columns.</summary>
    public static TableSchema Schema(DataContract contract, IReadOnlyList<ColumnSchema> columns)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(columns);
        return new TableSchema(
            TableFor(contract.Route),
            columns,
            ClusterBy: contract.PrimaryKey.Take(4).ToList(),
            Description: contract.Description ?? $"Silver {contract.Route}: typed, cleaned and deduplicated under {Path.GetFileName(contract.SourcePath)}.");
    }

    /// <summary><c>silver/&lt;domain&gt;/&lt;table&gt;/ingest_date=…/&lt;lineage_id&gt;.parquet</c>.</summary>
    public static string SilverObject(TableRoute route, DateOnly ingestDate, string lineageId) =>
        LakeObject(LakePaths.SilverPrefix, route, ingestDate, lineageId);

    /// <summary><c>quarantine/&lt;domain&gt;/&lt;table&gt;/ingest_date=…/&lt;lineage_id&gt;.parquet</c>.</summary>
    public static string QuarantineObject(TableRoute route, DateOnly ingestDate, string lineageId) =>
        LakeObject(LakePaths.QuarantinePrefix, route, ingestDate, lineageId);

    /// <summary>The id of a quarantined row: lineage id and row number, stable across retries and replays.</summary>
    public static string RowQuarantineId(string lineageId, long rowNumber) =>
        string.Create(CultureInfo.InvariantCulture, $"{lineageId}:{rowNumber}");

    /// <summary>The id of a file quarantined by silver as a whole.</summary>
    public static string FileQuarantineId(string lineageId) => $"{lineageId}:file";

    private static string LakeObject(string prefix, TableRoute route, DateOnly ingestDate, string lineageId)
    {
        ArgumentNullException.ThrowIfNull(route);
        return $"{prefix}{route.Domain}/{route.Table}/ingest_date={ingestDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{lineageId}.parquet";
    }
}
