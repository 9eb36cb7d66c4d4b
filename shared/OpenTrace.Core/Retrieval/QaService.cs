using System.Globalization;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Question answering and search over the corpus: validates the request, embeds the question with the snapshot's
/// model, retrieves (hybrid by default), and has the answer generator write an answer that cites the retrieved
/// chunks. Retrieval confidence, 0 to 1, is the best over the top three hits of
/// 0.6 × (idf-weighted share of the question's terms the chunk contains) + 0.4 × (cosine similarity scaled between
/// <see cref="RetrievalOptions.SimilarityFloor"/> and <see cref="RetrievalOptions.SimilarityCeiling"/>). Below
/// <see cref="RetrievalOptions.MinConfidence"/>, or when the generator finds no support, the answer says the
/// documents do not cover the question and lists the nearest sources. Every answer therefore carries at least one
/// citation or says it is not covered. Answers and snippets are scrubbed of personal data.
/// </summary>
public sealed class QaService
{
    /// <summary>Longest citation snippet, in characters.</summary>
    public const int SnippetLength = 240;

    /// <summary>The answer when the documents do not cover the question.</summary>
    public const string NotCoveredAnswer = "The documents do not cover this question. The nearest sources are listed.";

    private const double CoverageWeight = 0.6;
    private const int ConfidenceHits = 3;

    private readonly IRetrievalIndexSource _indexSource;
    private readonly ITextEmbedder _embedder;
    private readonly IAnswerGenerator _generator;

    /// <summary>Creates the service; <paramref name="options"/> null uses the defaults.</summary>
    public QaService(IRetrievalIndexSource indexSource, ITextEmbedder embedder, IAnswerGenerator generator, RetrievalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(indexSource);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(generator);
        Options = options ?? new RetrievalOptions();
        Options.Validate();
        _indexSource = indexSource;
        _embedder = embedder;
        _generator = generator;
    }

    /// <summary>The settings in use.</summary>
    public RetrievalOptions Options { get; }

    /// <summary>
    /// Answers a question with citations, or returns field errors (question missing or too long, topK out of
    /// range, unknown filter keys or bad filter values) for a 400. Throws <see cref="NoSnapshotException"/> when no
    /// snapshot exists yet, and <see cref="InvalidOperationException"/> when the snapshot's model differs from the
    /// query embedder's.
    /// </summary>
    public async Task<Validated<QaResponse>> AskAsync(QaRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request.Question, "question", request.TopK, request.Filters);
        if (errors.Count > 0)
        {
            return Validated<QaResponse>.Invalid(errors);
        }

        var question = request.Question!.Trim();
        var topK = request.TopK ?? Options.DefaultTopK;
        var index = await _indexSource.GetIndexAsync(cancellationToken);
        var vector = await EmbedQueryAsync(index, question, cancellationToken);
        var hits = index.Search(question, vector, topK, RetrievalMode.Hybrid, index.Filter(request.Filters));
        if (hits.Count == 0)
        {
            return Validated<QaResponse>.Ok(new QaResponse(NotCoveredAnswer, [], 0, false, _generator.ModelId, index.Snapshot));
        }

        var confidence = Confidence(index, question, hits);
        if (confidence >= Options.MinConfidence)
        {
            var answer = await _generator.GenerateAsync(question, hits.Select(h => h.Chunk).ToList(), cancellationToken);
            var byId = hits.ToDictionary(h => h.Chunk.ChunkId, StringComparer.Ordinal);
            var cited = answer.CitedChunkIds.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
            if (answer.Covered && cited.Count > 0 && !string.IsNullOrWhiteSpace(answer.Text))
            {
                return Validated<QaResponse>.Ok(new QaResponse(
                    PiiScrubber.Scrub(answer.Text.Trim())!, cited.Select(ToCitation).ToList(), Math.Round(confidence, 3), true, _generator.ModelId, index.Snapshot));
            }
        }

