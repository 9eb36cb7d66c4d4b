using OpenTrace.Local.Output;

namespace OpenTrace.Local.Tests;

public sealed class ResultWriterTests
{
    private static readonly string[] Columns = ["zip", "city", "orders", "first_order"];

    private static readonly IReadOnlyList<object?>[] Rows =
    [
        ["01310", "são paulo", 12L, new DateTime(2018, 1, 2, 3, 4, 5, DateTimeKind.Utc)],
        ["20040", "rio, \"centro\"\nnorte", 3L, null],
    ];

    [Fact]
    public void Table_AlignsColumnsRightAlignsNumbersAndCountsRows()
    {
        var output = new StringWriter();

        ResultWriter.Write(output, ResultFormat.Table, Columns, Rows);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("zip    city", lines[0], StringComparison.Ordinal);
        Assert.Contains("01310  são paulo", lines[2], StringComparison.Ordinal);
        Assert.Contains("    12  2018-01-02 03:04:05", lines[2], StringComparison.Ordinal);
        Assert.Contains("rio, \"centro\" norte", lines[3], StringComparison.Ordinal); // a newline in a cell stays on one line
        Assert.EndsWith("NULL", lines[3].TrimEnd(), StringComparison.Ordinal);
        Assert.Equal("(2 rows)", lines[^1].TrimEnd());
    }

    [Fact]
    public void Csv_QuotesOnlyWhatNeedsQuotingAndKeepsLeadingZeros()
    {
        var output = new StringWriter();

        ResultWriter.Write(output, ResultFormat.Csv, Columns, Rows);

        Assert.Equal(
            "zip,city,orders,first_order\r\n01310,são paulo,12,2018-01-02 03:04:05\r\n20040,\"rio, \"\"centro\"\"\nnorte\",3,\r\n",
            output.ToString());
    }

    [Fact]
    public void Json_KeepsTypesAndNulls()
    {
        var output = new StringWriter();

        ResultWriter.Write(output, ResultFormat.Json, Columns, Rows);

        using var doc = System.Text.Json.JsonDocument.Parse(output.ToString());
        var first = doc.RootElement[0];
        Assert.Equal("01310", first.GetProperty("zip").GetString());
        Assert.Equal(12, first.GetProperty("orders").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, doc.RootElement[1].GetProperty("first_order").ValueKind);
    }

    [Theory]
    [InlineData(null, "Table")]
    [InlineData("CSV", "Csv")]
    [InlineData("json", "Json")]
    public void ParseFormat_AcceptsTheThreeFormats(string? text, string expected) =>
        Assert.Equal(expected, ResultWriter.ParseFormat(text).ToString());

    [Fact]
    public void ParseFormat_Unknown_IsAUsageError() =>
        Assert.Throws<Cli.UsageException>(() => ResultWriter.ParseFormat("xml"));
}
