using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Retrieval;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace features [--select group,...] [--force]</c>: materialises the feature groups whose sources gained
/// events since their watermark (offline history in <c>features.*</c>, latest values in the online store), then
/// refreshes the embeddings snapshot that <c>/v1/qa</c> and <c>/v1/search</c> read. <c>--force</c> recomputes whole
/// histories (only changed rows are appended). Exit code 1 when a group failed.
/// </summary>
internal sealed class FeaturesCommand : ICommand
{
    public string Name => "features";

    public string Usage => "features [--select <group>,...] [--force]";

    public string Summary => "Materialise the feature groups (offline history, online store) and refresh the embeddings (--force recomputes whole histories).";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var select = context.Arguments.Option("select");
        var force = context.Arguments.Flag("force");
        context.Arguments.RejectUnknownOptions();

        var catalog = FeatureCatalog.Load(LocalHome.ResolvePipelinesPath());
        try
        {
            _ = catalog.SelectGroups(select); // an unknown group is a usage error, reported before anything opens
        }
        catch (OpenTraceException ex) when (ex.Rule == "select")
        {
            throw new UsageException(ex.Reason);
        }

        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions(), cancellationToken);
        var result = await RunAsync(runtime, context.Console, new FeatureRunRequest { Select = select, FullRefresh = force, Trigger = "cli" }, cancellationToken);
        return result.Status == RunStatus.Failed ? 1 : 0;
    }

    /// <summary>Materialises with a progress entry per group, prints failures and the summary, then refreshes the embeddings.</summary>
    internal static async Task<FeatureRunResult> RunAsync(LocalRuntime runtime, CliConsole console, FeatureRunRequest request, CancellationToken cancellationToken)
    {
        var materializer = runtime.Services.GetRequiredService<FeatureMaterializer>();
        var result = await console.ProgressAsync("features", sink => materializer.RunAsync(request, new SinkProgress(sink), cancellationToken));
        foreach (var group in result.Groups.Where(g => g.Status == FeatureGroupStatus.Failed))
        {
            console.Line($"✗ {group.Group}: {group.Message}");
        }

        console.Line(result.Message);
        var embeddings = await runtime.Services.GetRequiredService<EmbeddingIndexer>().RunAsync(cancellationToken: cancellationToken);
        console.Line(embeddings.Unchanged
            ? $"Embeddings unchanged ({embeddings.Chunks:N0} chunks in {embeddings.Snapshot})."
            : string.Create(CultureInfo.InvariantCulture, $"Embeddings: {embeddings.Chunks:N0} chunks ({embeddings.Embedded:N0} embedded, {embeddings.Reused:N0} reused) in {embeddings.Snapshot}."));
        if (result.Groups.Any(g => g.Status == FeatureGroupStatus.Succeeded))
        {
            console.Line("Look a value up with: curl http://127.0.0.1:8080/v1/features/seller/<seller_id>  (while 'opentrace up' runs)");
        }

        return result;
    }

    private static string Describe(FeatureGroupResult group) => group.Status switch
    {
        FeatureGroupStatus.Failed => $"{group.Group}: failed (see below)",
        FeatureGroupStatus.UpToDate => $"{group.Group}: up to date — {group.Reason}",
        _ => string.Create(CultureInfo.InvariantCulture,
            $"{group.Group}: {group.Mode}, {group.RowsWritten:N0} rows in {group.Chunks} chunk(s){(group.LateRows > 0 ? $" ({group.LateRows:N0} late)" : string.Empty)}, {group.OnlineWritten:N0} online; watermark {group.Watermark:yyyy-MM-dd HH:mm:ss}Z"),
    };

    /// <summary>Reports each group as a progress entry.</summary>
    private sealed class SinkProgress(IProgressSink sink) : IProgress<FeatureProgress>
    {
        public void Report(FeatureProgress value)
        {
            if (value.Result is null)
            {
                sink.Report(value.Group, $"{value.Group}: {value.Stage}", value.Index, value.Total);
            }
            else
            {
                sink.Complete(value.Group, Describe(value.Result));
            }
        }
    }
}
