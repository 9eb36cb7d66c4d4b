using System.Text;
using OpenTrace.Core.Bronze;

namespace OpenTrace.Core.Tests.Bronze;

public sealed class FormatSnifferTests
{
    [Theory]
    [InlineData("id;price\n1;10,50\n2;3,20\n", ';')]
    [InlineData("id,comment\n1,\"a; b; c\"\n2,\"d;e\"\n", ',')]
    [InlineData("id\tcomment\n1\ta, b, c\n2\td, e\n", '\t')]
    [InlineData("id|city|note\n1|campinas|x, y\n", '|')]
    [InlineData("a,b\n1,\"line one\nline; two; three\"\n2,3\n", ',')]
    [InlineData("a;b;c\r\n\"1,5\";\"2,5\";x\r\n", ';')]
    [InlineData("just_one_column\nvalue\nother\n", ',')]
    [InlineData("a,b;c\n1,2;3\n4,5;6\n7,8;9\n", ',')]
    public void DetectDelimiter_PicksTheDelimiterThatSplitsEveryRecordLikeTheHeader(string text, char expected)
    {
        Assert.Equal(expected, FormatSniffer.DetectDelimiter(Encoding.UTF8.GetBytes(text), complete: true));
    }

    [Fact]
    public void DetectDelimiter_RecordCutByTheWindow_IsNotCounted()
    {
        // The last record is cut after two of its semicolons; counting it would make ';' look inconsistent.
        var text = "a;b;c;d\n1;2;3;4\n5;6;7;8\n9;10"u8;

        Assert.Equal(';', FormatSniffer.DetectDelimiter(text, complete: false));
    }

    [Theory]
    [InlineData("[{\"a\":1}]", SourceFormat.JsonArray)]
    [InlineData("  \n[\n]", SourceFormat.JsonArray)]
    [InlineData("{\"a\":1}\n{\"a\":2}", SourceFormat.Ndjson)]
    [InlineData("a,b\n1,2", SourceFormat.Delimited)]
    public void Sniff_FirstCharacter_DecidesBetweenJsonNdjsonAndText(string text, SourceFormat expected)
    {
        Assert.Equal(expected, FormatSniffer.Sniff(Encoding.UTF8.GetBytes(text), complete: true, "f").Format);
    }

    [Fact]
    public void Sniff_BomAndBlankLinesBeforeTheHeader_AreSkipped()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("\r\n\r\na;b\n1;2\n")).ToArray();

        var sniff = FormatSniffer.Sniff(bytes, complete: true, "f");

        Assert.True(sniff.ByteOrderMark);
        Assert.Equal(7, sniff.SkipBytes);
        Assert.Equal(';', sniff.Delimiter);
    }

    [Fact]
    public void Sniff_AFewStrayControlCharactersInText_AreStillText()
    {
        var text = "a,b\n" + string.Concat(Enumerable.Repeat("x\u0001y,z\n", 2)) + string.Concat(Enumerable.Repeat("plain,row\n", 50));

        Assert.Equal(SourceFormat.Delimited, FormatSniffer.Sniff(Encoding.UTF8.GetBytes(text), complete: true, "f").Format);
    }

    [Fact]
    public void Sniff_ManyControlCharacters_IsBinary()
    {
        var bytes = Enumerable.Range(0, 400).Select(i => (byte)(i % 2 == 0 ? 'a' : 0x01)).ToArray();

        var ex = Assert.Throws<UnreadableFileException>(() => FormatSniffer.Sniff(bytes, complete: true, "gs://b/x.csv"));

        Assert.Equal(BronzeRules.Binary, ex.Rule);
        Assert.Contains("200 of its first 400 bytes are control characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sniff_Latin1Bytes_ReportsWhereUtf8Breaks()
    {
        var bytes = Encoding.Latin1.GetBytes("cidade\nSão Paulo\n");

        Assert.Equal(8, FormatSniffer.Sniff(bytes, complete: true, "f").InvalidUtf8At);
    }

    [Fact]
    public void Sniff_MultiByteCharacterCutByTheWindow_IsStillUtf8()
    {
        var bytes = Encoding.UTF8.GetBytes("a\nSão");
        var cut = bytes[..^2]; // ends in the middle of 'ã'

        Assert.Null(FormatSniffer.Sniff(cut, complete: false, "f").InvalidUtf8At);
        Assert.Equal(3, FormatSniffer.Sniff(cut, complete: true, "f").InvalidUtf8At);
    }
}
