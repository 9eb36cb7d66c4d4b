using System.Globalization;
using OpenTrace.Core;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Output;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary><c>opentrace status</c>: recent runs, rows per layer, quarantined files with their reasons.</summary>
internal sealed class StatusCommand : ICommand
{
    public string Name => "status";

    public string Usage => "status";

    public string Summary => "Show recent runs, row counts per layer and table, and quarantined files with reasons.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        context.Arguments.RejectUnknownOptions();
        await using var warehouse = await LocalWarehouse.OpenReadOnlyAsync(context.Home, cancellationToken);
        var output = context.Console.Out;
        output.WriteLine($"Home: {context.Home.Path}");
        output.WriteLine();

        output.WriteLine("Rows per layer");
        await WriteAsync(output, warehouse, await RowCountsSqlAsync(warehouse, cancellationToken), "nothing in the warehouse yet", cancellationToken);

        if (await warehouse.GetTableAsync(OpsLog.Runs, cancellationToken) is null)
        {
            output.WriteLine();
            output.WriteLine("No runs yet: try 'opentrace demo' or 'opentrace ingest <file>'.");
            return 0;
        }

        output.WriteLine();
        output.WriteLine("Recent runs");
        await WriteAsync(output, warehouse,
            "select finished_at, function, status, domain || '/' || table_name as \"table\", rows_read, rows_written, rows_quarantined, rows_duplicate, " +
            "duration_ms, coalesce(message, '') as message from ops.runs order by finished_at desc limit 15",
            "no runs", cancellationToken);

        output.WriteLine();
        output.WriteLine("Quarantined files");
        await WriteAsync(output, warehouse,
            "select recorded_at, layer, source_uri, rule, reason from ops.quarantine where kind = 'file' order by recorded_at desc limit 20",
            "none", cancellationToken);

        output.WriteLine();
        output.WriteLine("Quarantined rows by table and rule");
        await WriteAsync(output, warehouse,
            "select layer, domain || '/' || table_name as \"table\", rule, count(*) as \"rows\", max(recorded_at) as latest " +
            "from ops.quarantine where kind = 'row' group by all order by \"rows\" desc limit 20",
            "none", cancellationToken);
        return 0;
    }

    /// <summary>One union query counting every table in the data layers, or null when there are none.</summary>
    private static async Task<string?> RowCountsSqlAsync(IWarehouse warehouse, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        await foreach (var row in warehouse.QueryAsync(
            "select table_schema, table_name from information_schema.tables where table_schema in ('bronze', 'silver', 'gold', 'features') " +
            "order by case table_schema when 'bronze' then 1 when 'silver' then 2 when 'gold' then 3 else 4 end, table_name",
            cancellationToken: cancellationToken))
        {
            var schema = row.Get<string>("table_schema")!;
            var table = row.Get<string>("table_name")!;
            parts.Add(string.Create(CultureInfo.InvariantCulture,
                $"select '{schema}' as layer, '{table}' as \"table\", count(*) as \"rows\" from \"{schema}\".\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\""));
        }

        return parts.Count == 0 ? null : string.Join("\nunion all ", parts);
    }

    private static async Task WriteAsync(TextWriter output, IWarehouse warehouse, string? sql, string empty, CancellationToken cancellationToken)
    {
        if (sql is null)
        {
            output.WriteLine($"  ({empty})");
            return;
        }

        var (columns, rows, _) = await QueryCommand.ReadAsync(warehouse, sql, int.MaxValue, cancellationToken);
        if (rows.Count == 0)
        {
            output.WriteLine($"  ({empty})");
            return;
        }

        ResultWriter.Write(output, ResultFormat.Table, columns, rows);
    }
}
