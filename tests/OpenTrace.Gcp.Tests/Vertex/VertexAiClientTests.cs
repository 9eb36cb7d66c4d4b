using System.Text.Json.Nodes;
using OpenTrace.Core;
using OpenTrace.Gcp.Http;
using OpenTrace.Gcp.Tests.Fakes;
using OpenTrace.Gcp.Vertex;

namespace OpenTrace.Gcp.Tests.Vertex;

public sealed class VertexAiClientTests
{
    private readonly TestClients _clients = new();

    [Fact]
    public async Task Embed_SendsContentAndTaskType_OnTheRegionalHost_RetryingAThrottledCall()
    {
        var (client, replay) = Create("embed.json");

        var embeddings = await client.EmbedAsync(
            ["How long does delivery to Sao Paulo take?", "Orders are delivered within 8 days on average.", "Refunds are issued to the original payment method."],
            EmbeddingTask.RetrievalDocument, outputDimensionality: 4, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(3, embeddings.Count);
        Assert.Equal([0.01f, 0.02f, 0.03f, 0.04f], embeddings[0].Values);
        Assert.Equal(11, embeddings[1].TokenCount);
        Assert.True(embeddings[2].Truncated);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(_clients.Delays));
    }

    [Fact]
    public void PlanBatches_SplitsAt250TextsAndAt20000EstimatedTokens_KeepingOrder()
    {
        var many = Enumerable.Range(0, 600).Select(i => $"text {i}").ToList();
        Assert.Equal([0..250, 250..500, 500..600], VertexAiClient.PlanBatches(many));

        var long8k = new string('a', 3 * 8000); // about 8,000 tokens each
        var heavy = new List<string> { long8k, long8k, long8k, "short" };
        Assert.Equal([0..2, 2..4], VertexAiClient.PlanBatches(heavy));

        var huge = new string('b', 3 * 30000);
        Assert.Equal([0..1, 1..2], VertexAiClient.PlanBatches([huge, "x"]));
        Assert.Empty(VertexAiClient.PlanBatches([]));
    }

    [Fact]
    public async Task Embed_NoTexts_MakesNoRequest()
    {
        var (client, replay) = Create("embed.json");

        Assert.Empty(await client.EmbedAsync([], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Empty(replay.Bodies);
    }

    [Fact]
    public async Task GenerateContent_SendsSystemInstructionContentsAndConfig_AndJoinsTheAnswerParts()
    {
        var (client, replay) = Create("generate.json");

        var answer = await client.GenerateContentAsync(
            new GeminiRequest(
                [GeminiMessage.User("Question: How long does delivery take?\n\nSources:\n[1] Orders are delivered within 8 days on average.")],
                "Answer only from the numbered sources and cite them like [1].",
                new GenerationSettings(Temperature: 0.2, MaxOutputTokens: 256)),
            cancellationToken: TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal("Orders arrive in about 8 days on average [1].", answer.Text);
        Assert.Equal("STOP", answer.FinishReason);
        Assert.Equal((41, 12), (answer.PromptTokens, answer.OutputTokens));
        Assert.Equal("gs://demo-project-lake/docs/delivery.md", Assert.Single(answer.Citations).Uri);
        Assert.False(answer.Blocked);
        Assert.Single(_clients.Delays); // the 503 was retried
    }

    [Fact]
    public async Task GenerateContent_BlockedPrompt_ReturnsTheBlockReasonWithoutText()
    {
        var (client, _) = Create("generate-blocked.json");

        var answer = await client.GenerateContentAsync(new GeminiRequest([GeminiMessage.User("...")]), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(answer.Blocked);
        Assert.Equal("PROHIBITED_CONTENT", answer.FinishReason);
        Assert.Empty(answer.Text);
    }

    [Fact]
    public async Task GenerateContent_InvalidRequest_ThrowsGcpApiExceptionWithoutRetrying()
    {
        var (client, replay) = Create("generate-invalid.json");

        var e = await Assert.ThrowsAsync<GcpApiException>(() =>
            client.GenerateContentAsync(new GeminiRequest([new GeminiMessage("assistant", "hi")]), cancellationToken: TestContext.Current.CancellationToken));

        replay.AssertAllReplayed();
        Assert.Equal(400, (int)e.StatusCode);
        Assert.Equal("INVALID_ARGUMENT", e.Error.Status);
        Assert.False(e.IsTransient);
        Assert.Empty(_clients.Delays);
    }

    [Fact]
    public async Task PredictEndpoint_PostsInstancesAndParameters_RetryingA500()
    {
        var (client, replay) = Create("endpoint.json");

        var result = await client.PredictAsync("1234567890",
            [new JsonObject { ["price"] = 29.9, ["freight_value"] = 8.72, ["items"] = 2 }],
            new JsonObject { ["confidenceThreshold"] = 0.5 }, TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal(0.13, Assert.Single(result.Predictions).GetProperty("late_delivery_probability").GetDouble());
        Assert.Equal("4567", result.DeployedModelId);
        Assert.Equal("3", result.ModelVersionId);
    }

    [Fact]
    public async Task PredictEndpoint_500OnEveryAttempt_ThrowsTransient()
    {
        var (client, _) = Create("endpoint.json", o => o.MaxAttempts = 1);

        var e = await Assert.ThrowsAsync<TransientException>(() =>
            client.PredictAsync("1234567890", [new JsonObject { ["price"] = 29.9, ["freight_value"] = 8.72, ["items"] = 2 }], new JsonObject { ["confidenceThreshold"] = 0.5 }, TestContext.Current.CancellationToken));

        Assert.IsType<GcpApiException>(e.InnerException);
    }

    [Fact]
    public async Task GlobalRegion_UsesTheGlobalHost()
    {
        var (client, replay) = Create("global-host.json", o => o.VertexRegion = "global");

        var answer = await client.GenerateContentAsync(new GeminiRequest([GeminiMessage.User("ping")]), cancellationToken: TestContext.Current.CancellationToken);

        replay.AssertAllReplayed();
        Assert.Equal("ok", answer.Text);
    }

    private (VertexAiClient Client, ReplayHandler Replay) Create(string file, Action<GcpOptions>? configure = null)
    {
        var replay = new ReplayHandler(Path.Combine("vertex", file));
        var options = TestClients.Options(configure);
        return (new VertexAiClient(_clients.Rest(replay, options, "Vertex AI"), options), replay);
    }
}
