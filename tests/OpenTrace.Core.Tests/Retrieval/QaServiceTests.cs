using System.Text.Json;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class QaServiceTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Ask_ADocumentedQuestion_AnswersFromTheDocsWithCitations()
    {
        var qa = await ServiceAsync();

        var result = await qa.AskAsync(new QaRequest("Does a delivery on the estimated day itself count as late?"), TestContext.Current.CancellationToken);

        var answer = result.Value!;
        Assert.True(answer.Covered);
        Assert.Contains("an order delivered at any time on the estimated day already counts as late", answer.Answer, StringComparison.Ordinal);
        var first = answer.Citations[0];
        Assert.Equal(
            ("kpi-definitions.md", "kpi-definitions#late-flag-when-an-order-counts-as-late", "KPI definitions › Late flag: when an order counts as late"),
            (first.Document, first.ChunkId, first.Heading));
        Assert.Equal(32, first.LineageId.Length);
        Assert.Contains("[kpi-definitions#late-flag-when-an-order-counts-as-late]", answer.Answer, StringComparison.Ordinal);
        Assert.All(answer.Citations, c => Assert.Contains($"[{c.ChunkId}]", answer.Answer, StringComparison.Ordinal));
        Assert.InRange(answer.Confidence, qa.Options.MinConfidence, 1);
        Assert.Equal("extractive", answer.Generator);
    }

    [Theory]
    [InlineData("What is the capital of France?")]
    [InlineData("How do I bake sourdough bread at home?")]
    [InlineData("Who won the football world cup in 1970?")]
    public async Task Ask_AQuestionTheDocsDoNotCover_SaysSoAndListsTheNearestSources(string question)
    {
        var qa = await ServiceAsync();

        var answer = (await qa.AskAsync(new QaRequest(question), TestContext.Current.CancellationToken)).Value!;

        Assert.False(answer.Covered);
        Assert.Equal(QaService.NotCoveredAnswer, answer.Answer);
        Assert.Equal(qa.Options.NearestSources, answer.Citations.Count);
        Assert.True(answer.Confidence < qa.Options.MinConfidence);
    }

    [Fact]
    public async Task Ask_EveryEvaluationQuestion_IsCoveredWithACitationOrSaysItIsNot()
    {
        var qa = await ServiceAsync();
        var covered = 0;
        var cases = RetrievalEvaluationTests.EvalCases();

        foreach (var c in cases)
        {
            var answer = (await qa.AskAsync(new QaRequest(c.Question), TestContext.Current.CancellationToken)).Value!;
            Assert.NotEmpty(answer.Citations);
            if (answer.Covered)
            {
                covered++;
                Assert.Contains(answer.Citations, cit => answer.Answer.Contains($"[{cit.ChunkId}]", StringComparison.Ordinal));
            }
            else
            {
                Assert.Equal(QaService.NotCoveredAnswer, answer.Answer);
            }
        }

        TestContext.Current.TestOutputHelper!.WriteLine($"{covered} of {cases.Count} evaluation questions answered as covered");
        Assert.True(covered >= cases.Count * 0.9, $"only {covered} of {cases.Count} documented questions were answered");
    }

    [Theory]
    [InlineData(null, null, null, "question")]
    [InlineData("   ", null, null, "question")]
    [InlineData("ok?", 0, null, "topK")]
    [InlineData("ok?", 21, null, "topK")]
    [InlineData("ok?", null, "colour=red", "filters.colour")]
    [InlineData("ok?", null, "review_score=6", "filters.review_score")]
    [InlineData("ok?", null, "kind=pdf", "filters.kind")]
    public async Task Ask_InvalidRequest_ReturnsFieldErrors(string? question, int? topK, string? filter, string field)
    {
        var qa = await ServiceAsync();
        var filters = filter is null ? null : new Dictionary<string, string> { [filter.Split('=')[0]] = filter.Split('=')[1] };

        var result = await qa.AskAsync(new QaRequest(question, topK, filters), TestContext.Current.CancellationToken);

        Assert.False(result.IsValid);
        Assert.Null(result.Value);
        Assert.Equal(field, Assert.Single(result.Errors).Field);
    }

    [Fact]
    public async Task Ask_TooLongQuestion_NamesTheLimit()
    {
        var qa = await ServiceAsync();

        var result = await qa.AskAsync(new QaRequest(new string('a', 1001)), TestContext.Current.CancellationToken);

        Assert.Equal("question has 1001 characters; at most 1000 are allowed.", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Search_ModesAndFilters_ReturnRankedChunks()
    {
        var qa = await ServiceAsync();

        var hybrid = (await qa.SearchAsync(new SearchRequest("seller tiers at risk", 3), TestContext.Current.CancellationToken)).Value!;
        var bm25 = (await qa.SearchAsync(new SearchRequest("seller tiers at risk", 3, Mode: "BM25"), TestContext.Current.CancellationToken)).Value!;
        var filtered = (await qa.SearchAsync(new SearchRequest("late", 5, new Dictionary<string, string> { ["document"] = "late-delivery-runbook.md" }), TestContext.Current.CancellationToken)).Value!;
        var bad = await qa.SearchAsync(new SearchRequest("x", Mode: "semantic"), TestContext.Current.CancellationToken);

        Assert.Equal(("hybrid", 3), (hybrid.Mode, hybrid.Hits.Count));
        Assert.Equal("kpi-definitions#kpi_seller_scorecard-seller-tiers", hybrid.Hits[0].ChunkId);
        Assert.Equal("opentrace-hashing-v1-384", hybrid.Model);
        Assert.Equal("bm25", bm25.Mode);
        Assert.All(bm25.Hits, h => Assert.Null(h.VectorRank));
        Assert.All(filtered.Hits, h => Assert.Equal("late-delivery-runbook.md", h.Document));
        Assert.Equal("mode", Assert.Single(bad.Errors).Field);
    }

    [Fact]
    public async Task Ask_WithAnEmbedderOfAnotherModel_FailsNamingBothModels()
    {
        var index = await Corpus.DocsIndexAsync();
        var qa = new QaService(new FixedIndexSource(index), new HashingTextEmbedder(256), new ExtractiveAnswerGenerator());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => qa.AskAsync(new QaRequest("late?"), TestContext.Current.CancellationToken));

        Assert.Contains("opentrace-hashing-v1-384", e.Message, StringComparison.Ordinal);
        Assert.Contains("opentrace-hashing-v1-256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_GeneratorWithoutValidCitations_IsReportedAsNotCovered()
    {
        var index = await Corpus.DocsIndexAsync();
        var qa = new QaService(new FixedIndexSource(index), new HashingTextEmbedder(), new InventingGenerator());

        var answer = (await qa.AskAsync(new QaRequest("Does a delivery on the estimated day itself count as late?"), TestContext.Current.CancellationToken)).Value!;

        Assert.False(answer.Covered);
        Assert.DoesNotContain(answer.Citations, c => c.ChunkId == "made-up#id");
    }

    [Fact]
    public void Requests_BindFromJsonWithNumericFilterValues_AndResponsesSerialiseCamelCase()
    {
        var request = JsonSerializer.Deserialize<QaRequest>("""{"question":"late?","topK":3,"filters":{"review_score":1,"kind":"review"}}""", Web)!;
        Assert.Equal(("late?", 3), (request.Question, request.TopK));
        Assert.Equal("1", request.Filters!["review_score"]);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SearchRequest>("""{"query":"x","filters":{"kind":["a"]}}""", Web));

        var response = new QaResponse("A [d#s].", [new Citation("d.md", "d#s", "D › S", "abc", "A.", 0.03)], 0.8, true, "extractive", "embeddings/olist/snapshots/x.parquet");
        var json = JsonSerializer.Serialize(response, Web);
        Assert.Contains("\"chunkId\":\"d#s\"", json, StringComparison.Ordinal);
        Assert.Contains("\"lineageId\":\"abc\"", json, StringComparison.Ordinal);
        Assert.Contains("\"covered\":true", json, StringComparison.Ordinal);
    }

    private static async Task<QaService> ServiceAsync() =>
        new(new FixedIndexSource(await Corpus.DocsIndexAsync()), new HashingTextEmbedder(), new ExtractiveAnswerGenerator());

    private sealed class InventingGenerator : IAnswerGenerator
    {
        public string ModelId => "inventing";

        public Task<GeneratedAnswer> GenerateAsync(string question, IReadOnlyList<CorpusChunk> sources, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedAnswer("Orders are late on Tuesdays [made-up#id].", [], true));
    }
}
