using System.Text.Json.Serialization;

namespace OpenTrace.Core.Retrieval;

/// <summary>How a search ranks chunks.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RetrievalMode>))]
public enum RetrievalMode
{
    /// <summary>Vector and BM25 rankings fused by reciprocal rank fusion (the default).</summary>
    Hybrid,

    /// <summary>Cosine similarity of the embeddings only.</summary>
    Vector,

    /// <summary>BM25 over the analysed terms only.</summary>
    Bm25,
}

/// <summary>A chunk a search returned, with how each ranking placed it.</summary>
/// <param name="Chunk">The chunk.</param>
/// <param name="Score">The score the mode ranks by: the fused RRF score, the cosine similarity, or the BM25 score.</param>
/// <param name="Similarity">Cosine similarity to the query, when the vector ranking reached this chunk; else null.</param>
/// <param name="VectorRank">1-based rank in the vector ranking, or null when outside its depth (or not run).</param>
/// <param name="Bm25Rank">1-based rank in the BM25 ranking, or null when outside its depth, not matched or not run.</param>
public sealed record RetrievedChunk(CorpusChunk Chunk, double Score, double? Similarity, int? VectorRank, int? Bm25Rank)
{
    /// <summary>Row of the chunk in its index.</summary>
    public int Row { get; init; }
}

/// <summary>
/// The searchable corpus in memory: chunks, their vectors (<see cref="VectorIndex"/>), BM25 over heading and text
/// (<see cref="Bm25Index"/>) and posting lists of the filterable metadata. Immutable once built, so one instance
/// serves concurrent searches.
/// </summary>
public sealed class RetrievalIndex
{
    /// <summary>The constant <c>k</c> of reciprocal rank fusion: score = Σ 1 / (k + rank).</summary>
    public const int RrfK = 60;

    /// <summary>How deep each ranking goes before fusion (at least the requested k).</summary>
    public const int FusionDepth = 50;

    /// <summary>Share of a query term's weight that <see cref="Coverage"/> credits when only a synonym is present.</summary>
    public const double ConceptCredit = 0.7;

    private readonly Dictionary<string, Dictionary<string, List<int>>> _postings = new(StringComparer.Ordinal);

    /// <summary>
    /// Builds the index. <paramref name="vectors"/> holds one row of <paramref name="dimensions"/> values per chunk
    /// (row-major, taken over without copying and normalised in place).
    /// </summary>
    /// <param name="chunks">The chunks, in row order.</param>
    /// <param name="vectors">Their vectors.</param>
    /// <param name="dimensions">Values per vector.</param>
    /// <param name="model">The embedder's <see cref="ITextEmbedder.ModelId"/> the vectors came from.</param>
    /// <param name="snapshot">The snapshot object the index was loaded from, or null.</param>
    public RetrievalIndex(IReadOnlyList<CorpusChunk> chunks, float[] vectors, int dimensions, string model, string? snapshot = null)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        Vectors = new VectorIndex(vectors, dimensions);
        if (Vectors.Count != chunks.Count)
        {
            throw new ArgumentException($"{chunks.Count} chunks but {Vectors.Count} vectors.", nameof(vectors));
        }

        Chunks = chunks;
        Model = model;
        Snapshot = snapshot;
        Bm25 = new Bm25Index(chunks.Select(LexicalTerms).ToList());
        foreach (var key in ChunkMetadata.FilterKeys)
        {
            _postings[key] = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        }

