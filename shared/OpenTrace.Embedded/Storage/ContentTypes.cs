namespace OpenTrace.Embedded.Storage;

/// <summary>Infers a MIME type from an object name, for objects written without one or dropped into a folder by hand.</summary>
internal static class ContentTypes
{
    /// <summary>What Cloud Storage reports when nothing better is known.</summary>
    public const string Default = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".csv"] = "text/csv",
        [".tsv"] = "text/tab-separated-values",
        [".tab"] = "text/tab-separated-values",
        [".txt"] = "text/plain",
        [".json"] = "application/json",
        [".ndjson"] = "application/x-ndjson",
        [".jsonl"] = "application/x-ndjson",
        [".parquet"] = "application/vnd.apache.parquet",
        [".gz"] = "application/gzip",
        [".zip"] = "application/zip",
        [".yaml"] = "application/yaml",
        [".yml"] = "application/yaml",
        [".md"] = "text/markdown",
        [".sql"] = "application/sql",
        [".xml"] = "application/xml",
        [".html"] = "text/html",
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".pdf"] = "application/pdf",
    };

    public static string FromName(string name) =>
        ByExtension.TryGetValue(Path.GetExtension(name), out var type) ? type : Default;
}
