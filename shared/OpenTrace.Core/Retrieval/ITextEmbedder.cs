namespace OpenTrace.Core.Retrieval;

/// <summary>What a text is embedded for; some models embed passages and questions differently.</summary>
public enum EmbeddingPurpose
{
    /// <summary>A passage that will be searched (Vertex AI <c>RETRIEVAL_DOCUMENT</c>).</summary>
    RetrievalDocument,

    /// <summary>A search query or question (Vertex AI <c>RETRIEVAL_QUERY</c>).</summary>
    RetrievalQuery,
}

/// <summary>
/// Turns texts into vectors: Vertex AI text embeddings in the cloud, <see cref="HashingTextEmbedder"/> locally.
/// Vectors of one embedder are comparable with each other only; snapshots record <see cref="ModelId"/> and are
/// re-embedded when it changes.
/// </summary>
public interface ITextEmbedder
{
    /// <summary>Identifies the model and its settings (for example <c>text-embedding-005</c>); stored with every vector.</summary>
    string ModelId { get; }

    /// <summary>Length of every vector returned.</summary>
    int Dimensions { get; }

    /// <summary>
    /// Embeds <paramref name="texts"/>, returning one vector of <see cref="Dimensions"/> values per text, in input order.
    /// Vectors are L2-normalised, so a dot product is the cosine similarity. An empty list returns an empty list.
    /// </summary>
    Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken = default);
}
