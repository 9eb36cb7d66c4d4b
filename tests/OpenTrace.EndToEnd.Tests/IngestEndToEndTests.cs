namespace OpenTrace.EndToEnd.Tests;

/// <summary><c>opentrace ingest</c>, <c>query</c> and <c>status</c> against a temporary home, through the real host and CloudEvents.</summary>
public sealed class IngestEndToEndTests
{
    private const string Customers =
        "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n" +
        "06b8999e2fba1a1fbc88172c00ba8bc7,861eff4711a542e4b93843c6dd7febb0,01409,franca,SP\n" +
        "18955e83d337fd6b2def6b18a428ac77,290c77bc529b7ac935b93aa66c333dc3,09790,sao bernardo do campo,SP\n";

    [Fact]
    public async Task Ingest_Folder_LandsEveryFileInBronzeWithLineageAndKeepsLeadingZeros()
    {
        using var cli = new LocalCli();
        cli.WriteData("in/2018-01.csv", Customers);
        cli.WriteData("in/2018-02.csv", Customers.Replace("franca", "ribeirao preto", StringComparison.Ordinal));

        var (exit, output) = await cli.RunAsync("ingest", Path.Combine(cli.Data, "in"), "--as", "olist/customers");

        Assert.True(exit == 0, output);
        Assert.Contains("2 files, 0 rejected.", output, StringComparison.Ordinal);
        Assert.Equal(["4,2"], await cli.QueryAsync("select count(*), count(distinct _lineage_id) from bronze.olist__customers"));
        Assert.Equal(["01409", "01409", "09790", "09790"], await cli.QueryAsync("select customer_zip_code_prefix from bronze.olist__customers order by 1"));
        Assert.Equal(["gs://bronze/olist/customers/2018-01.csv,1", "gs://bronze/olist/customers/2018-01.csv,2"],
            await cli.QueryAsync("select _source_uri, _row_number from bronze.olist__customers where _source_uri like '%2018-01.csv' order by 2"));
    }

    [Fact]
    public async Task Ingest_SameFileTwice_LeavesTheRowCountAndRecordsTheSecondAsDuplicate()
    {
        using var cli = new LocalCli();
        var file = cli.WriteData("customers.csv", Customers);

        var first = await cli.RunAsync("ingest", file, "--as", "olist/customers");
        var second = await cli.RunAsync("ingest", file, "--as", "olist/customers");

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("already ingested", second.Output, StringComparison.Ordinal);
        Assert.Equal(["2"], await cli.QueryAsync("select count(*) from bronze.olist__customers"));
        Assert.Equal(["duplicate", "succeeded"], await cli.QueryAsync("select status from ops.runs where function = 'bronze' order by status"));
    }

    [Theory]
    [InlineData("empty.csv", "", "format.empty")]
    [InlineData("header-only.csv", "customer_id,customer_state\n", "format.no_rows")]
    [InlineData("broken.json", "[{\"customer_id\": \"a\"", "format.json_invalid")]
    public async Task Ingest_FileThatCanNeverBeRead_ExitsOneAndOpsSaysWhy(string name, string content, string rule)
    {
        using var cli = new LocalCli();
        var file = cli.WriteData(name, content);

        var (exit, output) = await cli.RunAsync("ingest", file, "--as", "olist/customers");

        Assert.Equal(1, exit);
        Assert.Contains($"rule {rule}", output, StringComparison.Ordinal);
        Assert.Contains("1 file, 1 rejected.", output, StringComparison.Ordinal);
        var status = await cli.RunAsync("status");
        Assert.Contains(rule, status.Output, StringComparison.Ordinal);
        Assert.Contains(name, status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_BeforeAnythingWasIngested_SaysWhatToDo()
    {
        using var cli = new LocalCli();

        var (exit, output) = await cli.RunAsync("query", "select 1");

        Assert.Equal(1, exit);
        Assert.Contains("There is no warehouse", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_IsReadOnly()
    {
        using var cli = new LocalCli();
        await cli.RunAsync("ingest", cli.WriteData("customers.csv", Customers), "--as", "olist/customers");

        var before = await cli.QueryAsync("select count(*) from silver.olist__customers");

        var (exit, output) = await cli.RunAsync("query", "delete from silver.olist__customers");

        Assert.NotEqual(0, exit);
        Assert.Contains("read-only", output, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(["0"], before);
        Assert.Equal(before, await cli.QueryAsync("select count(*) from silver.olist__customers"));
    }
}
