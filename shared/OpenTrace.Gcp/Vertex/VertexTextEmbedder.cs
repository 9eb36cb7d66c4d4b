using System.Globalization;
using System.Numerics.Tensors;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Gcp.Vertex;

/// <summary>
/// <see cref="ITextEmbedder"/> over Vertex AI text embeddings (<see cref="GcpOptions.EmbeddingModel"/>, by default
/// <c>text-embedding-005</c>): documents are embedded with task type <c>RETRIEVAL_DOCUMENT</c>, queries with
/// <c>RETRIEVAL_QUERY</c>, long texts truncated by the service. <see cref="VertexAiClient.EmbedAsync"/> batches
/// within the request limits and retries throttling. Vectors are L2-normalised.
/// </summary>
public sealed class VertexTextEmbedder : ITextEmbedder
{
    /// <summary>The vector length of text-embedding-005 (and the default requested).</summary>
    public const int DefaultDimensions = 768;

    private readonly VertexAiClient _client;

    /// <summary>Creates the embedder; <paramref name="dimensions"/> is sent as <c>outputDimensionality</c>.</summary>
    public VertexTextEmbedder(VertexAiClient client, GcpOptions options, int dimensions = DefaultDimensions)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _client = client;
        Dimensions = dimensions;
        ModelId = dimensions == DefaultDimensions
            ? options.EmbeddingModel
            : string.Create(CultureInfo.InvariantCulture, $"{options.EmbeddingModel}@{dimensions}");
    }

    /// <inheritdoc />
    public string ModelId { get; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public async Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var task = purpose == EmbeddingPurpose.RetrievalQuery ? EmbeddingTask.RetrievalQuery : EmbeddingTask.RetrievalDocument;
        var embeddings = await _client.EmbedAsync(texts, task, Dimensions, cancellationToken);
        var vectors = new float[embeddings.Count][];
        for (var i = 0; i < embeddings.Count; i++)
        {
            var values = embeddings[i].Values;
            if (values.Length != Dimensions)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Vertex AI returned {values.Length} values for text {i + 1}; {ModelId} was asked for {Dimensions}."));
            }

            var norm = TensorPrimitives.Norm(values);
            if (norm > 0)
            {
                TensorPrimitives.Divide(values, norm, values);
            }

            vectors[i] = values;
        }

        return vectors;
    }
}
