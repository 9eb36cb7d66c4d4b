namespace OpenTrace.Core.Ops;

/// <summary>Outcome of one function run, as written to <c>ops.runs.status</c>.</summary>
public static class RunStatus
{
    /// <summary>The work was done and published.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>The input can never succeed; it was quarantined with a reason (answered 2xx).</summary>
    public const string Quarantined = "quarantined";

    /// <summary>The same input was already processed; nothing was done again.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The event was not for this function, or there was nothing to do.</summary>
    public const string Skipped = "skipped";

    /// <summary>A failure that may succeed on retry (answered 5xx) or a reconciliation mismatch.</summary>
    public const string Failed = "failed";
}

/// <summary>One row of <c>ops.runs</c>.</summary>
public sealed record RunRecord
{
    /// <summary>Unique id of this run.</summary>
    public required string RunId { get; init; }

    /// <summary>Function name: bronze, silver, gold, features, train, serve.</summary>
    public required string Function { get; init; }

    /// <summary>One of <see cref="RunStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Domain, or null when the input could not be routed.</summary>
    public string? Domain { get; init; }

    /// <summary>Table within the domain, or null.</summary>
    public string? Table { get; init; }

    /// <summary>Source object URI, or null for scheduled runs.</summary>
    public string? SourceUri { get; init; }

    /// <summary>Source object generation, or null.</summary>
    public long? SourceGeneration { get; init; }

    /// <summary>Lineage id of the source object generation, or null.</summary>
    public string? LineageId { get; init; }

    /// <summary>CloudEvent id that triggered the run, or null.</summary>
    public string? EventId { get; init; }

    /// <summary>Rows read from the input.</summary>
    public long RowsRead { get; init; }

    /// <summary>Rows published.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Rows quarantined.</summary>
    public long RowsQuarantined { get; init; }

    /// <summary>Rows dropped as duplicates.</summary>
    public long RowsDuplicate { get; init; }

    /// <summary>Bytes read from the input.</summary>
    public long BytesRead { get; init; }

    /// <summary>Start (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>End (UTC).</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Error or quarantine reason, or null.</summary>
    public string? Message { get; init; }

    /// <summary>Warnings worth a human's attention (encoding fallback, ragged rows), empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Output object URIs, empty when none.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];
}

/// <summary>One row of <c>ops.quality_events</c>.</summary>
public sealed record QualityEvent
{
    /// <summary>Run that checked the rule.</summary>
    public required string RunId { get; init; }

    /// <summary>Lineage id of the input, or null for warehouse-level checks.</summary>
    public string? LineageId { get; init; }

    /// <summary>Checked table, <c>dataset.table</c>.</summary>
    public required string TableName { get; init; }

    /// <summary>Rule name, e.g. <c>not_null(order_id)</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>warn, drop or fail.</summary>
    public required string Severity { get; init; }

    /// <summary>Column checked, or null.</summary>
    public string? Column { get; init; }

    /// <summary>passed, warned, dropped or failed.</summary>
    public required string Outcome { get; init; }

    /// <summary>Rows checked.</summary>
    public long RowsChecked { get; init; }

    /// <summary>Rows violating the rule.</summary>
    public long Violations { get; init; }

    /// <summary>Human-readable detail, or null.</summary>
    public string? Message { get; init; }

    /// <summary>When the check ran (UTC).</summary>
    public required DateTimeOffset RecordedAt { get; init; }
}

/// <summary>One row of <c>ops.quarantine</c>: a whole file or a single row kept with its reason.</summary>
public sealed record QuarantineRecord
{
    /// <summary>Unique id, shown by <c>opentrace quarantine show</c>.</summary>
    public required string QuarantineId { get; init; }

    /// <summary>Run that quarantined it.</summary>
    public required string RunId { get; init; }

    /// <summary>bronze or silver.</summary>
    public required string Layer { get; init; }

    /// <summary>file or row.</summary>
    public required string Kind { get; init; }

    /// <summary>Domain, or null when the file could not be routed.</summary>
    public string? Domain { get; init; }

    /// <summary>Table, or null.</summary>
    public string? Table { get; init; }

    /// <summary>Source object URI.</summary>
    public required string SourceUri { get; init; }

    /// <summary>Source object generation.</summary>
    public long? SourceGeneration { get; init; }

    /// <summary>Lineage id of the source object generation.</summary>
    public string? LineageId { get; init; }

    /// <summary>Row number for row quarantine, null for files.</summary>
    public long? RowNumber { get; init; }

    /// <summary>The rule that rejected it, e.g. <c>format</c>, <c>not_null(order_id)</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>Human-readable reason naming the file, row or field.</summary>
    public required string Reason { get; init; }

    /// <summary>Original values as JSON (row quarantine), or null.</summary>
    public string? Record { get; init; }

    /// <summary>Where the quarantined data is kept (the source object, or a quarantine Parquet file).</summary>
    public string? ObjectUri { get; init; }

    /// <summary>When it was quarantined (UTC).</summary>
    public required DateTimeOffset RecordedAt { get; init; }
}
