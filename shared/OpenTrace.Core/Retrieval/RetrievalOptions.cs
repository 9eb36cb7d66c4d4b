namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Settings of indexing and question answering, bound from <c>OpenTrace:Retrieval</c> (environment
/// <c>OpenTrace__Retrieval__MaxTopK</c> and so on). The lake bucket comes from <c>OpenTrace:LakeBucket</c>.
/// </summary>
public sealed class RetrievalOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OpenTrace:Retrieval";

    /// <summary>Corpus name: the domain whose docs and reviews are indexed, and the folder under <c>embeddings/</c>. Default <c>olist</c>.</summary>
    public string Corpus { get; set; } = "olist";

    /// <summary>The curated documents folder; null (the default) means <c>&lt;pipelines&gt;/&lt;corpus&gt;/docs</c>.</summary>
    public string? DocsPath { get; set; }

    /// <summary>Whether silver review comments join the corpus. Default true.</summary>
    public bool IncludeReviews { get; set; } = true;

    /// <summary>Most review comments indexed (latest answered first); null (the default) indexes all.</summary>
    public int? MaxReviews { get; set; }

    /// <summary>How often a serving index checks the manifest for a newer snapshot. Default 1 minute.</summary>
    public TimeSpan SnapshotRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest question or query, in characters. Default 1,000.</summary>
    public int MaxQuestionLength { get; set; } = 1000;

    /// <summary>Chunks retrieved when a request gives no topK. Default 5.</summary>
    public int DefaultTopK { get; set; } = 5;

    /// <summary>Largest topK a request may ask for. Default 20.</summary>
    public int MaxTopK { get; set; } = 20;

    /// <summary>
    /// Below this retrieval confidence (0 to 1) the answer is that the documents do not cover the question.
    /// Default 0.35, set on the evaluation set with the local embedder (documented questions score above, unrelated ones below).
    /// </summary>
    public double MinConfidence { get; set; } = 0.35;

    /// <summary>
    /// Cosine similarity that counts as no evidence at all (confidence term 0). Default 0.05, set for the local
    /// embedder; text-embedding-005 similarities run higher, so calibrate from <c>/v1/search</c> similarities.
    /// </summary>
    public double SimilarityFloor { get; set; } = 0.05;

    /// <summary>Cosine similarity that counts as full evidence (confidence term 1). Default 0.5, set for the local embedder.</summary>
    public double SimilarityCeiling { get; set; } = 0.5;

    /// <summary>Nearest sources listed when the documents do not cover a question. Default 3.</summary>
    public int NearestSources { get; set; } = 3;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        Check(!string.IsNullOrWhiteSpace(Corpus) && !Corpus.Contains('/', StringComparison.Ordinal), nameof(Corpus), "must be a name without '/'");
        Check(MaxReviews is null or >= 0, nameof(MaxReviews), "must not be negative");
        Check(SnapshotRefreshInterval > TimeSpan.Zero, nameof(SnapshotRefreshInterval), "must be positive");
        Check(MaxQuestionLength >= 1, nameof(MaxQuestionLength), "must be at least 1");
        Check(MaxTopK >= 1, nameof(MaxTopK), "must be at least 1");
        Check(DefaultTopK >= 1 && DefaultTopK <= MaxTopK, nameof(DefaultTopK), $"must be between 1 and {nameof(MaxTopK)}");
        Check(MinConfidence is >= 0 and <= 1, nameof(MinConfidence), "must be between 0 and 1");
        Check(SimilarityFloor < SimilarityCeiling, nameof(SimilarityFloor), $"must be below {nameof(SimilarityCeiling)}");
        Check(NearestSources >= 1, nameof(NearestSources), "must be at least 1");
    }

    private static void Check(bool ok, string setting, string rule)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Setting {SectionName}:{setting} {rule} (environment variable {SectionName.Replace(":", "__", StringComparison.Ordinal)}__{setting}).");
        }
    }
}
