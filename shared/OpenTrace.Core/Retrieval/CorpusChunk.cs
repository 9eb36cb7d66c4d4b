using System.Security.Cryptography;
using System.Text;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// One searchable passage: a piece of a curated document or one review comment. Chunks are what is embedded,
/// indexed, retrieved and cited.
/// </summary>
/// <param name="ChunkId">Stable id, unique in the corpus: <c>&lt;document stem&gt;#&lt;section path slug&gt;[.n]</c> for documents
/// (<c>kpi-definitions#late-flag</c>, <c>kpi-definitions#late-flag.2</c> for the section's second chunk), <c>review/&lt;review_id&gt;/&lt;order_id&gt;</c> for review comments.</param>
/// <param name="Document">Where it comes from: the document's path under the docs folder (<c>late-delivery-runbook.md</c>),
/// or the table (<c>silver.olist__order_reviews</c>).</param>
/// <param name="Heading">Heading path, outermost first, joined with <c> › </c>; empty when the text has no heading.</param>
/// <param name="Text">The passage, already scrubbed of personal data.</param>
/// <param name="LineageId">Lineage: the document's content hash (32 hex characters), or the row's <c>_lineage_id</c>.</param>
/// <param name="Metadata">Filterable attributes (<see cref="ChunkMetadata"/> keys); never null.</param>
public sealed record CorpusChunk(
    string ChunkId,
    string Document,
    string Heading,
    string Text,
    string LineageId,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The text handed to the embedder: the heading path, then the passage.</summary>
    public string EmbeddingText => Heading.Length == 0 ? Text : $"{Heading}\n{Text}";

    /// <summary>
    /// SHA-256 (first 16 bytes, lower-case hex) of <see cref="EmbeddingText"/>: an unchanged hash means the stored
    /// vector can be reused.
    /// </summary>
    public string ContentHash => HashHex(EmbeddingText);

    /// <summary>The first 16 bytes of SHA-256 over the UTF-8 text, as 32 lower-case hex characters.</summary>
    public static string HashHex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}

/// <summary>Metadata keys chunks carry, and the values of <see cref="Kind"/>. These are the keys search filters accept.</summary>
public static class ChunkMetadata
{
    /// <summary><c>doc</c> for curated documents, <c>review</c> for review comments.</summary>
    public const string Kind = "kind";

    /// <summary>The chunk's <see cref="CorpusChunk.Document"/>.</summary>
    public const string Document = "document";

    /// <summary>Review score 1 to 5 (review comments only).</summary>
    public const string ReviewScore = "review_score";

    /// <summary>Order id (review comments only).</summary>
    public const string OrderId = "order_id";

    /// <summary><see cref="Kind"/> of curated documents.</summary>
    public const string KindDoc = "doc";

    /// <summary><see cref="Kind"/> of review comments.</summary>
    public const string KindReview = "review";

    /// <summary>Every key a filter may name.</summary>
    public static IReadOnlyList<string> FilterKeys { get; } = [Kind, Document, ReviewScore, OrderId];
}

/// <summary>Where chunks come from (a docs folder, a warehouse table).</summary>
public interface ICorpusSource
{
    /// <summary>Short name for progress and errors, for example <c>docs</c>.</summary>
    string Name { get; }

    /// <summary>Reads every chunk of the source, personal data already masked.</summary>
    IAsyncEnumerable<CorpusChunk> ReadChunksAsync(CancellationToken cancellationToken = default);
}
