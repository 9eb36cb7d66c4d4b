using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Samples;
using OpenTrace.Core.Tests.Samples;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class PiiTests
{
    [Theory]
    [InlineData("Meu e-mail é maria.silva@uol.com.br, obrigado", "Meu e-mail é [email removed], obrigado")]
    [InlineData("Me liguem no (11) 98765-4321", "Me liguem no [phone removed]")]
    [InlineData("WhatsApp +55 11 98765-4321, aguardo", "WhatsApp [phone removed], aguardo")]
    [InlineData("telefone 11987654321.", "telefone [phone removed].")]
    [InlineData("fixo (21) 3456-7890", "fixo [phone removed]")]
    [InlineData("CPF 123.456.789-09", "CPF [id number removed]")]
    [InlineData("CNPJ 12.345.678/0001-90", "CNPJ [id number removed]")]
    public void Scrub_MasksEmailPhoneAndDocumentNumbers(string text, string expected) => Assert.Equal(expected, PiiScrubber.Scrub(text));

    [Theory]
    [InlineData("Pedido 2018-02-29 entregue em 8 dias, R$ 129,90")]
    [InlineData("order 00123456789012345678901234567890 and zip 01310")]
    [InlineData("Score 5 of 5, 100,000 orders")]
    public void Scrub_LeavesDatesIdsAndNumbersAlone(string text) => Assert.Equal(text, PiiScrubber.Scrub(text));

    [Fact]
    public async Task GeneratedReviewComments_LeaveNoSeededEmailOrPhone_InChunksIndexOrAnswers()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var reviews = generated.Reviews;
        var messages = reviews.Values("review_comment_message").ToList();
        Assert.Contains(messages, m => OlistPii.FindAll(m).Count > 0); // the raw data does carry personal data

        var rows = reviews.Rows.Select(r => RowsWarehouse.Review(
            r[reviews.Index("review_id")],
            r[reviews.Index("order_id")],
            long.Parse(r[reviews.Index("review_score")], System.Globalization.CultureInfo.InvariantCulture),
            Empty(r[reviews.Index("review_comment_title")]),
            Empty(r[reviews.Index("review_comment_message")]),
            "0123456789abcdef0123456789abcdef")).ToList();
        var warehouse = new RowsWarehouse(new TableId("silver", "olist__order_reviews"), rows);
        var chunks = new List<CorpusChunk>();
        await foreach (var chunk in new ReviewCommentSource(warehouse).ReadChunksAsync(TestContext.Current.CancellationToken))
        {
            chunks.Add(chunk);
        }

        Assert.True(chunks.Count > 100);
        Assert.All(chunks, c => Assert.Empty(OlistPii.FindAll(c.EmbeddingText)));

        var index = await Corpus.IndexAsync(chunks);
        var qa = new QaService(new FixedIndexSource(index), new HashingTextEmbedder(), new ExtractiveAnswerGenerator(), new RetrievalOptions { MinConfidence = 0 });
        foreach (var question in new[] { "Meu e-mail para contato", "Me liguem no telefone", "WhatsApp aguardo retorno", "Favor responder para o e-mail" })
        {
            var answer = (await qa.AskAsync(new QaRequest(question, 10), TestContext.Current.CancellationToken)).Value!;
            Assert.Empty(OlistPii.FindAll(answer.Answer));
            Assert.All(answer.Citations, c => Assert.Empty(OlistPii.FindAll(c.Snippet)));
            var search = (await qa.SearchAsync(new SearchRequest(question, 20), TestContext.Current.CancellationToken)).Value!;
            Assert.All(search.Hits, h => Assert.Empty(OlistPii.FindAll(h.Text)));
        }
    }

    [Fact]
    public void DocumentChunks_AreScrubbedToo()
    {
        var chunks = new MarkdownChunker().Chunk("contacts.md", "# Contacts\n\nWrite to ana.souza@gmail.com or call (11) 91234-5678.");

        var text = Assert.Single(chunks).Text;
        Assert.Empty(OlistPii.FindAll(text));
        Assert.Contains(PiiScrubber.EmailMask, text, StringComparison.Ordinal);
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
