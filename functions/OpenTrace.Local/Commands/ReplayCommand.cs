using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace replay &lt;domain&gt;/&lt;table&gt; [--since YYYY-MM-DD]</c>: reprocesses a table's bronze files under its current
/// contract. Without --since the silver table is rebuilt from every file; with it, files ingested on or after that
/// day replace their earlier rows. Replaying again gives the same table. Exit code 1 when a file was quarantined
/// whole or failed.
/// </summary>
internal sealed class ReplayCommand : ICommand
{
    public string Name => "replay";

    public string Usage => "replay <domain>/<table> [--since YYYY-MM-DD]";

    public string Summary => "Reprocess a table from bronze under its current contract (after a contract change); idempotent.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var route = ParseRoute(context.Arguments.Positional(0, "the table to replay, as <domain>/<table>"));
        var since = ParseDate(context.Arguments.Option("since"));
        context.Arguments.RejectUnknownOptions();

        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions { WarehouseMemoryLimit = LocalRuntimeOptions.LoadMemoryLimit, WarehouseThreads = LocalRuntimeOptions.LoadThreads }, cancellationToken);
        SilverReplayer replayer;
        try
        {
            replayer = runtime.Services.GetRequiredService<SilverReplayer>();
        }
        catch (InvalidOperationException ex)
        {
            throw new Core.OpenTraceException(ex.Message, inner: ex); // a missing personal-data key, named in the message
        }

        var summary = await context.Console.ProgressAsync($"replay {route}", sink =>
        {
            sink.Report("replay", $"{route}: listing bronze files", 0, null);
            return replayer.ReplayAsync(route, since, new Progress(sink, route), cancellationToken);
        });

        foreach (var result in summary.Results)
        {
            context.Console.Line($"{(result.Status == RunStatus.Succeeded ? "✓" : "✗")} {result.BronzeUri}");
            context.Console.Line($"    {Describe(result)}");
            foreach (var warning in result.Warnings)
            {
                context.Console.Line($"    warning: {warning}");
            }
        }

        context.Console.Line(string.Create(CultureInfo.InvariantCulture,
            $"{route}: {summary.Files} file{(summary.Files == 1 ? string.Empty : "s")} replayed{(since is null ? " (table rebuilt)" : $" since {since:yyyy-MM-dd}")}; " +
            $"{summary.RowsRead:N0} rows read, {summary.RowsPublished:N0} published, {summary.RowsQuarantined:N0} quarantined, {summary.RowsDuplicate:N0} duplicates; " +
            $"{summary.FilesQuarantined} file{(summary.FilesQuarantined == 1 ? string.Empty : "s")} quarantined, {summary.FilesFailed} failed."));
        if (summary.Files == 0)
        {
            context.Console.Line($"No bronze files for {route}{(since is null ? string.Empty : $" since {since:yyyy-MM-dd}")}: ingest some with 'opentrace ingest'.");
        }

        return summary.FilesQuarantined + summary.FilesFailed > 0 ? 1 : 0;
    }

    internal static TableRoute ParseRoute(string text)
    {
        var parts = text.Trim('/').Split('/');
        return parts.Length == 2 && TableRouter.IsIdentifier(parts[0]) && TableRouter.IsIdentifier(parts[1])
            ? new TableRoute(parts[0], parts[1])
            : throw new UsageException($"The table must be <domain>/<table> in lower-case letters, digits and '_', got '{text}'.");
    }

    private static DateOnly? ParseDate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"--since must be a date as YYYY-MM-DD, got '{text}'.");
    }

    private static string Describe(SilverResult result) => result.Status switch
    {
        RunStatus.Succeeded when result.Counts is { } counts => string.Create(CultureInfo.InvariantCulture,
            $"{counts.Published:N0} of {counts.Read:N0} rows published, {counts.Quarantined:N0} quarantined, {counts.Duplicates:N0} duplicates"),
        RunStatus.Quarantined => $"file quarantined ({result.RejectedRule}): {result.Message}",
        _ => $"{result.Status}: {result.Message}",
    };

    private sealed class Progress(IProgressSink sink, TableRoute route) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value)
        {
            if (value.FilesDone == value.FilesTotal)
            {
                sink.Complete("replay", string.Create(CultureInfo.InvariantCulture, $"{route}: {value.FilesTotal} files replayed"));
            }
            else
            {
                sink.Report("replay", string.Create(CultureInfo.InvariantCulture, $"{route}: {value.FilesDone} of {value.FilesTotal} files"), value.FilesDone, value.FilesTotal);
            }
        }
    }
}
