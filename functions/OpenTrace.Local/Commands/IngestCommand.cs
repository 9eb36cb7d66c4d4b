using System.Globalization;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace OpenTrace.Local.Commands;

/// <summary><c>opentrace ingest &lt;file|folder&gt; [--as domain/table]</c>.</summary>
internal sealed class IngestCommand : ICommand
{
    public string Name => "ingest";

    public string Usage => "ingest <file|folder> [--as <domain>/<table>]";

    public string Summary => "Put files into the local bronze bucket, run the pipeline on them and print each file's outcome.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var source = context.Arguments.Positional(0, "the file or folder to ingest");
        var target = context.Arguments.Option("as");
        context.Arguments.RejectUnknownOptions();

        var files = Plan(source, target);
        if (files.Count == 0)
        {
            context.Console.Error($"No files to ingest in {source}.");
            return 1;
        }

        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions { WarehouseMemoryLimit = LocalRuntimeOptions.LoadMemoryLimit, WarehouseThreads = LocalRuntimeOptions.LoadThreads }, cancellationToken);
        var outcomes = await IngestAsync(runtime, files, context.Console, cancellationToken);
        Print(context.Console, outcomes);
        return outcomes.Any(o => o.Rejected) ? 1 : 0;
    }

    /// <summary>Local file → object name in the bronze bucket: a folder keeps its relative paths; <c>--as</c> prefixes them.</summary>
    internal static IReadOnlyList<(string File, string ObjectName)> Plan(string source, string? target)
    {
        if (target is not null)
        {
            var parts = target.Trim('/').Split('/');
            if (parts.Length != 2 || !TableRouter.IsIdentifier(parts[0]) || !TableRouter.IsIdentifier(parts[1]))
            {
                throw new UsageException($"--as must be <domain>/<table> in lower-case letters, digits and '_', got '{target}'.");
            }

            target = parts[0] + "/" + parts[1];
        }

        string Prefix(string name) => target is null ? name : $"{target}/{name}";

        if (File.Exists(source))
        {
            return [(Path.GetFullPath(source), Prefix(Path.GetFileName(source)))];
        }

        if (!Directory.Exists(source))
        {
            throw new UsageException($"{source} is neither a file nor a folder.");
        }

        var root = Path.GetFullPath(source);
        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (File: f, Relative: Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar)))
            .Where(f => !f.Relative.Any(s => s.StartsWith('.')))
            .OrderBy(f => f.File, StringComparer.Ordinal)
            .Select(f => (f.File, Prefix(string.Join('/', f.Relative))))
            .ToList();
    }

    /// <summary>Uploads the files, waits until every event they cause has been handled, and reads their outcomes.</summary>
    internal static async Task<IReadOnlyList<FileOutcome>> IngestAsync(LocalRuntime runtime, IReadOnlyList<(string File, string ObjectName)> files, CliConsole console, CancellationToken cancellationToken)
    {
        return await console.ProgressAsync("ingest", async progress =>
        {
            var failures = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = files.ToDictionary(f => f.ObjectName, f => Path.GetFileName(f.File), StringComparer.Ordinal);
            void OnDelivered(object? sender, DeliveryResult result)
            {
                var key = result.Object.Bucket == LocalHome.BronzeBucket ? result.Object.Name : null;
                if (key is not null && names.TryGetValue(key, out var label))
                {
                    if (!result.Succeeded)
                    {
                        lock (failures)
                        {
                            failures[key] = $"HTTP {result.StatusCode}: {result.Error}";
                        }
                    }

                    progress.Report(key, $"{label}: bronze done, downstream running", 1, 2);
                }
            }

            runtime.Delivery.Delivered += OnDelivered;
            try
            {
                var uploaded = new List<(string File, Core.Storage.ObjectInfo Object)>();
                foreach (var (file, objectName) in files)
                {
                    progress.Report(objectName, $"{Path.GetFileName(file)}: uploading", 0, 2);
                    await using var stream = File.OpenRead(file);
                    var obj = await runtime.Store.UploadAsync(LocalHome.BronzeBucket, objectName, stream, cancellationToken: cancellationToken);
                    uploaded.Add((file, obj));
                }

                await runtime.Delivery.WaitForIdleAsync(cancellationToken);
                var warehouse = runtime.Services.GetRequiredService<IWarehouse>();
                var outcomes = new List<FileOutcome>();
                foreach (var (file, obj) in uploaded)
                {
                    var lineage = PipelineOutcomes.LineageOf(obj);
                    var stages = await PipelineOutcomes.ForLineageAsync(warehouse, lineage, cancellationToken);
                    failures.TryGetValue(obj.Name, out var failure);
                    var outcome = new FileOutcome(file, obj, lineage, stages, failure);
                    outcomes.Add(outcome);
                    progress.Complete(obj.Name, $"{Path.GetFileName(file)}: {(outcome.Rejected ? "rejected" : "done")}");
                }

                return outcomes;
            }
            finally
            {
                runtime.Delivery.Delivered -= OnDelivered;
            }
        });
    }

    internal static void Print(CliConsole console, IReadOnlyList<FileOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            var mark = outcome.Rejected ? "✗" : "✓";
            var table = outcome.Table is null ? string.Empty : $" → {outcome.Stages.First(s => s.Table is not null).Domain}/{outcome.Table}";
            console.Line($"{mark} {outcome.Object.Name}{table}");
            if (outcome.DeliveryError is not null)
            {
                console.Line($"    delivery failed: {outcome.DeliveryError}");
            }

            if (outcome.Stages.Count == 0 && outcome.DeliveryError is null)
            {
                console.Line("    no run was recorded for this file");
            }

            foreach (var stage in outcome.Stages)
            {
                console.Line($"    {stage.Function,-7} {Describe(stage)}");
                foreach (var warning in stage.Warnings)
                {
                    console.Line($"            warning: {warning}");
                }
            }
        }

        var rejected = outcomes.Count(o => o.Rejected);
        console.Line(string.Create(CultureInfo.InvariantCulture, $"{outcomes.Count} file{(outcomes.Count == 1 ? string.Empty : "s")}, {rejected} rejected."));
    }

    private static string Describe(StageRun run)
    {
        var text = run.Status switch
        {
            RunStatus.Succeeded => string.Create(CultureInfo.InvariantCulture, $"{run.RowsWritten:N0} of {run.RowsRead:N0} rows published") +
                (run.RowsQuarantined > 0 ? string.Create(CultureInfo.InvariantCulture, $", {run.RowsQuarantined:N0} quarantined") : string.Empty) +
                (run.RowsDuplicate > 0 ? string.Create(CultureInfo.InvariantCulture, $", {run.RowsDuplicate:N0} duplicates dropped") : string.Empty),
            RunStatus.Duplicate => "already ingested; nothing done again",
            RunStatus.Skipped => "skipped",
            _ => run.Status,
        };
        return run.Message is null || run.Status == RunStatus.Succeeded ? text : $"{text}: {run.Message}";
    }
}
