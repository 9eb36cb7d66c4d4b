using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Cli;

/// <summary>What every command gets: its arguments, the home folder, the console and Ctrl+C.</summary>
internal sealed class CliContext(CliArguments arguments, LocalHome home, CliConsole console)
{
    public CliArguments Arguments { get; } = arguments;

    public LocalHome Home { get; } = home;

    public CliConsole Console { get; } = console;
}

/// <summary>A sub-command of <c>opentrace</c>.</summary>
internal interface ICommand
{
    /// <summary>The word after <c>opentrace</c>.</summary>
    string Name { get; }

    /// <summary>One line of usage, shown by <c>opentrace help</c>.</summary>
    string Usage { get; }

    /// <summary>One sentence saying what it does.</summary>
    string Summary { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    Task<int> RunAsync(CliContext context, CancellationToken cancellationToken);
}
