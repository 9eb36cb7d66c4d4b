using OpenTrace.Core.Gold;

namespace OpenTrace.Functions.Gold;

/// <summary>The JSON the function answers with: the run and one entry per model and source.</summary>
internal sealed record GoldRunSummary(
    string RunId,
    string Status,
    string Message,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    int Published,
    int UpToDate,
    int Failed,
    IReadOnlyList<GoldRunSummary.ModelSummary> Models,
    IReadOnlyList<GoldSourceResult> Sources)
{
    public static GoldRunSummary From(GoldRunResult result) => new(
        result.RunId,
        result.Status,
        result.Message,
        result.StartedAt,
        result.FinishedAt,
        result.Published,
        result.UpToDate,
        result.Failed,
        result.Models.Select(m => new ModelSummary(
            m.Model,
            m.Status,
            m.Mode,
            m.Reason,
            m.BuildId,
            m.RowsWritten,
            m.PartitionsReplaced,
            m.Tests.Count(t => t.Outcome == "passed"),
            m.Tests.Where(t => t.Outcome is "failed" or "error").Select(t => t.Name).ToList(),
            m.Tests.Where(t => t.Outcome == "warned").Select(t => t.Name).ToList(),
            m.ExportUri,
            m.Message,
            (long)m.Duration.TotalMilliseconds)).ToList(),
        result.Sources);

    internal sealed record ModelSummary(
        string Model,
        string Status,
        string? Mode,
        string Reason,
        string? BuildId,
        long RowsWritten,
        long PartitionsReplaced,
        int TestsPassed,
        IReadOnlyList<string> TestsFailed,
        IReadOnlyList<string> TestsWarned,
        string? ExportUri,
        string? Message,
        long DurationMs);
}
