using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// <c>POST /v1/qa</c> body: <c>{"question": "...", "topK": 5, "filters": {"kind": "doc"}}</c>.
/// </summary>
/// <param name="Question">The question; required, at most <see cref="RetrievalOptions.MaxQuestionLength"/> characters.</param>
/// <param name="TopK">Chunks retrieved to answer from, 1 to <see cref="RetrievalOptions.MaxTopK"/>; null means <see cref="RetrievalOptions.DefaultTopK"/>.</param>
/// <param name="Filters">Metadata equality filters (keys in <see cref="ChunkMetadata.FilterKeys"/>); null or empty for none.
/// JSON values may be strings or numbers (<c>"review_score": 1</c>).</param>
public sealed record QaRequest(
    string? Question,
    int? TopK = null,
    [property: JsonConverter(typeof(FilterValuesConverter))] IReadOnlyDictionary<string, string>? Filters = null);

/// <summary>
/// <c>POST /v1/search</c> body: <c>{"query": "...", "topK": 10, "filters": {...}, "mode": "hybrid"}</c>.
/// </summary>
/// <param name="Query">The search text; required, at most <see cref="RetrievalOptions.MaxQuestionLength"/> characters.</param>
/// <param name="TopK">Chunks returned, 1 to <see cref="RetrievalOptions.MaxTopK"/>; null means <see cref="RetrievalOptions.DefaultTopK"/>.</param>
/// <param name="Filters">Metadata equality filters, as for <see cref="QaRequest.Filters"/>.</param>
/// <param name="Mode"><c>hybrid</c> (null, the default), <c>vector</c> or <c>bm25</c>.</param>
public sealed record SearchRequest(
    string? Query,
    int? TopK = null,
    [property: JsonConverter(typeof(FilterValuesConverter))] IReadOnlyDictionary<string, string>? Filters = null,
    string? Mode = null);

/// <summary>A source an answer rests on.</summary>
/// <param name="Document">The document (<c>late-delivery-runbook.md</c>) or table (<c>silver.olist__order_reviews</c>).</param>
/// <param name="ChunkId">The chunk, as cited in the answer text (<c>[chunk-id]</c>).</param>
/// <param name="Heading">The chunk's heading path.</param>
/// <param name="LineageId">The document's content hash, or the review row's <c>_lineage_id</c>.</param>
/// <param name="Snippet">The start of the chunk's text (at most <see cref="QaService.SnippetLength"/> characters).</param>
/// <param name="Score">The retrieval score (reciprocal rank fusion).</param>
public sealed record Citation(string Document, string ChunkId, string Heading, string LineageId, string Snippet, double Score);

/// <summary><c>POST /v1/qa</c> answer.</summary>
/// <param name="Answer">The answer with <c>[chunk-id]</c> markers, or the sentence saying the documents do not cover the question.</param>
/// <param name="Citations">The cited chunks in order of citation; when <paramref name="Covered"/> is false, the nearest sources. Never empty unless the corpus is.</param>
/// <param name="Confidence">Retrieval confidence 0 to 1 (see <see cref="QaService"/>).</param>
/// <param name="Covered">False when the documents do not cover the question.</param>
/// <param name="Generator">The answer generator's model id (<c>extractive</c>, <c>gemini-2.5-flash</c>).</param>
/// <param name="Snapshot">The embeddings snapshot searched (object name), or null for an in-memory index.</param>
public sealed record QaResponse(string Answer, IReadOnlyList<Citation> Citations, double Confidence, bool Covered, string Generator, string? Snapshot);

/// <summary>One search result.</summary>
/// <param name="ChunkId">The chunk id.</param>
/// <param name="Document">The document or table.</param>
/// <param name="Heading">The heading path.</param>
/// <param name="LineageId">Lineage id.</param>
/// <param name="Text">The chunk's text.</param>
/// <param name="Score">The mode's score: fused RRF, cosine similarity or BM25.</param>
/// <param name="Similarity">Cosine similarity to the query, or null in bm25 mode.</param>
/// <param name="VectorRank">Rank in the vector ranking, or null.</param>
/// <param name="Bm25Rank">Rank in the BM25 ranking, or null.</param>
/// <param name="Metadata">The chunk's metadata (<see cref="ChunkMetadata"/>).</param>
public sealed record SearchHit(
    string ChunkId,
    string Document,
    string Heading,
    string LineageId,
    string Text,
    double Score,
    double? Similarity,
    int? VectorRank,
    int? Bm25Rank,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary><c>POST /v1/search</c> answer.</summary>
/// <param name="Hits">Best first.</param>
/// <param name="Mode"><c>hybrid</c>, <c>vector</c> or <c>bm25</c>.</param>
/// <param name="Model">The embedding model of the index.</param>
/// <param name="Snapshot">The snapshot searched, or null.</param>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Hits, string Mode, string Model, string? Snapshot);

/// <summary>A problem with one request field; the HTTP layer answers 400 with the list.</summary>
/// <param name="Field">JSON path of the field: <c>question</c>, <c>topK</c>, <c>filters.review_score</c>.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record FieldError(string Field, string Message);

/// <summary>Either a value or the field errors that prevented it.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class Validated<T>
    where T : class
{
    private Validated(T? value, IReadOnlyList<FieldError> errors)
    {
        Value = value;
        Errors = errors;
    }

    /// <summary>The value; null when <see cref="IsValid"/> is false.</summary>
    public T? Value { get; }

    /// <summary>Field errors; empty when valid.</summary>
    public IReadOnlyList<FieldError> Errors { get; }

    /// <summary>True when there is a value and no error.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>A valid result.</summary>
    public static Validated<T> Ok(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), []);

    /// <summary>An invalid result; at least one error.</summary>
    public static Validated<T> Invalid(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0 ? throw new ArgumentException("An invalid result needs at least one error.", nameof(errors)) : new(null, errors);
    }
}

/// <summary>
/// Reads a JSON object of filter values that may be strings, numbers or booleans into strings (numbers in invariant
/// form), so <c>{"review_score": 1}</c> and <c>{"review_score": "1"}</c> mean the same. Nested values are refused.
/// </summary>
public sealed class FilterValuesConverter : JsonConverter<IReadOnlyDictionary<string, string>>
{
    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("filters must be an object of key → value.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString() ?? string.Empty;
            reader.Read();
            values[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString() ?? string.Empty,
                JsonTokenType.Number => reader.TryGetInt64(out var l) ? l.ToString(CultureInfo.InvariantCulture) : reader.GetDouble().ToString(CultureInfo.InvariantCulture),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                _ => throw new JsonException($"filters.{key} must be a string or a number."),
            };
        }

        return values;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        foreach (var (key, text) in value)
        {
            writer.WriteString(key, text);
        }

        writer.WriteEndObject();
    }
}
