using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary><c>opentrace up [--port 8080]</c>: every function behind HTTP, watching the bronze bucket folder.</summary>
internal sealed class UpCommand : ICommand
{
    public const int DefaultPort = 8080;

    public string Name => "up";

    public string Usage => "up [--port 8080] [--verbose]";

    public string Summary => "Serve every function on 127.0.0.1 and ingest files dropped into the bronze bucket folder, until Ctrl+C.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var port = (int)context.Arguments.OptionLong("port", DefaultPort);
        var verbose = context.Arguments.Flag("verbose");
        context.Arguments.RejectUnknownOptions();
        await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions { Port = port, WatchBronze = true, Verbose = verbose }, cancellationToken);
        await ServeAsync(runtime, context.Console, cancellationToken);
        return 0;
    }

    /// <summary>Prints where things are, reports each delivery as it ends, and runs until cancelled (Ctrl+C).</summary>
    internal static async Task ServeAsync(LocalRuntime runtime, CliConsole console, CancellationToken cancellationToken)
    {
        var warehouse = runtime.Services.GetRequiredService<IWarehouse>();
        void OnDelivered(object? sender, DeliveryResult result)
        {
            if (result.Object.Bucket != LocalHome.BronzeBucket)
            {
                return;
            }

            _ = ReportAsync(runtime, warehouse, console, result, cancellationToken);
        }

        runtime.Delivery.Delivered += OnDelivered;
        var hostFile = runtime.Home.HostFilePath;
        await File.WriteAllTextAsync(hostFile, JsonSerializer.Serialize(new { pid = Environment.ProcessId, url = runtime.BaseAddress.ToString(), started = DateTimeOffset.UtcNow }), cancellationToken);
        try
        {
            console.Line($"OpenTrace is up on {runtime.BaseAddress}");
            foreach (var line in LocalFunctions.Describe(runtime.BaseAddress))
            {
                console.Line($"  {line}");
            }

            console.Line($"Drop files into {runtime.Home.BronzeBucketPath} (as <domain>/<table>/<file> or under a contract's file name). Ctrl+C stops.");
            runtime.ScanBronzeNow();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Line("Stopping…");
        }
        finally
        {
            runtime.Delivery.Delivered -= OnDelivered;
            File.Delete(hostFile);
        }
    }

    private static async Task ReportAsync(LocalRuntime runtime, IWarehouse warehouse, CliConsole console, DeliveryResult result, CancellationToken cancellationToken)
    {
        try
        {
            if (!result.Succeeded)
            {
                console.Line(string.Create(CultureInfo.InvariantCulture, $"✗ {result.Object.Name}: HTTP {result.StatusCode} after {result.Attempts} attempt(s): {result.Error}"));
                return;
            }

            // the downstream stages run on events the bronze run raised; report once they are done too
            await runtime.Delivery.WaitForIdleAsync(cancellationToken);
            var stages = await PipelineOutcomes.ForLineageAsync(warehouse, PipelineOutcomes.LineageOf(result.Object), cancellationToken);
            var outcome = new FileOutcome(result.Object.Name, result.Object, PipelineOutcomes.LineageOf(result.Object), stages, null);
            IngestCommand.Print(console, [outcome]);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
