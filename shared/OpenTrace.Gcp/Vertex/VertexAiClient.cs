using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.Vertex;

/// <summary>
/// Typed client for the Vertex AI calls the platform makes on regional hosts
/// (<c>https://{region}-aiplatform.googleapis.com/v1/projects/{p}/locations/{region}/...</c>): text embeddings,
/// Gemini <c>generateContent</c> and endpoint <c>predict</c>. None of them changes state, so all are retried on 429/5xx
/// honouring <c>Retry-After</c>.
/// </summary>
public sealed class VertexAiClient
{
    /// <summary>Most texts one embeddings request may carry.</summary>
    public const int MaxTextsPerRequest = 250;

    /// <summary>Most input tokens one embeddings request may carry.</summary>
    public const int MaxTokensPerRequest = 20_000;

    private const string ServiceName = "Vertex AI";

    private readonly GoogleRestClient _client;
    private readonly string _locationUrl;
    private readonly string _embeddingModel;
    private readonly string _generativeModel;

    /// <summary>Creates the client. <paramref name="httpClient"/> is kept for its lifetime (register as a singleton).</summary>
    public VertexAiClient(HttpClient httpClient, GcpOptions options, IAccessTokenSource tokenSource)
        : this(new GoogleRestClient(httpClient, tokenSource, Backoff.From(options), ServiceName), options)
    {
    }

    internal VertexAiClient(GoogleRestClient client, GcpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        var region = options.EffectiveVertexRegion ?? throw new InvalidOperationException("Setting OpenTrace:VertexRegion or OpenTrace:Region is required for Vertex AI.");
        var host = region == "global" ? "https://aiplatform.googleapis.com" : $"https://{region}-aiplatform.googleapis.com";
        _locationUrl = $"{host}/v1/projects/{Uri.EscapeDataString(options.RequireProjectId())}/locations/{region}";
        _embeddingModel = options.EmbeddingModel;
        _generativeModel = options.GenerativeModel;
    }

