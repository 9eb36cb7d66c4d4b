using OpenTrace.Core.Warehouse;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Output;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary><c>opentrace query "&lt;sql&gt;" [--format table|csv|json]</c>: read-only SQL on the local warehouse.</summary>
internal sealed class QueryCommand : ICommand
{
    /// <summary>Rows shown in table format before the rest is cut (CSV and JSON are never cut).</summary>
    public const int TableRowLimit = 1000;

    public string Name => "query";

    public string Usage => "query \"<sql>\" [--format table|csv|json]";

    public string Summary => "Run read-only SQL (DuckDB dialect) on the local warehouse.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var sql = context.Arguments.Positional(0, "the SQL to run");
        var format = ResultWriter.ParseFormat(context.Arguments.Option("format"));
        context.Arguments.RejectUnknownOptions();

        await using var warehouse = await LocalWarehouse.OpenReadOnlyAsync(context.Home, cancellationToken);
        var (columns, rows, cut) = await ReadAsync(warehouse, sql, format == ResultFormat.Table ? TableRowLimit : int.MaxValue, cancellationToken);
        ResultWriter.Write(context.Console.Out, format, columns, rows);
        if (cut)
        {
            context.Console.Error($"Showing the first {TableRowLimit} rows; use --format csv or json for all of them, or add LIMIT.");
        }

        return 0;
    }

    internal static async Task<(IReadOnlyList<string> Columns, List<IReadOnlyList<object?>> Rows, bool Cut)> ReadAsync(IWarehouse warehouse, string sql, int limit, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> columns = [];
        var rows = new List<IReadOnlyList<object?>>();
        await foreach (var row in warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            columns = row.Columns;
            if (rows.Count == limit)
            {
                return (columns, rows, true);
            }

            rows.Add(row.Values);
        }

        return (columns, rows, false);
    }
}
