using OpenTrace.Local.Cli;
using OpenTrace.Local.Commands;
using OpenTrace.Testing;

namespace OpenTrace.Local.Tests;

public sealed class IngestPlanTests
{
    [Fact]
    public void Plan_File_GoesToTheBucketRootUnderItsName()
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("olist_orders_dataset.csv");
        File.WriteAllText(file, "order_id\n1\n");

        var plan = IngestCommand.Plan(file, target: null);

        Assert.Equal([(file, "olist_orders_dataset.csv")], plan);
    }

    [Fact]
    public void Plan_FolderWithAs_KeepsRelativePathsUnderTheTableAndSkipsHiddenFiles()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("2018", "01"));
        Directory.CreateDirectory(temp.Combine(".git"));
        File.WriteAllText(temp.Combine("2018", "01", "a.csv"), "x\n1\n");
        File.WriteAllText(temp.Combine("b.csv"), "x\n2\n");
        File.WriteAllText(temp.Combine(".git", "config"), "");
        File.WriteAllText(temp.Combine(".DS_Store"), "");

        var plan = IngestCommand.Plan(temp.Path, "olist/orders/");

        Assert.Equal(["olist/orders/2018/01/a.csv", "olist/orders/b.csv"], plan.Select(p => p.ObjectName));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("Olist/Orders")]
    [InlineData("olist/orders/extra")]
    public void Plan_AsThatIsNotDomainSlashTable_IsAUsageError(string target)
    {
        using var temp = new TempDirectory();
        var file = temp.Combine("a.csv");
        File.WriteAllText(file, "x\n1\n");

        var error = Assert.Throws<UsageException>(() => IngestCommand.Plan(file, target));
        Assert.Contains("--as must be <domain>/<table>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_MissingPath_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => IngestCommand.Plan("/no/such/place", null));
        Assert.Contains("neither a file nor a folder", error.Message, StringComparison.Ordinal);
    }
}
