using System.Globalization;

namespace OpenTrace.Core;

/// <summary>Object names inside the lake bucket.</summary>
public static class LakePaths
{
    /// <summary>Prefix of bronze Parquet files.</summary>
    public const string BronzePrefix = "bronze/";

    /// <summary>Prefix of silver Parquet files.</summary>
    public const string SilverPrefix = "silver/";

    /// <summary>Prefix of gold Parquet exports.</summary>
    public const string GoldPrefix = "gold/";

    /// <summary>Prefix of quarantined rows and files.</summary>
    public const string QuarantinePrefix = "quarantine/";

    /// <summary>Prefix of feature exports.</summary>
    public const string FeaturesPrefix = "features/";

    /// <summary>Prefix of embedding snapshots.</summary>
    public const string EmbeddingsPrefix = "embeddings/";

    /// <summary><c>bronze/&lt;domain&gt;/&lt;table&gt;/ingest_date=YYYY-MM-DD/&lt;lineage_id&gt;.parquet</c>.</summary>
    public static string Bronze(string domain, string table, DateOnly ingestDate, string lineageId) =>
        $"{BronzePrefix}{domain}/{table}/ingest_date={ingestDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/{lineageId}.parquet";

    /// <summary>
    /// Parses a bronze Parquet object name back into its parts; null when the name is not one
    /// (so functions triggered by the lake bucket can ignore everything else).
    /// </summary>
    public static BronzeObjectName? ParseBronze(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        if (!objectName.StartsWith(BronzePrefix, StringComparison.Ordinal) || !objectName.EndsWith(".parquet", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = objectName.Split('/');
        if (parts.Length != 5 || !parts[3].StartsWith("ingest_date=", StringComparison.Ordinal))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(parts[3]["ingest_date=".Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return null;
        }

        var lineageId = parts[4][..^".parquet".Length];
        return parts[1].Length == 0 || parts[2].Length == 0 || lineageId.Length == 0
            ? null
            : new BronzeObjectName(parts[1], parts[2], date, lineageId);
    }
}

/// <summary>The parts of a bronze Parquet object name.</summary>
/// <param name="Domain">Domain, e.g. <c>olist</c>.</param>
/// <param name="Table">Table, e.g. <c>orders</c>.</param>
/// <param name="IngestDate">Partition date.</param>
/// <param name="LineageId">Lineage id of the source object generation.</param>
public sealed record BronzeObjectName(string Domain, string Table, DateOnly IngestDate, string LineageId);
