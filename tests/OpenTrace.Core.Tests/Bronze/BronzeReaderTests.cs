using System.Text.Json;
using OpenTrace.Core.Bronze;
using static OpenTrace.Core.Tests.Bronze.BronzeSamples;

namespace OpenTrace.Core.Tests.Bronze;

public sealed class BronzeReaderTests
{
    [Theory]
    [InlineData("comma.csv")]
    [InlineData("semicolon.csv")]
    [InlineData("pipe.txt")]
    [InlineData("tab.tsv")]
    [InlineData("quoted.csv")]
    [InlineData("bom-crlf.csv")]
    [InlineData("comma.csv.gz")]
    [InlineData("gzip-unnamed.csv")]
    [InlineData("orders.ndjson")]
    [InlineData("payments.json")]
    [InlineData("typed.parquet")]
    [InlineData("latin1.csv")]
    [InlineData("latin1-late.csv.gz")]
    [InlineData("ragged.csv")]
    [InlineData("messy-header.csv")]
    public async Task Read_SampleFile_GivesEveryValueAsTextExactlyAsInTheSource(string file)
    {
        var expected = ExpectedFor(file);

        var result = await ReadAllAsync(PathOf(file), TestContext.Current.CancellationToken);

        Assert.Equal(Enum.Parse<SourceFormat>(expected.Format), result.Description.Format);
        Assert.Equal(expected.Delimiter?[0], result.Description.Delimiter);
        Assert.Equal(expected.Gzip, result.Description.Gzip);
        Assert.Equal(expected.Encoding, result.Description.Encoding);
        Assert.Equal(expected.Bom, result.Description.ByteOrderMark);
        Assert.Equal(expected.Columns, result.Columns);
        Assert.Equal(expected.RowCount ?? expected.Rows.Count, result.Rows.Count);
        for (var i = 0; i < expected.Rows.Count; i++)
        {
            var row = result.Rows[i];
            Assert.Equal(i + 1, row.Number);
            Assert.Equal(expected.Rows[i], row.Values);
            var number = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (expected.Issues.TryGetValue(number, out var issue))
            {
                Assert.Contains(issue, row.Issue, StringComparison.Ordinal);
            }
            else
            {
                Assert.Null(row.Issue);
            }

            if (expected.Extras.TryGetValue(number, out var extra))
            {
                Assert.Equal(extra, JsonSerializer.Deserialize<List<string>>(row.Extra!));
            }
            else
            {
                Assert.Null(row.Extra);
            }
        }

        if (expected.LastRow is not null)
        {
            Assert.Equal(expected.LastRow, result.Rows[^1].Values);
        }

        if (expected.Warning is not null && expected.Encoding == "windows-1252")
        {
            var warning = Assert.Single(result.Description.Warnings);
            Assert.Contains(expected.Warning, warning, StringComparison.Ordinal);
            Assert.Contains(PathOf(file), warning, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(result.Description.Warnings);
        }

        Assert.Equal(new FileInfo(PathOf(file)).Length, result.BytesRead);
    }

    [Theory]
    [InlineData("empty.csv", BronzeRules.Empty, "the file is empty (0 bytes)")]
    [InlineData("empty.csv.gz", BronzeRules.Empty, "0 bytes after decompression")]
    [InlineData("whitespace.csv", BronzeRules.Empty, "only whitespace")]
    [InlineData("binary.csv", BronzeRules.Binary, "it is not a text file: it contains NUL bytes")]
    [InlineData("archive.csv", BronzeRules.Binary, "ZIP archive")]
    [InlineData("utf16.csv", BronzeRules.Encoding, "UTF-16")]
    [InlineData("truncated.csv.gz", BronzeRules.GzipTruncated, "the gzip stream is truncated")]
    [InlineData("invalid.json", BronzeRules.JsonInvalid, "it is not valid JSON (line 1, byte")]
    [InlineData("invalid.ndjson", BronzeRules.JsonInvalid, "it is not valid JSON (line 4")]
    [InlineData("header-only.csv", BronzeRules.NoRows, "it has a header (3 columns: order_id, customer_id, order_status) but no data rows")]
    [InlineData("empty-array.json", BronzeRules.NoRows, "empty JSON array")]
    [InlineData("corrupt.parquet", BronzeRules.ParquetCorrupt, "not a readable Parquet file")]
    [InlineData("unclosed-quote.csv", BronzeRules.CsvMalformed, "cannot be split into records")]
    public async Task Read_UnreadableFile_ThrowsWithTheRuleAndAReasonNamingTheFile(string file, string rule, string reason)
    {
        var path = PathOf(file);

        var ex = await Assert.ThrowsAsync<UnreadableFileException>(() => ReadAllAsync(path, TestContext.Current.CancellationToken));

        Assert.Equal(rule, ex.Rule);
        Assert.Equal(path, ex.File);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_InvalidUtf8AfterTheSniffedWindow_CallsTheConsumerAgainFromTheFirstRow()
    {
        var firstRows = new List<string?>();
        var attempts = 0;

        var rows = await BronzeReader.ReadAsync(BronzeSource.FromFile(PathOf("latin1-late.csv.gz")), async (reader, ct) =>
        {
            attempts++;
            long count = 0;
            while (await reader.ReadAsync(ct))
            {
                if (count++ == 0)
                {
                    firstRows.Add(reader.Values[1]);
                }
            }

            return count;
        }, TestContext.Current.CancellationToken);

        Assert.Equal(2, attempts);
        Assert.Equal(["campinas", "campinas"], firstRows);
        Assert.Equal(1_101, rows);
    }

    [Fact]
    public async Task Read_GzipCutAtEveryLength_NeverPassesForComplete()
    {
        var whole = await File.ReadAllBytesAsync(PathOf("comma.csv.gz"), TestContext.Current.CancellationToken);
        for (var length = 2; length < whole.Length; length++) // one byte is not yet the gzip magic
        {
            var cut = whole[..length];
            var source = new BronzeSource($"cut-{length}.csv.gz", _ => Task.FromResult<Stream>(new MemoryStream(cut)));

            var ex = await Assert.ThrowsAsync<UnreadableFileException>(() => BronzeReader.ReadAsync(source, async (reader, ct) =>
            {
                while (await reader.ReadAsync(ct))
                {
                }

                return reader.RowNumber;
            }, TestContext.Current.CancellationToken));

            Assert.True(ex.Rule is BronzeRules.GzipTruncated or BronzeRules.Empty or BronzeRules.GzipCorrupt, $"length {length}: {ex.Message}");
        }
    }

    [Fact]
    public async Task Read_RowsOfAFileLargerThanTheBuffers_StreamInOrder()
    {
        const int count = 50_000;
        var text = string.Concat(Enumerable.Range(1, count).Select(i => $"{i},\"value, {i}\"\n"));
        var bytes = System.Text.Encoding.UTF8.GetBytes("n,text\n" + text);
        var source = new BronzeSource("mem://big.csv", _ => Task.FromResult<Stream>(new MemoryStream(bytes)));

        var last = await BronzeReader.ReadAsync(source, async (reader, ct) =>
        {
            var expected = 1;
            while (await reader.ReadAsync(ct))
            {
                Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.Values[0]);
                Assert.Equal($"value, {expected}", reader.Values[1]);
                expected++;
            }

            return expected - 1;
        }, TestContext.Current.CancellationToken);

        Assert.Equal(count, last);
    }
}
