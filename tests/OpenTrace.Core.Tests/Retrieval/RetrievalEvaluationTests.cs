using System.Globalization;
using System.Text.Json;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

/// <summary>
/// Retrieval quality on question → expected-source pairs over the curated documents (data/retrieval/eval.json):
/// recall@5 (an expected section among the first five chunks) and MRR (mean of 1 / rank of the first expected
/// section, 0 beyond rank 10), for vector-only, BM25-only and hybrid retrieval with the local embedder.
/// </summary>
public sealed class RetrievalEvaluationTests
{
    private const int RecallDepth = 5;
    private const int MrrDepth = 10;

    [Fact]
    public async Task Hybrid_OnTheEvaluationSet_BeatsVectorOnlyAndBm25OnlyOnRecallAndMrr()
    {
        var cases = EvalCases();
        var index = await Corpus.DocsIndexAsync();
        var embedder = new HashingTextEmbedder();
        var output = TestContext.Current.TestOutputHelper!;

        var results = new Dictionary<RetrievalMode, (double Recall, double Mrr)>();
        foreach (var mode in new[] { RetrievalMode.Vector, RetrievalMode.Bm25, RetrievalMode.Hybrid })
        {
            double found = 0, reciprocal = 0;
            foreach (var c in cases)
            {
                var hits = index.Search(c.Question, embedder.Embed(c.Question), MrrDepth, mode);
                var rank = hits.Select((h, i) => (h, i)).FirstOrDefault(x => c.Expected.Any(e => Matches(x.h.Chunk.ChunkId, e)), (null!, -1)).i + 1;
                if (rank is > 0 and <= RecallDepth)
                {
                    found++;
                }

                if (rank > 0)
                {
                    reciprocal += 1.0 / rank;
                }
                else
                {
                    output.WriteLine($"{mode}: miss '{c.Question}' → {string.Join(", ", hits.Take(3).Select(h => h.Chunk.ChunkId))}");
                }
            }

            results[mode] = (found / cases.Count, reciprocal / cases.Count);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cases.Count} questions, {index.Count} chunks"));
        foreach (var (mode, (recall, mrr)) in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{QaService.ModeName(mode),-7} recall@5 {recall:F3}  MRR {mrr:F3}"));
        }

        Assert.True(cases.Count >= 30);
        var hybrid = results[RetrievalMode.Hybrid];
        Assert.True(hybrid.Recall >= results[RetrievalMode.Vector].Recall && hybrid.Recall >= results[RetrievalMode.Bm25].Recall, "hybrid recall@5 must be at least that of each single mode");
        Assert.True(hybrid.Mrr > results[RetrievalMode.Vector].Mrr && hybrid.Mrr > results[RetrievalMode.Bm25].Mrr, "hybrid MRR must beat each single mode");
        Assert.True(hybrid.Recall >= 0.85, $"hybrid recall@5 {hybrid.Recall:F3} fell below 0.85");
    }

    /// <summary>A chunk id matches an expected section when it is the section's first chunk or a continuation (<c>.2</c>).</summary>
    internal static bool Matches(string chunkId, string expected) =>
        chunkId == expected || (chunkId.StartsWith(expected, StringComparison.Ordinal) && chunkId[expected.Length] == '.');

    internal static List<EvalCase> EvalCases() =>
        JsonSerializer.Deserialize<List<EvalCase>>(File.ReadAllText(Corpus.DataFile("eval.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    internal sealed record EvalCase(string Question, IReadOnlyList<string> Expected);
}
