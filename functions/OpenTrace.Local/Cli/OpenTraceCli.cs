using System.Runtime.InteropServices;
using OpenTrace.Core;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Cli;

/// <summary>Entry point of the <c>opentrace</c> command: global options, dispatch, exit codes.</summary>
internal static class OpenTraceCli
{
    /// <summary>Exit code for a wrong command line.</summary>
    public const int UsageError = 2;

    /// <summary>Options that take no value, for every command.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "no-progress", "no-serve", "dirty", "help", "force",
    };

    public static async Task<int> RunAsync(string[] args, IReadOnlyList<ICommand> commands, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        CliArguments arguments;
        try
        {
            arguments = CliArguments.Parse(args, Flags);
        }
        catch (UsageException ex)
        {
            (error ?? System.Console.Error).WriteLine(ex.Message);
            return UsageError;
        }

        var console = output is null
            ? CliConsole.ForProcess(arguments.Flag("no-progress"))
            : new CliConsole(output, error ?? output, interactive: false);
        _ = arguments.Flag("no-progress");

        if (arguments.Command is null or "help" || arguments.Flag("help"))
        {
            PrintHelp(console, commands);
            return arguments.Command is null && !arguments.Flag("help") ? UsageError : 0;
        }

        var command = commands.FirstOrDefault(c => c.Name == arguments.Command);
        if (command is null)
        {
            console.Error($"Unknown command '{arguments.Command}'. Run 'opentrace help' for the list.");
            return UsageError;
        }

        var home = LocalHome.Resolve(arguments.Option("home"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Ctrl+C (SIGINT) and SIGTERM stop the command cleanly instead of killing the process mid-write.
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            cancel.Cancel();
        }

        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            return await command.RunAsync(new CliContext(arguments, home, console), cancel.Token);
        }
        catch (UsageException ex)
        {
            console.Error(ex.Message);
            console.Error($"usage: opentrace {command.Usage}");
            return UsageError;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            console.Error("Stopped.");
            return 130;
        }
        catch (OpenTraceException ex)
        {
            console.Error(ex.Message);
            return 1;
        }
        catch (Core.Warehouse.WarehouseException ex)
        {
            // a mistake in the user's SQL, or a warehouse another process holds: the engine's message says which
            console.Error(ex.Message);
            return 1;
        }
    }

    private static void PrintHelp(CliConsole console, IReadOnlyList<ICommand> commands)
    {
        console.Line("opentrace — the OpenTrace platform on this machine (embedded engines, no cloud account).");
        console.Line();
        console.Line("usage: opentrace [--home DIR] [--no-progress] <command> [arguments]");
        console.Line();
        var width = commands.Max(c => c.Usage.Length);
        foreach (var command in commands)
        {
            console.Line($"  {command.Usage.PadRight(width)}  {command.Summary}");
        }

        console.Line();
        console.Line($"State lives in --home, else ${LocalHome.EnvironmentVariable}, else ./{LocalHome.DefaultFolder}.");
    }
}
