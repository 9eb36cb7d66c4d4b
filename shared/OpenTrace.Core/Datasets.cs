namespace OpenTrace.Core;

/// <summary>Warehouse datasets (BigQuery datasets, DuckDB schemas) and the table naming rule.</summary>
public static class Datasets
{
    /// <summary>Raw rows as text with lineage; append-only.</summary>
    public const string Bronze = "bronze";

    /// <summary>Typed, cleaned, deduplicated rows.</summary>
    public const string Silver = "silver";

    /// <summary>Published models: star schema and KPIs.</summary>
    public const string Gold = "gold";

    /// <summary>Where gold models are built and tested before they are published into <see cref="Gold"/>.</summary>
    public const string GoldStaging = "gold_staging";

    /// <summary>Offline feature history.</summary>
    public const string Features = "features";

    /// <summary>Runs, quality events, quarantine and watermarks.</summary>
    public const string Ops = "ops";

    /// <summary>All datasets in build order.</summary>
    public static IReadOnlyList<string> All { get; } = [Bronze, Silver, GoldStaging, Gold, Features, Ops];

    /// <summary>The bronze/silver table name for a domain table: <c>&lt;domain&gt;__&lt;table&gt;</c>.</summary>
    public static string TableName(string domain, string table) => $"{domain}__{table}";
}
