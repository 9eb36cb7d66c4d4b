using System.Globalization;
using System.Text.Json;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace qa "&lt;question&gt;"</c>: answers a question from the curated documents and review comments, with
/// citations, on the local embedded engines. It searches the embeddings snapshot in the lake bucket folder; when
/// there is none yet (or with <c>--force</c>) it builds one first from <c>pipelines/olist/docs</c> and, when the
/// local warehouse has silver reviews, their comments.
/// </summary>
internal sealed class QaCommand : ICommand
{
    private const string Corpus = "olist";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Name => "qa";

    public string Usage => "qa \"<question>\" [--top-k N] [--filter key=value[,key=value]] [--format text|json] [--force]";

    public string Summary => "Answer a question from the docs and review comments, with citations.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var question = context.Arguments.Positional(0, "the question");
        var topK = context.Arguments.Option("top-k") is null ? (int?)null : (int)Math.Clamp(context.Arguments.OptionLong("top-k", 5), int.MinValue, int.MaxValue);
        var filters = ParseFilters(context.Arguments.Option("filter"));
        var rebuild = context.Arguments.Flag("force");
        var json = context.Arguments.Option("format")?.ToLowerInvariant() switch
        {
            null or "text" => false,
            "json" => true,
            var other => throw new UsageException($"--format must be text or json, got '{other}'."),
        };
        context.Arguments.RejectUnknownOptions();

        context.Home.EnsureCreated();
        var store = new FolderObjectStore(context.Home.BucketsPath);
        var snapshots = new EmbeddingSnapshotStore(store, LocalHome.LakeBucket, Corpus);
        var embedder = new HashingTextEmbedder();
        if (rebuild || await snapshots.ReadManifestAsync(cancellationToken) is null)
        {
            await BuildAsync(context, store, embedder, cancellationToken);
        }

        var current = await snapshots.ReadCurrentAsync(cancellationToken) ?? throw new NoSnapshotException(snapshots.ManifestUri);
        var qa = new QaService(new FixedIndexSource(current.Snapshot.ToIndex(current.Manifest.Snapshot)), embedder, new ExtractiveAnswerGenerator());
        var result = await qa.AskAsync(new QaRequest(question, topK, filters), cancellationToken);
        if (!result.IsValid)
        {
            throw new UsageException(string.Join(" ", result.Errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        var answer = result.Value!;
        if (json)
        {
            context.Console.Line(JsonSerializer.Serialize(answer, Json));
            return 0;
        }

        Print(context.Console, answer);
        return 0;
    }

    /// <summary>Builds (or updates) the snapshot from the docs and, when the warehouse has them, the review comments.</summary>
    private static async Task BuildAsync(CliContext context, FolderObjectStore store, ITextEmbedder embedder, CancellationToken cancellationToken)
    {
        var docs = Path.Combine(LocalHome.ResolvePipelinesPath(), Corpus, "docs");
        var sources = new List<ICorpusSource> { new MarkdownFolderSource(docs) };
        DuckDbWarehouse? warehouse = null;
        if (File.Exists(context.Home.WarehousePath))
        {
            try
            {
                warehouse = await DuckDbWarehouse.OpenReadOnlyAsync(context.Home.WarehousePath, cancellationToken);
                sources.Add(new ReviewCommentSource(warehouse, Corpus));
            }
            catch (WarehouseException ex)
            {
                context.Console.Error($"Review comments left out: the warehouse cannot be read now ({ex.Message}).");
            }
        }

        try
        {
            var result = await context.Console.ProgressAsync("Embedding the documents", async sink =>
                await new EmbeddingIndexer(store, LocalHome.LakeBucket, Corpus, embedder, sources).RunAsync(new SinkProgress(sink), cancellationToken));
            var counts = string.Join(", ", result.ChunksBySource.Select(s => $"{s.Value} {s.Key}"));
            context.Console.Line(result.Unchanged
                ? $"Embeddings unchanged ({counts})."
                : $"Embedded {result.Embedded} of {result.Chunks} chunks ({counts}); snapshot {result.Snapshot}.");
            context.Console.Line();
        }
        finally
        {
            if (warehouse is not null)
            {
                await warehouse.DisposeAsync();
            }
        }
    }

    private static void Print(CliConsole console, QaResponse answer)
    {
        console.Line(answer.Answer);
        console.Line();
        console.Line(answer.Covered ? "Sources:" : "Nearest sources:");
        for (var i = 0; i < answer.Citations.Count; i++)
        {
            var c = answer.Citations[i];
            console.Line(string.Create(CultureInfo.InvariantCulture, $"  [{i + 1}] {c.ChunkId}  ({c.Document}{(c.Heading.Length > 0 ? " › " + c.Heading : string.Empty)})"));
            console.Line($"      lineage {c.LineageId}");
            console.Line($"      \"{c.Snippet}\"");
        }

        console.Line();
        console.Line(string.Create(CultureInfo.InvariantCulture, $"confidence {answer.Confidence:F2} · {answer.Generator} · {answer.Snapshot}"));
    }

    /// <summary><c>kind=review,review_score=1</c> → filters; null for none.</summary>
    internal static Dictionary<string, string>? ParseFilters(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"--filter takes key=value pairs separated by commas, got '{pair}'.");
            }

            filters[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }

        return filters;
    }

    private sealed class SinkProgress(IProgressSink sink) : IProgress<EmbeddingProgress>
    {
        public void Report(EmbeddingProgress value)
        {
            var description = value.Stage switch
            {
                "read" => $"Reading chunks ({value.Done})",
                "embed" => $"Embedding new and changed chunks ({value.Done}/{value.Total})",
                _ => "Writing the snapshot",
            };
            if (value.Total is { } total && value.Done >= total)
            {
                sink.Complete(value.Stage, description);
            }
            else
            {
                sink.Report(value.Stage, description, value.Done, value.Total);
            }
        }
    }
}