        var nearest = hits.Take(Options.NearestSources).Select(ToCitation).ToList();
        return Validated<QaResponse>.Ok(new QaResponse(NotCoveredAnswer, nearest, Math.Round(confidence, 3), false, _generator.ModelId, index.Snapshot));
    }

    /// <summary>Ranks chunks for a query, or returns field errors for a 400 (as <see cref="AskAsync"/>, plus an unknown mode).</summary>
    public async Task<Validated<SearchResponse>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = Validate(request.Query, "query", request.TopK, request.Filters);
        var mode = RetrievalMode.Hybrid;
        if (request.Mode is not null && !TryParseMode(request.Mode, out mode))
        {
            errors.Add(new FieldError("mode", $"'{request.Mode}' is not a search mode; use hybrid, vector or bm25."));
        }

        if (errors.Count > 0)
        {
            return Validated<SearchResponse>.Invalid(errors);
        }

        var query = request.Query!.Trim();
        var index = await _indexSource.GetIndexAsync(cancellationToken);
        var vector = mode == RetrievalMode.Bm25 ? new float[index.Vectors.Dimensions] : await EmbedQueryAsync(index, query, cancellationToken);
        var hits = index.Search(query, vector, request.TopK ?? Options.DefaultTopK, mode, index.Filter(request.Filters));
        return Validated<SearchResponse>.Ok(new SearchResponse(
            hits.Select(h => new SearchHit(
                h.Chunk.ChunkId,
                h.Chunk.Document,
                h.Chunk.Heading,
                h.Chunk.LineageId,
                PiiScrubber.Scrub(h.Chunk.Text)!,
                Math.Round(h.Score, 6),
                h.Similarity is { } s ? Math.Round(s, 6) : null,
                h.VectorRank,
                h.Bm25Rank,
                h.Chunk.Metadata)).ToList(),
            ModeName(mode),
            index.Model,
            index.Snapshot));
    }

    /// <summary>The JSON name of a mode: <c>hybrid</c>, <c>vector</c>, <c>bm25</c>.</summary>
    public static string ModeName(RetrievalMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>Parses <c>hybrid</c>, <c>vector</c> or <c>bm25</c> (any case).</summary>
    public static bool TryParseMode(string text, out RetrievalMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        mode = RetrievalMode.Hybrid;
        return text.Trim().ToLowerInvariant() switch
        {
            "hybrid" => true,
            "vector" => Set(RetrievalMode.Vector, out mode),
            "bm25" => Set(RetrievalMode.Bm25, out mode),
            _ => false,
        };

        static bool Set(RetrievalMode value, out RetrievalMode mode)
        {
            mode = value;
            return true;
        }
    }

    /// <summary>The retrieval confidence of <paramref name="hits"/> for <paramref name="question"/> (see the class summary).</summary>
    public double Confidence(RetrievalIndex index, string question, IReadOnlyList<RetrievedChunk> hits)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(hits);
        var terms = TextAnalyzer.Terms(question);
        var best = 0.0;
        foreach (var hit in hits.Take(ConfidenceHits))
        {
            var similarity = Math.Clamp(((hit.Similarity ?? 0) - Options.SimilarityFloor) / (Options.SimilarityCeiling - Options.SimilarityFloor), 0, 1);
            best = Math.Max(best, (CoverageWeight * index.Coverage(terms, hit.Row)) + ((1 - CoverageWeight) * similarity));
        }

        return best;
    }

    private List<FieldError> Validate(string? text, string field, int? topK, IReadOnlyDictionary<string, string>? filters)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new FieldError(field, $"{field} is required."));
        }
        else if (text.Length > Options.MaxQuestionLength)
        {
            errors.Add(new FieldError(field, string.Create(CultureInfo.InvariantCulture, $"{field} has {text.Length} characters; at most {Options.MaxQuestionLength} are allowed.")));
        }

        if (topK is { } k && (k < 1 || k > Options.MaxTopK))
        {
            errors.Add(new FieldError("topK", string.Create(CultureInfo.InvariantCulture, $"topK must be between 1 and {Options.MaxTopK}; got {k}.")));
        }

        foreach (var (key, value) in filters ?? new Dictionary<string, string>())
        {
            if (!ChunkMetadata.FilterKeys.Contains(key, StringComparer.Ordinal))
            {
                errors.Add(new FieldError($"filters.{key}", $"Unknown filter '{key}'; filters are {string.Join(", ", ChunkMetadata.FilterKeys)}."));
            }
            else if (string.IsNullOrWhiteSpace(value) || value.Length > 200)
            {
                errors.Add(new FieldError($"filters.{key}", "A filter value must have 1 to 200 characters."));
            }
            else if (key == ChunkMetadata.ReviewScore && value is not ("1" or "2" or "3" or "4" or "5"))
            {
                errors.Add(new FieldError($"filters.{key}", $"review_score must be a whole number from 1 to 5; got '{value}'."));
            }
            else if (key == ChunkMetadata.Kind && value is not (ChunkMetadata.KindDoc or ChunkMetadata.KindReview))
            {
                errors.Add(new FieldError($"filters.{key}", $"kind must be '{ChunkMetadata.KindDoc}' or '{ChunkMetadata.KindReview}'; got '{value}'."));
            }
        }

        return errors;
    }

    private async Task<float[]> EmbedQueryAsync(RetrievalIndex index, string text, CancellationToken cancellationToken)
    {
        if (!string.Equals(index.Model, _embedder.ModelId, StringComparison.Ordinal) || index.Vectors.Dimensions != _embedder.Dimensions)
        {
            throw new InvalidOperationException(
                $"The embeddings snapshot {index.Snapshot ?? "in memory"} holds {index.Vectors.Dimensions}-value vectors of '{index.Model}', but queries are embedded with '{_embedder.ModelId}' ({_embedder.Dimensions} values). Re-run the indexer with this embedder, or configure the snapshot's.");
        }

        var vectors = await _embedder.EmbedAsync([text], EmbeddingPurpose.RetrievalQuery, cancellationToken);
        return vectors[0];
    }

    private static Citation ToCitation(RetrievedChunk hit)
    {
        var text = string.Join(' ', PiiScrubber.Scrub(hit.Chunk.Text)!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var snippet = text.Length <= SnippetLength ? text : string.Concat(text.AsSpan(0, SnippetLength - 1).TrimEnd(), "…");
        return new Citation(hit.Chunk.Document, hit.Chunk.ChunkId, hit.Chunk.Heading, hit.Chunk.LineageId, snippet, Math.Round(hit.Score, 6));
    }
}
