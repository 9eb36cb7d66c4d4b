namespace OpenTrace.Core.Features;

/// <summary>What a materialisation run is asked to do.</summary>
public sealed record FeatureRunRequest
{
    /// <summary>Groups to materialise (comma or space separated); null for all.</summary>
    public string? Select { get; init; }

    /// <summary>
    /// Recompute the whole history instead of event times after the watermark. Rows already stored with the same
    /// values are not written again; changed ones are appended with created_at = now. Default false.
    /// </summary>
    public bool FullRefresh { get; init; }

    /// <summary>What started the run (<c>scheduler</c>, <c>http</c>, <c>cli</c>, <c>demo</c>), recorded in ops.</summary>
    public string Trigger { get; init; } = "http";
}

/// <summary>Outcomes of a group in a run.</summary>
public static class FeatureGroupStatus
{
    /// <summary>Rows or online documents were written.</summary>
    public const string Succeeded = "succeeded";

    /// <summary>Nothing new since the watermark.</summary>
    public const string UpToDate = "up_to_date";

    /// <summary>The group's query or a write failed; the watermark did not move.</summary>
    public const string Failed = "failed";
}

/// <summary>Modes of a group's materialisation.</summary>
public static class FeatureMode
{
    /// <summary>The whole history (first run, or asked for).</summary>
    public const string Full = "full";

    /// <summary>Event times after the watermark (less the group's late window).</summary>
    public const string Incremental = "incremental";

    /// <summary>The definition changed: the offline table was dropped and rebuilt.</summary>
    public const string Rebuild = "rebuild";
}

/// <summary>What happened to one group.</summary>
public sealed record FeatureGroupResult
{
    /// <summary>Group name.</summary>
    public required string Group { get; init; }

    /// <summary>One of <see cref="FeatureGroupStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>One of <see cref="FeatureMode"/>, or null when it failed before deciding.</summary>
    public string? Mode { get; init; }

    /// <summary>Why this mode.</summary>
    public string? Reason { get; init; }

    /// <summary>Hash of the definition used.</summary>
    public string? DefinitionHash { get; init; }

    /// <summary>Event times after this were recomputed; null for the whole history.</summary>
    public DateTimeOffset? WindowStart { get; init; }

    /// <summary>The watermark before the run.</summary>
    public DateTimeOffset? WatermarkBefore { get; init; }

    /// <summary>The watermark after the run (unchanged on failure).</summary>
    public DateTimeOffset? Watermark { get; init; }

    /// <summary>Rows appended to the offline table.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Appended rows at or before the previous watermark.</summary>
    public long LateRows { get; init; }

    /// <summary>Parquet chunks written.</summary>
    public int Chunks { get; init; }

    /// <summary>Online documents written.</summary>
    public long OnlineWritten { get; init; }

    /// <summary>The rows' <c>_materialized_at</c>.</summary>
    public DateTimeOffset MaterializedAt { get; init; }

    /// <summary>Failure detail, or null.</summary>
    public string? Message { get; init; }

    /// <summary>Start (UTC).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>End (UTC).</summary>
    public DateTimeOffset FinishedAt { get; init; }
}

/// <summary>A materialisation run.</summary>
/// <param name="RunId">Run id (ops.runs).</param>
/// <param name="Status"><c>succeeded</c>, <c>skipped</c> (nothing new) or <c>failed</c> (a group failed).</param>
/// <param name="Message">One-line summary.</param>
/// <param name="Groups">Per group, in catalog order.</param>
/// <param name="StartedAt">Start.</param>
/// <param name="FinishedAt">End.</param>
public sealed record FeatureRunResult(string RunId, string Status, string Message, IReadOnlyList<FeatureGroupResult> Groups, DateTimeOffset StartedAt, DateTimeOffset FinishedAt);

/// <summary>Progress of a run: a stage of a group, or its result.</summary>
/// <param name="Group">Group.</param>
/// <param name="Index">Position of the group in the run.</param>
/// <param name="Total">Groups in the run.</param>
/// <param name="Stage">What it is doing (<c>computing</c>, <c>offline: 3 chunks, 150,000 rows</c>, <c>online</c>).</param>
/// <param name="Result">The group's result once done; null before.</param>
public sealed record FeatureProgress(string Group, int Index, int Total, string Stage, FeatureGroupResult? Result = null);
