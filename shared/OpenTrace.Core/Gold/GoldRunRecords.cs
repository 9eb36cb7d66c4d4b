namespace OpenTrace.Core.Gold;

/// <summary>What a model's turn in a run came to, as written to <c>ops.gold_builds.status</c>.</summary>
public static class GoldModelStatus
{
    /// <summary>Built, tested and swapped into gold.</summary>
    public const string Published = "published";

    /// <summary>Its inputs and definition are unchanged since its last published build; nothing was done.</summary>
    public const string UpToDate = "up_to_date";

    /// <summary>The build or an error-severity test failed; the previous gold table is untouched.</summary>
    public const string Failed = "failed";

    /// <summary>Not attempted: an upstream model failed or a source is missing or stale.</summary>
    public const string Blocked = "blocked";
}

/// <summary>How a model was built.</summary>
public static class GoldBuildMode
{
    /// <summary>The whole table was rebuilt and swapped in.</summary>
    public const string Full = "full";

    /// <summary>Only the partitions touched by changed input rows were rebuilt and replaced.</summary>
    public const string Incremental = "incremental";
}

/// <summary>What to run.</summary>
public sealed record GoldRunRequest
{
    /// <summary>Models to consider (see <see cref="GoldProject.Select"/>); null for all.</summary>
    public string? Select { get; init; }

    /// <summary>Rebuild the selected models in full even when their inputs are unchanged. Default false.</summary>
    public bool FullRefresh { get; init; }

    /// <summary>What started the run (scheduler, http, cli), recorded in ops; null when unknown.</summary>
    public string? Trigger { get; init; }
}

/// <summary>Progress of a run: a model starting a stage, or finishing.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Index">0-based position among the selected models.</param>
/// <param name="Total">Selected models.</param>
/// <param name="Stage">What is happening, e.g. "building", "testing", "publishing".</param>
/// <param name="Result">The model's result when it is finished; null while it runs.</param>
public sealed record GoldProgress(string Model, int Index, int Total, string Stage, GoldModelResult? Result = null);

/// <summary>The outcome of one test.</summary>
/// <param name="Name">Test name.</param>
/// <param name="Severity">error or warn.</param>
/// <param name="Outcome">passed, failed, warned, or error (the test query itself failed; counts as failed).</param>
/// <param name="FailingRows">Rows the test query returned.</param>
/// <param name="Sample">Up to 20 failing rows, column name to value; empty when it passed.</param>
/// <param name="Message">Detail for an error outcome, or null.</param>
public sealed record GoldTestResult(
    string Name,
    string Severity,
    string Outcome,
    long FailingRows,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Sample,
    string? Message = null);

/// <summary>One model's result in a run.</summary>
public sealed record GoldModelResult
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }

    /// <summary>One of <see cref="GoldModelStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>One of <see cref="GoldBuildMode"/> when built; null otherwise.</summary>
    public string? Mode { get; init; }

    /// <summary>Why it was (re)built or not, e.g. "inputs changed: silver.olist__orders".</summary>
    public required string Reason { get; init; }

    /// <summary>Build id when built; for an up-to-date model, the build it still serves.</summary>
    public string? BuildId { get; init; }

    /// <summary>Rows staged.</summary>
    public long RowsWritten { get; init; }

    /// <summary>Partitions replaced (incremental builds).</summary>
    public long PartitionsReplaced { get; init; }

    /// <summary>Test outcomes in declaration order; empty when not tested.</summary>
    public IReadOnlyList<GoldTestResult> Tests { get; init; } = [];

    /// <summary>URI of the Parquet export when published; null otherwise.</summary>
    public string? ExportUri { get; init; }

    /// <summary>Failure detail, or null.</summary>
    public string? Message { get; init; }

    /// <summary>Wall time.</summary>
    public TimeSpan Duration { get; init; }
}

/// <summary>One source's check in a run (existence and freshness).</summary>
/// <param name="Source"><c>dataset.table</c>.</param>
/// <param name="Outcome">passed, warned or failed.</param>
/// <param name="Rows">Rows in the table.</param>
/// <param name="NewestLoadedAt">Newest load time, or null.</param>
/// <param name="Message">Why it warned or failed, or null.</param>
public sealed record GoldSourceResult(string Source, string Outcome, long Rows, DateTimeOffset? NewestLoadedAt, string? Message);

/// <summary>The result of a gold run.</summary>
public sealed record GoldRunResult
{
    /// <summary>Run id (<c>ops.runs.run_id</c>).</summary>
    public required string RunId { get; init; }

    /// <summary>
    /// succeeded (something was published, nothing failed), skipped (nothing needed rebuilding), or failed
    /// (a model failed or was blocked).
    /// </summary>
    public required string Status { get; init; }

    /// <summary>One sentence: what was rebuilt, what is up to date, what failed.</summary>
    public required string Message { get; init; }

    /// <summary>Start (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>End (UTC).</summary>
    public required DateTimeOffset FinishedAt { get; init; }

    /// <summary>Per selected model, in build order.</summary>
    public required IReadOnlyList<GoldModelResult> Models { get; init; }

    /// <summary>Per source read by the selected models.</summary>
    public required IReadOnlyList<GoldSourceResult> Sources { get; init; }

    /// <summary>Models published by this run.</summary>
    public int Published => Models.Count(m => m.Status == GoldModelStatus.Published);

    /// <summary>Models left as they were because nothing changed.</summary>
    public int UpToDate => Models.Count(m => m.Status == GoldModelStatus.UpToDate);

    /// <summary>Models that failed or were blocked.</summary>
    public int Failed => Models.Count(m => m.Status is GoldModelStatus.Failed or GoldModelStatus.Blocked);
}
