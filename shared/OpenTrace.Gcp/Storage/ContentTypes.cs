namespace OpenTrace.Gcp.Storage;

/// <summary>MIME types for the file kinds the platform writes, inferred from the object name.</summary>
internal static class ContentTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "text/csv",
        [".tsv"] = "text/tab-separated-values",
        [".json"] = "application/json",
        [".ndjson"] = "application/x-ndjson",
        [".jsonl"] = "application/x-ndjson",
        [".parquet"] = "application/vnd.apache.parquet",
        [".gz"] = "application/gzip",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".yaml"] = "application/yaml",
        [".yml"] = "application/yaml",
        [".zip"] = "application/zip",
    };

    public static string FromName(string name) =>
        ByExtension.TryGetValue(Path.GetExtension(name), out var type) ? type : "application/octet-stream";
}
