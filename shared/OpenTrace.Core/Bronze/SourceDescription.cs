namespace OpenTrace.Core.Bronze;

/// <summary>The layout of a source file, as sniffed from its first bytes.</summary>
public enum SourceFormat
{
    /// <summary>Delimited text (CSV, TSV, semicolon- or pipe-separated) with a header row.</summary>
    Delimited,

    /// <summary>Newline-delimited JSON: one object per line (or any whitespace-separated objects).</summary>
    Ndjson,

    /// <summary>A JSON array of objects.</summary>
    JsonArray,

    /// <summary>Apache Parquet.</summary>
    Parquet,
}

/// <summary>What bronze found out about a source file before reading its rows.</summary>
/// <param name="Format">The layout.</param>
/// <param name="Gzip">True when the object was gzip-compressed (detected by magic bytes, whatever its name).</param>
/// <param name="Delimiter">The field delimiter of delimited text; null for other formats.</param>
/// <param name="Encoding">Web name of the text encoding (<c>utf-8</c> or <c>windows-1252</c>); null for Parquet.</param>
/// <param name="ByteOrderMark">True when the text started with a UTF-8 byte order mark.</param>
/// <param name="Warnings">Things a human should know, such as the encoding fallback; empty when none.</param>
public sealed record SourceDescription(
    SourceFormat Format,
    bool Gzip,
    char? Delimiter,
    string? Encoding,
    bool ByteOrderMark,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A short label such as <c>csv(';') gzip utf-8</c>, for logs and run records.</summary>
    public override string ToString()
    {
        var format = Format switch
        {
            SourceFormat.Delimited => Delimiter == '\t' ? "csv(tab)" : $"csv('{Delimiter}')",
            SourceFormat.Ndjson => "ndjson",
            SourceFormat.JsonArray => "json-array",
            _ => "parquet",
        };
        return string.Join(' ', new[] { format, Gzip ? "gzip" : null, Encoding }.Where(p => p is not null));
    }
}
