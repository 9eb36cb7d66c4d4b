using System.Text;
using System.Text.Json;

namespace OpenTrace.Gcp.Vertex;

/// <summary>What embeddings are for; Vertex AI tunes vectors to the task.</summary>
public enum EmbeddingTask
{
    /// <summary>Passages to be searched.</summary>
    RetrievalDocument,

    /// <summary>Search queries.</summary>
    RetrievalQuery,

    /// <summary>Similarity between texts.</summary>
    SemanticSimilarity,

    /// <summary>Classifier inputs.</summary>
    Classification,

    /// <summary>Clustering inputs.</summary>
    Clustering,

    /// <summary>Questions to be answered from documents.</summary>
    QuestionAnswering,

    /// <summary>Claims to be checked against documents.</summary>
    FactVerification,

    /// <summary>Queries searching code.</summary>
    CodeRetrievalQuery,
}

/// <summary>One text's embedding.</summary>
/// <param name="Values">The vector.</param>
/// <param name="TokenCount">Tokens the service counted in the input (0 when not reported).</param>
/// <param name="Truncated">True when the input was cut to the model's limit.</param>
public sealed record TextEmbedding(float[] Values, int TokenCount, bool Truncated);

/// <summary>One turn of a conversation.</summary>
/// <param name="Role"><c>user</c> or <c>model</c>.</param>
/// <param name="Text">The turn's text.</param>
public sealed record GeminiMessage(string Role, string Text)
{
    /// <summary>A user turn.</summary>
    public static GeminiMessage User(string text) => new("user", text);

    /// <summary>A model turn (earlier answer).</summary>
    public static GeminiMessage Model(string text) => new("model", text);
}

/// <summary>Generation settings; every null leaves the model's default.</summary>
/// <param name="Temperature">Sampling temperature.</param>
/// <param name="MaxOutputTokens">Longest answer in tokens.</param>
/// <param name="TopP">Nucleus sampling mass.</param>
/// <param name="ResponseMimeType">For example <c>application/json</c> for JSON answers.</param>
public sealed record GenerationSettings(double? Temperature = null, int? MaxOutputTokens = null, double? TopP = null, string? ResponseMimeType = null);

/// <summary>A <c>generateContent</c> request.</summary>
/// <param name="Contents">The conversation, ending with the user's turn.</param>
/// <param name="SystemInstruction">Instructions that frame every answer, or null.</param>
/// <param name="Settings">Generation settings, or null for the model's defaults.</param>
public sealed record GeminiRequest(IReadOnlyList<GeminiMessage> Contents, string? SystemInstruction = null, GenerationSettings? Settings = null);

/// <summary>A source the answer quoted, as the service reports it.</summary>
/// <param name="StartIndex">Start of the quoted span in the answer.</param>
/// <param name="EndIndex">End of the quoted span.</param>
/// <param name="Uri">The source's URI, or null.</param>
public sealed record GeminiCitation(int StartIndex, int EndIndex, string? Uri);

/// <summary>The first candidate of a <c>generateContent</c> answer.</summary>
/// <param name="Text">The answer's text parts joined; empty when the prompt or answer was blocked.</param>
/// <param name="FinishReason">Why generation stopped (<c>STOP</c>, <c>MAX_TOKENS</c>, <c>SAFETY</c>...), or the block reason.</param>
/// <param name="PromptTokens">Prompt tokens billed.</param>
/// <param name="OutputTokens">Answer tokens billed.</param>
/// <param name="ModelVersion">The model version that answered, or null.</param>
/// <param name="Citations">Quoted sources; empty when none.</param>
public sealed record GeminiResponse(string Text, string? FinishReason, int PromptTokens, int OutputTokens, string? ModelVersion, IReadOnlyList<GeminiCitation> Citations)
{
    /// <summary>True when the prompt was blocked and no candidate came back.</summary>
    public bool Blocked { get; init; }

    internal static GeminiResponse Parse(JsonElement response)
    {
        var usage = response.TryGetProperty("usageMetadata", out var u) ? u : default;
        var promptTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("promptTokenCount", out var p) ? p.GetInt32() : 0;
        var outputTokens = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("candidatesTokenCount", out var o) ? o.GetInt32() : 0;
        var version = response.TryGetProperty("modelVersion", out var v) ? v.GetString() : null;
        if (!response.TryGetProperty("candidates", out var candidates) || candidates.GetArrayLength() == 0)
        {
            var reason = response.TryGetProperty("promptFeedback", out var feedback) && feedback.TryGetProperty("blockReason", out var b) ? b.GetString() : null;
            return new GeminiResponse(string.Empty, reason, promptTokens, outputTokens, version, []) { Blocked = true };
        }

        var first = candidates[0];
        var text = new StringBuilder();
        if (first.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (part.TryGetProperty("text", out var t))
                {
                    text.Append(t.GetString());
                }
            }
        }

        var citations = new List<GeminiCitation>();
        if (first.TryGetProperty("citationMetadata", out var cm) && cm.TryGetProperty("citations", out var cs))
        {
            foreach (var c in cs.EnumerateArray())
            {
                citations.Add(new GeminiCitation(
                    c.TryGetProperty("startIndex", out var s) ? s.GetInt32() : 0,
                    c.TryGetProperty("endIndex", out var e) ? e.GetInt32() : 0,
                    c.TryGetProperty("uri", out var uri) ? uri.GetString() : null));
            }
        }

        return new GeminiResponse(
            text.ToString(),
            first.TryGetProperty("finishReason", out var f) ? f.GetString() : null,
            promptTokens,
            outputTokens,
            version,
            citations);
    }
}

/// <summary>Predictions from a deployed endpoint.</summary>
/// <param name="Predictions">One prediction per instance, in the model's own format.</param>
/// <param name="DeployedModelId">The deployed model that answered, or null.</param>
/// <param name="ModelVersionId">Its version, or null.</param>
public sealed record EndpointPrediction(IReadOnlyList<JsonElement> Predictions, string? DeployedModelId, string? ModelVersionId);
