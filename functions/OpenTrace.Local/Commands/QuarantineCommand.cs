using System.Globalization;
using System.Text.Json;
using OpenTrace.Core.Silver;
using OpenTrace.Local.Cli;
using OpenTrace.Local.Output;
using OpenTrace.Local.Runtime;

namespace OpenTrace.Local.Commands;

/// <summary>
/// <c>opentrace quarantine [list|show &lt;id&gt;] [--table &lt;domain&gt;/&lt;table&gt;] [--limit N]</c>: the files and rows bronze
/// and silver rejected, with the rule and the reason; <c>show</c> prints one entry with its original values.
/// </summary>
internal sealed class QuarantineCommand : ICommand
{
    private const int DefaultLimit = 20;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => "quarantine";

    public string Usage => "quarantine [list|show <id>] [--table <domain>/<table>] [--limit N]";

    public string Summary => "Show rejected files and rows with their rule and reason; 'show <id>' prints one with its original values.";

    public async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var action = context.Arguments.Positionals.Count > 0 ? context.Arguments.Positionals[0] : "list";
        var table = context.Arguments.Option("table") is { } text ? ReplayCommand.ParseRoute(text) : null;
        var limit = (int)context.Arguments.OptionLong("limit", DefaultLimit);
        context.Arguments.RejectUnknownOptions();
        if (limit < 1)
        {
            throw new UsageException("--limit must be at least 1.");
        }

        await using var warehouse = await LocalWarehouse.OpenReadOnlyAsync(context.Home, cancellationToken);
        var browser = new QuarantineBrowser(warehouse);
        switch (action)
        {
            case "list":
                return await ListAsync(context.Console, browser, table, limit, cancellationToken);
            case "show":
                var id = context.Arguments.Positional(1, "the quarantine id to show (from 'opentrace quarantine list')");
                return await ShowAsync(context.Console, browser, id, cancellationToken);
            default:
                throw new UsageException($"Unknown action '{action}': use list or show <id>.");
        }
    }

    private static async Task<int> ListAsync(CliConsole console, QuarantineBrowser browser, Core.Pipelines.TableRoute? table, int limit, CancellationToken cancellationToken)
    {
        var groups = await browser.SummarizeAsync(table, cancellationToken);
        if (groups.Count == 0)
        {
            console.Line(table is null ? "Nothing is quarantined." : $"Nothing of {table} is quarantined.");
            return 0;
        }

        console.Line("Quarantined, by table and rule");
        ResultWriter.Write(console.Out, ResultFormat.Table,
            ["layer", "kind", "table", "rule", "count", "latest"],
            groups.Select(g => (IReadOnlyList<object?>)[g.Layer, g.Kind, g.Domain is null ? "(unrouted)" : $"{g.Domain}/{g.Table}", g.Rule, g.Count, g.LastRecordedAt]).ToList());
        console.Line();
        console.Line(string.Create(CultureInfo.InvariantCulture, $"Latest {limit}"));
        var entries = await browser.ListAsync(table, limit, cancellationToken);
        ResultWriter.Write(console.Out, ResultFormat.Table,
            ["id", "layer", "kind", "table", "row", "rule", "reason", "recorded_at"],
            entries.Select(e => (IReadOnlyList<object?>)[e.Id, e.Layer, e.Kind, e.Domain is null ? null : $"{e.Domain}/{e.Table}", e.RowNumber, e.Rule, e.Reason, e.RecordedAt]).ToList());
        console.Line("Details and original values: opentrace quarantine show <id>");
        return 0;
    }

    private static async Task<int> ShowAsync(CliConsole console, QuarantineBrowser browser, string id, CancellationToken cancellationToken)
    {
        var entry = await browser.GetAsync(id, cancellationToken);
        if (entry is null)
        {
            console.Error($"No quarantine entry '{id}'. List them with: opentrace quarantine list");
            return 1;
        }

        console.Line($"id:          {entry.Id}");
        console.Line($"layer:       {entry.Layer} ({entry.Kind})");
        console.Line($"table:       {(entry.Domain is null ? "(unrouted)" : $"{entry.Domain}/{entry.Table}")}");
        console.Line($"source:      {entry.SourceUri}{(entry.SourceGeneration is { } g ? string.Create(CultureInfo.InvariantCulture, $"#{g}") : string.Empty)}");
        if (entry.RowNumber is { } row)
        {
            console.Line(string.Create(CultureInfo.InvariantCulture, $"row:         {row}"));
        }

        console.Line($"rule:        {entry.Rule}");
        console.Line($"reason:      {entry.Reason}");
        console.Line($"kept at:     {entry.ObjectUri ?? "(not kept)"}");
        console.Line($"run:         {entry.RunId}");
        console.Line($"recorded at: {ResultWriter.FormatValue(entry.RecordedAt)}");
        if (entry.Record is not null)
        {
            console.Line("original values:");
            using var record = JsonDocument.Parse(entry.Record);
            foreach (var line in JsonSerializer.Serialize(record.RootElement, Indented).Split('\n'))
            {
                console.Line($"  {line}");
            }
        }

        return 0;
    }
}
