namespace OpenTrace.Core.Bronze;

/// <summary>Rule ids bronze records in <c>ops.quarantine.rule</c> when a whole file can never be ingested.</summary>
public static class BronzeRules
{
    /// <summary>The file (or its decompressed content) has no bytes, or only whitespace.</summary>
    public const string Empty = "format.empty";

    /// <summary>The content is not text: NUL bytes, many control characters, or a known binary format such as ZIP.</summary>
    public const string Binary = "format.binary";

    /// <summary>The text is in an encoding bronze does not read (UTF-16 or UTF-32).</summary>
    public const string Encoding = "format.encoding";

    /// <summary>A gzip stream ends before its end marker (cut during transfer).</summary>
    public const string GzipTruncated = "format.gzip_truncated";

    /// <summary>A gzip stream holds invalid compressed data.</summary>
    public const string GzipCorrupt = "format.gzip_corrupt";

    /// <summary>JSON or NDJSON that does not parse.</summary>
    public const string JsonInvalid = "format.json_invalid";

    /// <summary>Delimited text that cannot be split into records (an unclosed quote, a record beyond the size limit).</summary>
    public const string CsvMalformed = "format.csv_malformed";

    /// <summary>A header (or an empty array, or a Parquet file) without a single data row.</summary>
    public const string NoRows = "format.no_rows";

    /// <summary>Parquet whose footer or pages cannot be read.</summary>
    public const string ParquetCorrupt = "format.parquet_corrupt";

    /// <summary>Parquet with a column type bronze cannot turn into text (deeply nested groups).</summary>
    public const string ParquetUnsupported = "format.parquet_unsupported";

    /// <summary>More columns (header fields, distinct JSON keys) than a table can hold.</summary>
    public const string TooManyColumns = "format.too_many_columns";

    /// <summary>The object name routes to no table.</summary>
    public const string Unroutable = "route.unroutable";
}

/// <summary>
/// A file bronze can never ingest, whatever the number of retries: the <see cref="OpenTraceException.Rule"/> is one
/// of <see cref="BronzeRules"/> and the message names the file and what is wrong with it.
/// </summary>
public sealed class UnreadableFileException(string reason, string file, string rule, long? row = null, Exception? inner = null)
    : OpenTraceException(reason, file: file, row: row, rule: rule, inner: inner);
