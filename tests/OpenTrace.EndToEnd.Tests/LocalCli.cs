using OpenTrace.Local.Cli;
using OpenTrace.Local.Commands;
using OpenTrace.Testing;

namespace OpenTrace.EndToEnd.Tests;

/// <summary>Runs <c>opentrace</c> commands in-process against a temporary home, capturing what they print.</summary>
internal sealed class LocalCli : IDisposable
{
    private readonly TempDirectory _temp = new("opentrace-e2e");

    public LocalCli()
    {
        Home = _temp.Combine("home");
        Data = _temp.Combine("data");
        Directory.CreateDirectory(Data);
    }

    public string Home { get; }

    /// <summary>A folder for input files, outside the home.</summary>
    public string Data { get; }

    public static IReadOnlyList<ICommand> Commands { get; } =
    [
        new DemoCommand(), new UpCommand(), new IngestCommand(), new QueryCommand(), new StatusCommand(), new GenerateCommand(), new GoldCommand(), new QaCommand(), new ReplayCommand(), new QuarantineCommand(),
    ];

    public async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var exit = await OpenTraceCli.RunAsync(["--home", Home, "--no-progress", .. args], Commands, output, output, TestContext.Current.CancellationToken);
        return (exit, output.ToString());
    }

    /// <summary>Runs a query with CSV output and returns the data lines (header excluded).</summary>
    public async Task<string[]> QueryAsync(string sql)
    {
        var (exit, output) = await RunAsync("query", sql, "--format", "csv");
        Assert.True(exit == 0, output);
        return output.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1..];
    }

    public string WriteData(string relative, string content)
    {
        var path = Path.Combine(Data, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => _temp.Dispose();
}
