using System.Text.Json;
using OpenTrace.Core.Bronze;
using OpenTrace.Testing;
using ParquetSharp;
using static OpenTrace.Core.Tests.Bronze.BronzeSamples;

namespace OpenTrace.Core.Tests.Bronze;

public sealed class BronzeConverterTests : IDisposable
{
    private static readonly BronzeLineage SampleLineage = BronzeLineage.For(
        "bronze", "olist/customers/sample.csv", 1_700_000_000_123_456, new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddTicks(1_234_567));

    private readonly TempDirectory _temp = new("bronze-converter");

    [Theory]
    [InlineData("comma.csv")]
    [InlineData("quoted.csv")]
    [InlineData("orders.ndjson")]
    [InlineData("payments.json")]
    [InlineData("typed.parquet")]
    [InlineData("latin1.csv")]
    [InlineData("ragged.csv")]
    [InlineData("messy-header.csv")]
    public async Task Convert_SampleFile_WritesEveryValueWithLineageToParquet(string file)
    {
        var expected = ExpectedFor(file);
        var output = _temp.Combine(file + ".parquet");

        var result = await BronzeConverter.ConvertAsync(BronzeSource.FromFile(PathOf(file)), SampleLineage, output, TestContext.Current.CancellationToken);

        var parquet = ReadParquet(output);
        var clean = expected.CleanColumns ?? expected.Columns;
        Assert.Equal([.. clean, .. BronzeTable.AddedColumns], parquet.Names);
        Assert.Equal(clean, result.Columns);
        Assert.Equal(expected.Columns, JsonSerializer.Deserialize<List<string>>(parquet.Metadata[BronzeTable.SourceColumnsKey]));
        Assert.Equal(SampleLineage.LineageId, parquet.Metadata[BronzeTable.LineageIdKey]);
        Assert.Equal(result.Source.ToString(), parquet.Metadata[BronzeTable.SourceFormatKey]);
        Assert.Equal(expected.Rows.Count, result.Rows);
        Assert.Equal(expected.Issues.Count, result.FlaggedRows);
        for (var r = 0; r < expected.Rows.Count; r++)
        {
            Assert.Equal(expected.Rows[r], clean.Select((_, c) => (string?)parquet.Columns[c][r]));
            Assert.Equal(SampleLineage.LineageId, parquet.Column(Lineage.LineageId)[r]);
            Assert.Equal("gs://bronze/olist/customers/sample.csv", parquet.Column(Lineage.SourceUri)[r]);
            Assert.Equal(1_700_000_000_123_456L, parquet.Column(Lineage.SourceGeneration)[r]);
            Assert.Equal((long)r + 1, parquet.Column(Lineage.RowNumber)[r]);
            Assert.Equal(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1_234_560), parquet.Column(Lineage.IngestedAt)[r]);
            var number = (r + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(expected.Issues.ContainsKey(number), parquet.Column(Lineage.RowIssue)[r] is not null);
            Assert.Equal(expected.Extras.TryGetValue(number, out var extra) ? JsonSerializer.Serialize(extra, BronzeTable.JsonOptions) : null, parquet.Column(BronzeTable.ExtraFields)[r]);
        }
    }

    [Fact]
    public async Task Convert_RaggedRows_RecordsAWarningWithTheCountAndTheFirstReason()
    {
        var result = await BronzeConverter.ConvertAsync(BronzeSource.FromFile(PathOf("ragged.csv")), SampleLineage, _temp.Combine("r.parquet"), TestContext.Current.CancellationToken);

        var warning = Assert.Single(result.Warnings);
        Assert.Equal("2 of 4 rows did not fit the header and were kept with the reason in _row_issue (first: row 2: row has 2 fields but the header has 3; the missing field is null).", warning);
    }

    [Fact]
    public async Task Convert_Latin1LateInTheFile_WritesOnlyTheSecondAttemptWithTheWarning()
    {
        var output = _temp.Combine("late.parquet");

        var result = await BronzeConverter.ConvertAsync(BronzeSource.FromFile(PathOf("latin1-late.csv.gz")), SampleLineage, output, TestContext.Current.CancellationToken);

        Assert.Equal(1_101, result.Rows);
        Assert.Contains("it was read as Windows-1252", Assert.Single(result.Warnings), StringComparison.Ordinal);
        var parquet = ReadParquet(output);
        Assert.Equal(1_101, parquet.Columns[0].Count);
        Assert.Equal("são carlos", parquet.Columns[1][^1]);
    }

    [Fact]
    public void Writer_ManyRows_ClosesRowGroupsAtTheRowLimit()
    {
        var path = _temp.Combine("rows.parquet");
        using (var writer = new BronzeParquetWriter(path, ["n"], ["n"], SampleLineage))
        {
            var value = new string?[1];
            for (var i = 1; i <= BronzeParquetWriter.MaxRowGroupRows + 10; i++)
            {
                value[0] = i % 3 == 0 ? null : "v";
                writer.WriteRow(value, null, null, i);
            }

            writer.Close();
        }

        using var reader = new ParquetFileReader(path);
        Assert.Equal(2, reader.FileMetaData.NumRowGroups);
        Assert.Equal(BronzeParquetWriter.MaxRowGroupRows + 10, reader.FileMetaData.NumRows);
    }

    [Fact]
    public void Writer_WideRows_ClosesRowGroupsAtTheTextLimit()
    {
        var path = _temp.Combine("wide.parquet");
        var big = new string('x', 1 << 20);
        const int rows = 40;
        using (var writer = new BronzeParquetWriter(path, ["blob"], ["blob"], SampleLineage))
        {
            for (var i = 1; i <= rows; i++)
            {
                writer.WriteRow([big], null, null, i);
            }

            writer.Close();
        }

        using var reader = new ParquetFileReader(path);
        var rowsPerGroup = (int)(BronzeParquetWriter.MaxRowGroupChars / big.Length);
        Assert.Equal((rows + rowsPerGroup - 1) / rowsPerGroup, reader.FileMetaData.NumRowGroups);
        Assert.True(reader.FileMetaData.NumRowGroups > 1);
        Assert.Equal(rows, reader.FileMetaData.NumRows);
    }

    public void Dispose() => _temp.Dispose();

    private static ParquetContent ReadParquet(string path)
    {
        using var reader = new ParquetFileReader(path);
        var schema = reader.FileMetaData.Schema;
        var names = Enumerable.Range(0, schema.NumColumns).Select(i => schema.Column(i).Name).ToList();
        var columns = names.Select(_ => new List<object?>()).ToList();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            var count = checked((int)group.MetaData.NumRows);
            for (var c = 0; c < names.Count; c++)
            {
                using var column = group.Column(c);
                columns[c].AddRange(names[c] switch
                {
                    Lineage.SourceGeneration or Lineage.RowNumber => column.LogicalReader<long>().ReadAll(count).Cast<object?>(),
                    Lineage.IngestedAt => column.LogicalReader<DateTime>().ReadAll(count).Cast<object?>(),
                    _ => column.LogicalReader<string?>().ReadAll(count),
                });
            }
        }

        return new ParquetContent(names, columns, reader.FileMetaData.KeyValueMetadata);
    }

    private sealed record ParquetContent(List<string> Names, List<List<object?>> Columns, IReadOnlyDictionary<string, string> Metadata)
    {
        public List<object?> Column(string name) => Columns[Names.IndexOf(name)];
    }
}
