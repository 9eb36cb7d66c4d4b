using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

public sealed class OlistReviewTextTests
{
    [Fact]
    public async Task Comments_ArePortugueseAndSomeSpanLines()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var messages = generated.Reviews.Values("review_comment_message").Where(m => m.Length > 0).ToList();

        Assert.InRange(messages.Count / (double)generated.Reviews.Rows.Count, 0.3, 0.5);
        Assert.Contains(messages, m => m.Contains("produto", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(messages, m => m.Contains('ã') || m.Contains('é') || m.Contains('ó'));
        var multiLine = messages.Where(m => m.Contains('\n')).ToList();
        Assert.InRange(multiLine.Count, messages.Count / OlistPii.MultiLineOneIn, (messages.Count / OlistPii.MultiLineOneIn) + 1);
        Assert.Contains(multiLine, m => m.Contains("\r\n", StringComparison.Ordinal));
        Assert.Contains(multiLine, m => !m.Contains('\r'));
    }

    [Fact]
    public async Task SeededPersonalData_AppearsInEveryPublishedFormatAtTheStatedRate()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var messages = generated.Reviews.Values("review_comment_message").Where(m => m.Length > 0).ToList();

        foreach (var format in OlistPii.Formats)
        {
            Assert.Contains(messages, m => format.Regex.IsMatch(m));
        }

        var blocks = messages.Count / OlistPii.EmailOneIn;
        Assert.InRange(messages.Count(m => OlistPii.Email.Regex.IsMatch(m)), blocks, blocks + 1);
        Assert.InRange(messages.Count(m => OlistPii.PhoneFormats.Any(f => f.Regex.IsMatch(m))), blocks, blocks + 1);
    }

    [Fact]
    public async Task SeededPersonalData_StaysInTheCommentMessage()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var message = generated.Reviews.Index("review_comment_message");

        foreach (var file in OlistDataset.Files)
        {
            var table = generated.Table(file);
            foreach (var row in table.Rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    if (file != OlistDataset.OrderReviews || i != message)
                    {
                        Assert.Empty(OlistPii.FindAll(row[i]));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("Meu e-mail é maria.silva@uol.com.br", "maria.silva@uol.com.br")]
    [InlineData("Me liguem no (11) 98765-4321", "(11) 98765-4321")]
    [InlineData("WhatsApp +55 21 91234-5678, aguardo retorno", "+55 21 91234-5678")]
    [InlineData("contato 11987654321.", "11987654321")]
    public void FindAll_FindsEachSeededFormat(string text, string expected)
    {
        Assert.Equal([expected], OlistPii.FindAll(text));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Produto chegou antes do prazo, nota 10. Pedido 2018 com 3 itens.")]
    [InlineData("ids 00000000000051435525807089920073 and 119876543210")]
    public void FindAll_IgnoresTextWithoutPersonalData(string? text)
    {
        Assert.Empty(OlistPii.FindAll(text));
    }
}
