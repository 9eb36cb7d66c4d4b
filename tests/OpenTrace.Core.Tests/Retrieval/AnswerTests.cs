using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class AnswerTests
{
    [Fact]
    public void Extractive_QuotesTheBestSentences_EachCited_InSourceOrder()
    {
        var sources = new[]
        {
            new CorpusChunk("kpi#late", "kpi.md", "KPI › Late flag", "An order is late when it arrives after the estimated date. The flag is null until delivery.", "l1", new Dictionary<string, string>()),
            new CorpusChunk("runbook#start", "runbook.md", "Runbook › When to start", "Open an incident when the late rate is above 12%. Ask the carrier.", "l2", new Dictionary<string, string>()),
        };

        var answer = ExtractiveAnswerGenerator.Answer("When is an order late?", sources);

        Assert.True(answer.Covered);
        Assert.StartsWith("An order is late when it arrives after the estimated date. [kpi#late]", answer.Text, StringComparison.Ordinal);
        Assert.Equal("kpi#late", answer.CitedChunkIds[0]);
        Assert.DoesNotContain("Ask the carrier", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Extractive_ListItemsAndTableRowsAreQuotedWithoutMarkdown()
    {
        var sources = new[]
        {
            new CorpusChunk("dd#orders", "dd.md", "Dictionary › orders", "- `order_status` (STRING): accepted values are delivered and shipped.\n- `order_id` (STRING): the key.", "l", new Dictionary<string, string>()),
        };

        var answer = ExtractiveAnswerGenerator.Answer("Which values can order_status take?", sources);

        Assert.Equal("`order_status` (STRING): accepted values are delivered and shipped. [dd#orders]", answer.Text);
    }

    [Fact]
    public void Extractive_NoSharedTerm_IsNotCovered()
    {
        var sources = new[] { new CorpusChunk("a#b", "a.md", "A", "Zip prefixes have five digits.", "l", new Dictionary<string, string>()) };

        var answer = ExtractiveAnswerGenerator.Answer("capital of France", sources);

        Assert.False(answer.Covered);
        Assert.Empty(answer.CitedChunkIds);
    }

    [Fact]
    public void Citations_ParseOnlyGivenIds_InOrder_AndDropInventedOnes()
    {
        var allowed = new HashSet<string>(["kpi#late", "runbook#start", "review/r1/o1"]);

        Assert.Equal(
            ["runbook#start", "kpi#late", "review/r1/o1"],
            AnswerCitations.Parse("Open an incident [runbook#start]. Late means after the date [kpi#late, made#up]; see [review/r1/o1] and [runbook#start].", allowed));
        Assert.Equal("Late [kpi#late].", AnswerCitations.RemoveUnknown("Late [kpi#late] [made#up].", allowed));
        Assert.Equal("Keep [email removed] as is.", AnswerCitations.RemoveUnknown("Keep [email removed] as is.", allowed));
    }

    [Fact]
    public async Task ReviewSource_MakesOneChunkPerCommentedReview_WithMetadataAndLineage()
    {
        var table = new TableId("silver", "olist__order_reviews");
        var warehouse = new RowsWarehouse(table,
        [
            RowsWarehouse.Review("r1", "o1", 1L, "Não recebi", "Ainda não recebi o produto.\r\nMe liguem no (11) 98765-4321", "lin1"),
            RowsWarehouse.Review("r2", "o2", 5L, null, "Ótimo produto, recomendo!", "lin2"),
            RowsWarehouse.Review("r3", "o3", 4L, " ", null, "lin3"),
        ]);

        var chunks = new List<CorpusChunk>();
        await foreach (var chunk in new ReviewCommentSource(warehouse).ReadChunksAsync(TestContext.Current.CancellationToken))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(["review/r1/o1", "review/r2/o2"], chunks.Select(c => c.ChunkId));
        Assert.Equal("Não recebi. Ainda não recebi o produto. Me liguem no [phone removed]", chunks[0].Text);
        Assert.Equal(("silver.olist__order_reviews", "Customer review, score 1 of 5", "lin1"), (chunks[0].Document, chunks[0].Heading, chunks[0].LineageId));
        Assert.Equal(("review", "1", "o1"), (chunks[0].Metadata["kind"], chunks[0].Metadata["review_score"], chunks[0].Metadata["order_id"]));
        Assert.Contains("FROM silver.olist__order_reviews", Assert.Single(warehouse.Queries), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewSource_WithoutTheTable_IsEmpty()
    {
        var warehouse = new RowsWarehouse(new TableId("silver", "olist__order_reviews"), null);

        await foreach (var _ in new ReviewCommentSource(warehouse).ReadChunksAsync(TestContext.Current.CancellationToken))
        {
            Assert.Fail("no chunk expected");
        }

        Assert.Empty(warehouse.Queries);
    }
}