        for (var row = 0; row < chunks.Count; row++)
        {
            foreach (var (key, value) in chunks[row].Metadata)
            {
                if (_postings.TryGetValue(key, out var values))
                {
                    (values.TryGetValue(value, out var rows) ? rows : values[value] = []).Add(row);
                }
            }
        }
    }

    /// <summary>The chunks in row order.</summary>
    public IReadOnlyList<CorpusChunk> Chunks { get; }

    /// <summary>Rows in the index.</summary>
    public int Count => Chunks.Count;

    /// <summary>The embedding model of the vectors; queries must be embedded with the same model.</summary>
    public string Model { get; }

    /// <summary>The snapshot object name the index came from, or null when built in memory.</summary>
    public string? Snapshot { get; }

    /// <summary>The vector index.</summary>
    public VectorIndex Vectors { get; }

    /// <summary>The BM25 index.</summary>
    public Bm25Index Bm25 { get; }

    /// <summary>The terms BM25 indexes for a chunk: its heading path, then its text.</summary>
    public static IReadOnlyList<string> LexicalTerms(CorpusChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var terms = new List<string>();
        TextAnalyzer.AddTerms(chunk.Heading, terms);
        TextAnalyzer.AddTerms(chunk.Text, terms);
        return terms;
    }

    /// <summary>
    /// The rows whose metadata equals every filter value (keys from <see cref="ChunkMetadata.FilterKeys"/>), or null
    /// for no filter. Unknown keys throw <see cref="ArgumentException"/>; validate requests first.
    /// </summary>
    public RowMask? Filter(IReadOnlyDictionary<string, string>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return null;
        }

        RowMask? mask = null;
        foreach (var (key, value) in filters)
        {
            if (!_postings.TryGetValue(key, out var values))
            {
                throw new ArgumentException($"Unknown filter key '{key}'.", nameof(filters));
            }

            var allowed = RowMask.Of(Count, values.TryGetValue(value, out var rows) ? rows : []);
            if (mask is null)
            {
                mask = allowed;
            }
            else
            {
                mask.IntersectWith(allowed);
            }
        }

        return mask;
    }

    /// <summary>
    /// Searches the index. <paramref name="queryVector"/> must come from the same model (<see cref="Model"/>); it is
    /// ignored in <see cref="RetrievalMode.Bm25"/> mode.
    /// </summary>
    /// <param name="query">The query text (analysed for BM25).</param>
    /// <param name="queryVector">The query's embedding.</param>
    /// <param name="topK">Chunks to return.</param>
    /// <param name="mode">Ranking; default hybrid.</param>
    /// <param name="mask">Rows allowed (from <see cref="Filter"/>), or null for all.</param>
    public IReadOnlyList<RetrievedChunk> Search(string query, ReadOnlySpan<float> queryVector, int topK, RetrievalMode mode = RetrievalMode.Hybrid, RowMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        if (Count == 0 || mask?.Count == 0)
        {
            return [];
        }

        var depth = mode == RetrievalMode.Hybrid ? Math.Max(topK, FusionDepth) : topK;
        var vector = mode == RetrievalMode.Bm25 ? [] : Vectors.Search(queryVector, depth, mask);
        var lexical = mode == RetrievalMode.Vector ? [] : Bm25.Search(TextAnalyzer.Terms(query), depth, mask);
        return mode switch
        {
            RetrievalMode.Vector => vector.Select((h, i) => Hit(h.Row, h.Score, h.Score, i + 1, null)).ToList(),
            RetrievalMode.Bm25 => lexical.Select((h, i) => Hit(h.Row, h.Score, null, null, i + 1)).ToList(),
            _ => Fuse(vector, lexical, topK, queryVector),
        };
    }

    /// <summary>
    /// How much of the query the chunk at <paramref name="row"/> covers: the idf-weighted share of the query's distinct
    /// analysed terms found in its heading or text, a term found only through a word of the same concept
    /// (<c>delayed</c> for <c>late</c>) counting <see cref="ConceptCredit"/> of its weight; terms unknown to the corpus
    /// weigh the most. 0 when the query has no meaningful term.
    /// </summary>
    public double Coverage(IReadOnlyList<string> queryTerms, int row)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);
        var chunkTerms = LexicalTerms(Chunks[row]).ToHashSet(StringComparer.Ordinal);
        var chunkConcepts = chunkTerms.Select(ConceptLexicon.ConceptOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        double total = 0, found = 0;
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            var idf = Bm25.IdfOf(term);
            total += idf;
            if (chunkTerms.Contains(term))
            {
                found += idf;
            }
            else if (ConceptLexicon.ConceptOf(term) is { } concept && chunkConcepts.Contains(concept))
            {
                found += ConceptCredit * idf;
            }
        }

        return total == 0 ? 0 : found / total;
    }

    private List<RetrievedChunk> Fuse(ScoredRow[] vector, ScoredRow[] lexical, int topK, ReadOnlySpan<float> queryVector)
    {
        var query = queryVector.ToArray();
        VectorIndex.Normalise(query);
        var fused = new Dictionary<int, (double Score, double? Similarity, int? VectorRank, int? Bm25Rank)>();
        for (var i = 0; i < vector.Length; i++)
        {
            fused[vector[i].Row] = (1.0 / (RrfK + i + 1), vector[i].Score, i + 1, null);
        }

        for (var i = 0; i < lexical.Length; i++)
        {
            var row = lexical[i].Row;
            var entry = fused.GetValueOrDefault(row);
            fused[row] = (entry.Score + (1.0 / (RrfK + i + 1)), entry.Similarity, entry.VectorRank, i + 1);
        }

        var best = fused
            .OrderByDescending(f => f.Value.Score)
            .ThenBy(f => Math.Min(f.Value.VectorRank ?? int.MaxValue, f.Value.Bm25Rank ?? int.MaxValue))
            .ThenBy(f => f.Key)
            .Take(topK)
            .ToList();
        var hits = new List<RetrievedChunk>(best.Count);
        foreach (var (row, (score, similarity, vectorRank, bm25Rank)) in best)
        {
            // A chunk only BM25 reached still gets its similarity: one more dot product.
            hits.Add(Hit(row, score, similarity ?? System.Numerics.Tensors.TensorPrimitives.Dot(Vectors.Row(row), query), vectorRank, bm25Rank));
        }

        return hits;
    }

    private RetrievedChunk Hit(int row, double score, double? similarity, int? vectorRank, int? bm25Rank) =>
        new(Chunks[row], score, similarity, vectorRank, bm25Rank) { Row = row };
}
