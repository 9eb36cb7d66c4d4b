using System.Globalization;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace gold [--select model+] [--force]</c>: builds, tests and publishes the gold models whose inputs changed
/// since their last build, in the local warehouse, and exports them to the lake bucket. Exit code 1 when a model failed
/// or was blocked.
/// </summary>
internal sealed class GoldCommand : ICommand
{
    private const int SampleRowsShown = 3;

    public string Name => "gold";

    public string Usage => "gold [--select <model>[+],...] [--force]";

    public string Summary => "Build, test and publish the gold models whose inputs changed (--force rebuilds them all).";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var select = context.Arguments.Option("select");
        var force = context.Arguments.Flag("force");
        context.Arguments.RejectUnknownOptions();

        var project = GoldProject.Load(LocalHome.ResolvePipelinesPath());
        if (select is not null)
        {
            try
            {
                _ = project.Select(select); // an unknown model is a usage error, reported before anything opens
            }
            catch (Core.OpenTraceException ex) when (ex.Rule == "select")
            {
                throw new UsageException(ex.Reason);
            }
        }

        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions(), cancellationToken);
        var result = await RunAsync(runtime, context.Console, new GoldRunRequest { Select = select, FullRefresh = force, Trigger = "cli" }, cancellationToken);
        return result.Status == RunStatus.Failed ? 1 : 0;
    }

    /// <summary>Runs gold in <paramref name="runtime"/> with a progress entry per model and prints failures and the summary.</summary>
    internal static async Task<GoldRunResult> RunAsync(LocalRuntime runtime, CliConsole console, GoldRunRequest request, CancellationToken cancellationToken)
    {
        var runner = runtime.Services.GetRequiredService<GoldRunner>();
        var result = await console.ProgressAsync("gold", sink => runner.RunAsync(request, new SinkProgress(sink), cancellationToken));

        foreach (var model in result.Models.Where(m => m.Status is GoldModelStatus.Failed or GoldModelStatus.Blocked))
        {
            PrintFailure(console, model);
        }

        foreach (var source in result.Sources.Where(s => s.Outcome != "passed"))
        {
            console.Line($"{(source.Outcome == "failed" ? "✗" : "!")} {source.Source}: {source.Message}");
        }

        console.Line();
        console.Line(result.Message);
        if (result.Published > 0)
        {
            console.Line("Query the tables with: opentrace query \"SELECT * FROM gold.kpi_daily_sales LIMIT 10\"");
        }

        return result;
    }

    /// <summary>One line saying what happened to a model, e.g. "fct_orders: published (full, 4,972 rows; 23 tests) — first build".</summary>
    private static string Describe(GoldModelResult model)
    {
        switch (model.Status)
        {
            case GoldModelStatus.Published:
                var detail = model.Mode == GoldBuildMode.Incremental
                    ? string.Create(CultureInfo.InvariantCulture, $"incremental, {model.PartitionsReplaced} partitions, {model.RowsWritten:N0} rows")
                    : string.Create(CultureInfo.InvariantCulture, $"full, {model.RowsWritten:N0} rows");
                var warned = model.Tests.Count(t => t.Outcome == "warned");
                return string.Create(CultureInfo.InvariantCulture, $"{model.Model}: published ({detail}; {model.Tests.Count} tests{(warned > 0 ? $", {warned} warned" : string.Empty)}) — {model.Reason}");
            case GoldModelStatus.UpToDate:
                return $"{model.Model}: up to date — {model.Reason}";
            default:
                return $"{model.Model}: {model.Status} (see below)";
        }
    }

    private static void PrintFailure(CliConsole console, GoldModelResult model)
    {
        console.Line($"✗ {model.Model}: {model.Status} — {model.Message ?? model.Reason}");
        foreach (var test in model.Tests.Where(t => t.Outcome is "failed" or "error"))
        {
            console.Line(test.Message is not null
                ? $"    {test.Name}: {test.Message}"
                : string.Create(CultureInfo.InvariantCulture, $"    {test.Name}: {test.FailingRows} failing rows, e.g. {string.Join("; ", test.Sample.Take(SampleRowsShown).Select(FormatRow))}"));
        }
    }

    private static string FormatRow(IReadOnlyDictionary<string, object?> row) =>
        "{" + string.Join(", ", row.Select(c => $"{c.Key}: {Output.ResultWriter.FormatValue(c.Value)}")) + "}";

    /// <summary>Reports each model as a progress entry (synchronously: the run is sequential).</summary>
    private sealed class SinkProgress(IProgressSink sink) : IProgress<GoldProgress>
    {
        public void Report(GoldProgress value)
        {
            if (value.Result is null)
            {
                sink.Report(value.Model, $"{value.Model}: {value.Stage}", value.Index, value.Total);
            }
            else
            {
                sink.Complete(value.Model, Describe(value.Result));
            }
        }
    }
}