    /// <summary>
    /// Embeds <paramref name="texts"/> with the configured embedding model, in as few requests as the limits allow
    /// (≤ <see cref="MaxTextsPerRequest"/> texts and ≤ <see cref="MaxTokensPerRequest"/> estimated tokens each).
    /// Over-long texts are truncated by the service (<c>autoTruncate</c>). Results are in input order.
    /// </summary>
    /// <param name="texts">Texts to embed; an empty list makes no request.</param>
    /// <param name="task">What the vectors are for; documents and queries are embedded differently.</param>
    /// <param name="outputDimensionality">Shorter vectors, when the model supports it; null keeps the model's size.</param>
    /// <param name="cancellationToken">Cancels the remaining requests.</param>
    public async Task<IReadOnlyList<TextEmbedding>> EmbedAsync(
        IReadOnlyList<string> texts, EmbeddingTask task = EmbeddingTask.RetrievalDocument, int? outputDimensionality = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var results = new List<TextEmbedding>(texts.Count);
        var taskName = TaskName(task);
        foreach (var batch in PlanBatches(texts))
        {
            var instances = new JsonArray();
            for (var i = batch.Start.Value; i < batch.End.Value; i++)
            {
                instances.Add(new JsonObject { ["content"] = texts[i], ["task_type"] = taskName });
            }

            var parameters = new JsonObject { ["autoTruncate"] = true };
            if (outputDimensionality is { } dimensions)
            {
                parameters["outputDimensionality"] = dimensions;
            }

            var body = new JsonObject { ["instances"] = instances, ["parameters"] = parameters };
            var url = $"{_locationUrl}/publishers/google/models/{_embeddingModel}:predict";
            var response = (await _client.JsonAsync(HttpMethod.Post, url, body, idempotent: true, cancellationToken)).EnsureSuccess(_client);
            var predictions = response.GetProperty("predictions");
            if (predictions.GetArrayLength() != instances.Count)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"Vertex AI returned {predictions.GetArrayLength()} embeddings for {instances.Count} texts."));
            }

            foreach (var prediction in predictions.EnumerateArray())
            {
                var embedding = prediction.GetProperty("embeddings");
                var values = embedding.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                var tokens = 0;
                var truncated = false;
                if (embedding.TryGetProperty("statistics", out var stats))
                {
                    tokens = stats.TryGetProperty("token_count", out var t) ? (int)t.GetDouble() : 0;
                    truncated = stats.TryGetProperty("truncated", out var tr) && tr.GetBoolean();
                }

                results.Add(new TextEmbedding(values, tokens, truncated));
            }
        }

        return results;
    }

    /// <summary>Asks the configured Gemini model (or <paramref name="model"/>) for a response.</summary>
    /// <param name="request">System instruction, conversation and generation settings.</param>
    /// <param name="model">Model id; null uses <see cref="GcpOptions.GenerativeModel"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<GeminiResponse> GenerateContentAsync(GeminiRequest request, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new JsonObject
        {
            ["contents"] = new JsonArray(request.Contents.Select(m => (JsonNode)new JsonObject
            {
                ["role"] = m.Role,
                ["parts"] = new JsonArray(new JsonObject { ["text"] = m.Text }),
            }).ToArray()),
        };
        if (request.SystemInstruction is not null)
        {
            body["systemInstruction"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = request.SystemInstruction }) };
        }

        if (request.Settings is { } settings)
        {
            var config = new JsonObject();
            if (settings.Temperature is { } temperature)
            {
                config["temperature"] = temperature;
            }

            if (settings.TopP is { } topP)
            {
                config["topP"] = topP;
            }

            if (settings.MaxOutputTokens is { } max)
            {
                config["maxOutputTokens"] = max;
            }

            if (settings.ResponseMimeType is { } mime)
            {
                config["responseMimeType"] = mime;
            }

            body["generationConfig"] = config;
        }

        var url = $"{_locationUrl}/publishers/google/models/{model ?? _generativeModel}:generateContent";
        var response = (await _client.JsonAsync(HttpMethod.Post, url, body, idempotent: true, cancellationToken)).EnsureSuccess(_client);
        return GeminiResponse.Parse(response);
    }

    /// <summary>Calls <c>endpoints/{id}:predict</c> on a deployed model.</summary>
    /// <param name="endpointId">Numeric endpoint id.</param>
    /// <param name="instances">Inputs in the model's own format.</param>
    /// <param name="parameters">Model parameters, or null for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<EndpointPrediction> PredictAsync(
        string endpointId, IReadOnlyList<JsonNode> instances, JsonNode? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpointId);
        ArgumentNullException.ThrowIfNull(instances);
        var body = new JsonObject { ["instances"] = new JsonArray(instances.Select(i => i.DeepClone()).ToArray()) };
        if (parameters is not null)
        {
            body["parameters"] = parameters.DeepClone();
        }

        var url = $"{_locationUrl}/endpoints/{Uri.EscapeDataString(endpointId)}:predict";
        var response = (await _client.JsonAsync(HttpMethod.Post, url, body, idempotent: true, cancellationToken)).EnsureSuccess(_client);
        return new EndpointPrediction(
            response.GetProperty("predictions").EnumerateArray().Select(p => p.Clone()).ToList(),
            response.TryGetProperty("deployedModelId", out var d) ? d.GetString() : null,
            response.TryGetProperty("modelVersionId", out var v) ? v.GetString() : null);
    }

    /// <summary>
    /// A conservative token estimate (about three characters per token, at least one per word), since no tokenizer
    /// ships with the client; overestimating only makes batches smaller.
    /// </summary>
    public static int EstimateTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        return Math.Max(1, Math.Max(words, (text.Length + 2) / 3));
    }

    /// <summary>Splits texts into consecutive batches within the request limits.</summary>
    internal static IReadOnlyList<Range> PlanBatches(IReadOnlyList<string> texts)
    {
        var batches = new List<Range>();
        var start = 0;
        var tokens = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            // A single text over the token limit goes alone; the service truncates it.
            var estimate = Math.Min(EstimateTokens(texts[i]), MaxTokensPerRequest);
            if (i > start && (i - start == MaxTextsPerRequest || tokens + estimate > MaxTokensPerRequest))
            {
                batches.Add(start..i);
                start = i;
                tokens = 0;
            }

            tokens += estimate;
        }

        if (start < texts.Count)
        {
            batches.Add(start..texts.Count);
        }

        return batches;
    }

    private static string TaskName(EmbeddingTask task) => task switch
    {
        EmbeddingTask.RetrievalDocument => "RETRIEVAL_DOCUMENT",
        EmbeddingTask.RetrievalQuery => "RETRIEVAL_QUERY",
        EmbeddingTask.SemanticSimilarity => "SEMANTIC_SIMILARITY",
        EmbeddingTask.Classification => "CLASSIFICATION",
        EmbeddingTask.Clustering => "CLUSTERING",
        EmbeddingTask.QuestionAnswering => "QUESTION_ANSWERING",
        EmbeddingTask.FactVerification => "FACT_VERIFICATION",
        EmbeddingTask.CodeRetrievalQuery => "CODE_RETRIEVAL_QUERY",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown embedding task."),
    };
}
