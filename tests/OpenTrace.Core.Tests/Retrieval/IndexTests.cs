using System.Numerics.Tensors;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class IndexTests
{
    [Fact]
    public void TopK_KeepsTheBestInOrder_TiesToTheLowerRow()
    {
        var top = new TopK(3);
        foreach (var (row, score) in new[] { (0, 0.1f), (1, 0.9f), (2, 0.5f), (3, 0.9f), (4, 0.2f), (5, 0.7f) })
        {
            top.Offer(row, score);
        }

        Assert.Equal([new ScoredRow(1, 0.9f), new ScoredRow(3, 0.9f), new ScoredRow(5, 0.7f)], top.ToSortedArray());
        Assert.Equal(0.7f, top.Threshold);
    }

    [Fact]
    public void VectorIndex_ReturnsExactlyTheBruteForceTopK_WithAndWithoutAMask()
    {
        var random = new Random(7);
        const int rows = 2000, dims = 48;
        var matrix = new float[rows * dims];
        for (var i = 0; i < matrix.Length; i++)
        {
            matrix[i] = (float)(random.NextDouble() - 0.5);
        }

        var expectedRows = Enumerable.Range(0, rows).Select(r => matrix.AsSpan(r * dims, dims).ToArray()).ToList();
        var index = new VectorIndex(matrix, dims);
        var query = Enumerable.Range(0, dims).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        var hits = index.Search(query, 10);

        var brute = expectedRows
            .Select((v, r) => (Row: r, Score: TensorPrimitives.CosineSimilarity(v, query)))
            .OrderByDescending(x => x.Score).Take(10).ToList();
        Assert.Equal(brute.Select(b => b.Row), hits.Select(h => h.Row));
        Assert.All(hits.Zip(brute), p => Assert.Equal(p.Second.Score, p.First.Score, 4));

        var even = RowMask.Of(rows, Enumerable.Range(0, rows).Where(r => r % 2 == 0));
        var masked = index.Search(query, 10, even);
        Assert.All(masked, h => Assert.Equal(0, h.Row % 2));
        Assert.Equal(brute.Where(b => b.Row % 2 == 0).Select(b => b.Row).Take(5), masked.Select(h => h.Row).Take(5));
    }

    [Fact]
    public void VectorIndex_RejectsAQueryOfTheWrongSize() =>
        Assert.Throws<ArgumentException>(() => new VectorIndex(new float[8], 4).Search(new float[3], 1));

    [Fact]
    public void Bm25_RanksRareTermsAndShortMatchesHigher()
    {
        var rows = new[]
        {
            TextAnalyzer.Terms("order status delivered shipped canceled"),
            TextAnalyzer.Terms("order order order payment"),
            TextAnalyzer.Terms("boleto payment approved by the bank"),
            TextAnalyzer.Terms("nothing relevant here at all"),
        };
        var bm25 = new Bm25Index(rows);

        var hits = bm25.Search(TextAnalyzer.Terms("boleto order"), 10);

        Assert.Equal(2, hits[0].Row); // "boleto" is rare, so it outweighs "order"
        Assert.DoesNotContain(hits, h => h.Row == 3); // no shared term: not returned
        Assert.True(bm25.IdfOf("boleto") > bm25.IdfOf("order"));
        Assert.Equal(bm25.MaxIdf, bm25.IdfOf("unknownterm"));
    }

    [Fact]
    public async Task Filter_RestrictsEveryModeToTheMatchingRows()
    {
        var chunks = new List<CorpusChunk>(await Corpus.DocChunksAsync())
        {
            Review("r1", "o1", 1, "Entrega atrasou muito, péssimo"),
            Review("r2", "o2", 5, "Chegou antes do prazo, recomendo"),
            Review("r3", "o3", 1, "Produto errado"),
        };
        var index = await Corpus.IndexAsync(chunks);
        var embedder = new HashingTextEmbedder();
        var query = "late delivery atrasou";

        foreach (var mode in new[] { RetrievalMode.Hybrid, RetrievalMode.Vector, RetrievalMode.Bm25 })
        {
            var hits = index.Search(query, embedder.Embed(query), 5, mode, index.Filter(new Dictionary<string, string> { ["kind"] = "review", ["review_score"] = "1" }));
            Assert.NotEmpty(hits);
            Assert.All(hits, h => Assert.Equal("1", h.Chunk.Metadata["review_score"]));
            Assert.Equal("review/r1/o1", hits[0].Chunk.ChunkId);
        }

        Assert.Empty(index.Search(query, embedder.Embed(query), 5, RetrievalMode.Hybrid, index.Filter(new Dictionary<string, string> { ["order_id"] = "nope" })));
        Assert.Throws<ArgumentException>(() => index.Filter(new Dictionary<string, string> { ["colour"] = "red" }));
    }

    [Fact]
    public async Task Hybrid_FusesBothRankingsAndReportsEachRankAndSimilarity()
    {
        var index = await Corpus.DocsIndexAsync();
        var embedder = new HashingTextEmbedder();
        const string question = "Does a delivery on the estimated day itself count as late?";

        var hits = index.Search(question, embedder.Embed(question), 5);

        Assert.Equal("kpi-definitions#late-flag-when-an-order-counts-as-late", hits[0].Chunk.ChunkId);
        Assert.NotNull(hits[0].VectorRank);
        Assert.NotNull(hits[0].Bm25Rank);
        Assert.All(hits, h => Assert.NotNull(h.Similarity));
        var expected = (1.0 / (RetrievalIndex.RrfK + hits[0].VectorRank!.Value)) + (1.0 / (RetrievalIndex.RrfK + hits[0].Bm25Rank!.Value));
        Assert.Equal(expected, hits[0].Score, 9);
        Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
    }

    internal static CorpusChunk Review(string reviewId, string orderId, int score, string text) =>
        new($"review/{reviewId}/{orderId}", "silver.olist__order_reviews", $"Customer review, score {score} of 5", text, "feedfacefeedfacefeedfacefeedface",
            new Dictionary<string, string> { ["kind"] = "review", ["document"] = "silver.olist__order_reviews", ["order_id"] = orderId, ["review_score"] = score.ToString(System.Globalization.CultureInfo.InvariantCulture) });
}
