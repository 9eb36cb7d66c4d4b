using OpenTrace.Local.Cli;

namespace OpenTrace.Local.Tests;

public sealed class CliArgumentsTests
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "dirty", "no-progress" };

    [Fact]
    public void Parse_CommandPositionalsOptionsAndFlags_InAnyOrder()
    {
        var args = CliArguments.Parse(["--home", "/tmp/h", "generate", "--scale=0.5", "--dirty", "extra", "--out", "dir"], Flags);

        Assert.Equal("generate", args.Command);
        Assert.Equal(["extra"], args.Positionals);
        Assert.Equal("/tmp/h", args.Option("home"));
        Assert.Equal(0.5, args.OptionDouble("scale", 1));
        Assert.True(args.Flag("dirty"));
        Assert.Equal("dir", args.Option("out"));
        args.RejectUnknownOptions();
    }

    [Fact]
    public void Parse_DoubleDash_EndsOptions()
    {
        var args = CliArguments.Parse(["query", "--", "--not-an-option"], Flags);

        Assert.Equal(["--not-an-option"], args.Positionals);
    }

    [Fact]
    public void Parse_OptionWithoutValue_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => CliArguments.Parse(["ingest", "--as"], Flags));
        Assert.Contains("--as needs a value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectUnknownOptions_NamesTheTypo()
    {
        var args = CliArguments.Parse(["status", "--formt", "csv"], Flags);

        var error = Assert.Throws<UsageException>(args.RejectUnknownOptions);
        Assert.Contains("--formt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionDouble_NotANumber_SaysWhichOption()
    {
        var args = CliArguments.Parse(["generate", "--scale", "big"], Flags);

        var error = Assert.Throws<UsageException>(() => args.OptionDouble("scale", 1));
        Assert.Equal("--scale must be a number, got 'big'.", error.Message);
    }
}
