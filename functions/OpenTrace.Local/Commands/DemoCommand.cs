using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Samples;
using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Output;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace demo [--scale 0.05] [--seed 42] [--clean] [--no-serve] [--port 8080]</c>: generate the sample data, run it
/// through every stage, print a summary, then serve the API until Ctrl+C.
/// </summary>
internal sealed class DemoCommand : ICommand
{
    public const double DefaultScale = 0.05;

    public string Name => "demo";

    public string Usage => "demo [--scale 0.05] [--seed 42] [--clean] [--no-serve] [--port 8080]";

    public string Summary => "Generate Olist-shaped data (with dirt), run every stage end to end, summarise, then serve the API.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var options = new OlistGeneratorOptions
        {
            Scale = context.Arguments.OptionDouble("scale", DefaultScale),
            Seed = context.Arguments.OptionLong("seed", 42),
            Dirty = !context.Arguments.Flag("clean"),
        };
        var serve = !context.Arguments.Flag("no-serve");
        var port = (int)context.Arguments.OptionLong("port", UpCommand.DefaultPort);
        context.Arguments.RejectUnknownOptions();
        options.Validate();

        var console = context.Console;
        var timings = new List<(string Stage, TimeSpan Took)>();
        var data = Path.Combine(Path.GetTempPath(), $"opentrace-demo-{Guid.NewGuid():N}");
        try
        {
            console.Line(string.Create(CultureInfo.InvariantCulture, $"OpenTrace demo: Olist-shaped data at scale {options.Scale}, seed {options.Seed}{(options.Dirty ? ", with dirt" : string.Empty)}; home {context.Home.Path}"));
            var clock = Stopwatch.StartNew();
            await GenerateCommand.GenerateAsync(options, data, console, cancellationToken);
            timings.Add(("generate", clock.Elapsed));

            await using var runtime = await LocalRuntime.StartAsync(context.Home, new LocalRuntimeOptions { Port = serve ? port : 0, WatchBronze = serve }, cancellationToken);

            // Published file names at the bucket root: the contracts' globs route them, as for a user with the real files.
            clock.Restart();
            var outcomes = await IngestCommand.IngestAsync(runtime, IngestCommand.Plan(data, target: null), console, cancellationToken);
            timings.Add(("ingest (bronze + silver)", clock.Elapsed));
            IngestCommand.Print(console, outcomes);

            foreach (var stage in LocalFunctions.ScheduledStages)
            {
                clock.Restart();
                await stage.RunAsync(runtime, console, cancellationToken);
                timings.Add((stage.Name, clock.Elapsed));
            }

            await SummariseAsync(runtime.Services.GetRequiredService<IWarehouse>(), console, timings, cancellationToken);
            if (serve)
            {
                console.Line();
                await UpCommand.ServeAsync(runtime, console, cancellationToken);
            }

            return outcomes.Any(o => o.Rejected) ? 1 : 0;
        }
        finally
        {
            TryDelete(data);
        }
    }

    private static async Task SummariseAsync(IWarehouse warehouse, CliConsole console, List<(string Stage, TimeSpan Took)> timings, CancellationToken cancellationToken)
    {
        console.Line();
        console.Line("Rows per layer and table");
        var counts = new List<IReadOnlyList<object?>>();
        await foreach (var row in warehouse.QueryAsync(
            "select table_schema, table_name from information_schema.tables where table_schema in ('bronze', 'silver', 'gold', 'features') " +
            "order by case table_schema when 'bronze' then 1 when 'silver' then 2 when 'gold' then 3 else 4 end, table_name",
            cancellationToken: cancellationToken))
        {
            counts.Add([row["table_schema"], row["table_name"]]);
        }

        var rows = new List<IReadOnlyList<object?>>();
        foreach (var pair in counts)
        {
            await foreach (var count in warehouse.QueryAsync($"select count(*) as n from \"{pair[0]}\".\"{pair[1]}\"", cancellationToken: cancellationToken))
            {
                rows.Add([pair[0], pair[1], count["n"]]);
            }
        }

        ResultWriter.Write(console.Out, ResultFormat.Table, ["layer", "table", "rows"], rows);

        if (await warehouse.GetTableAsync(Core.Ops.OpsLog.Quarantine, cancellationToken) is not null)
        {
            console.Line();
            console.Line("Quarantined, by table and rule (with one example reason)");
            var (columns, quarantined, _) = await QueryCommand.ReadAsync(warehouse,
                "select layer, kind, coalesce(domain || '/' || table_name, '') as \"table\", rule, count(*) as \"rows\", min(reason) as example " +
                "from ops.quarantine group by all order by \"rows\" desc, rule limit 25",
                int.MaxValue, cancellationToken);
            if (quarantined.Count == 0)
            {
                console.Line("  (nothing quarantined)");
            }
            else
            {
                ResultWriter.Write(console.Out, ResultFormat.Table, columns, quarantined);
            }
        }

        console.Line();
        console.Line("Time per stage");
        ResultWriter.Write(console.Out, ResultFormat.Table, ["stage", "seconds"],
            timings.Select(t => (IReadOnlyList<object?>)[t.Stage, Math.Round(t.Took.TotalSeconds, 2)]).Append(["total", Math.Round(timings.Sum(t => t.Took.TotalSeconds), 2)]).ToList());
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
