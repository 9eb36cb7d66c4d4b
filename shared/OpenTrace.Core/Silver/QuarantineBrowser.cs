using System.Globalization;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>One rejected file or row, as <c>ops.quarantine</c> holds it.</summary>
/// <param name="Id">The quarantine id.</param>
/// <param name="Layer">bronze or silver.</param>
/// <param name="Kind">file or row.</param>
/// <param name="Domain">Domain, or null when the file could not be routed.</param>
/// <param name="Table">Table, or null.</param>
/// <param name="SourceUri">The source file.</param>
/// <param name="SourceGeneration">Its generation, or null.</param>
/// <param name="LineageId">Lineage id, or null.</param>
/// <param name="RowNumber">Row in the source file (rows only).</param>
/// <param name="Rule">The rule that rejected it.</param>
/// <param name="Reason">Why.</param>
/// <param name="Record">Original values as JSON (rows only), or null.</param>
/// <param name="ObjectUri">Where the rejected data is kept, or null.</param>
/// <param name="RunId">The run that rejected it.</param>
/// <param name="RecordedAt">When (UTC).</param>
public sealed record QuarantineEntry(
    string Id,
    string Layer,
    string Kind,
    string? Domain,
    string? Table,
    string SourceUri,
    long? SourceGeneration,
    string? LineageId,
    long? RowNumber,
    string Rule,
    string Reason,
    string? Record,
    string? ObjectUri,
    string RunId,
    DateTimeOffset RecordedAt);

/// <summary>Rejected files and rows grouped by where and why.</summary>
/// <param name="Layer">bronze or silver.</param>
/// <param name="Kind">file or row.</param>
/// <param name="Domain">Domain, or null.</param>
/// <param name="Table">Table, or null.</param>
/// <param name="Rule">The rule.</param>
/// <param name="Count">How many.</param>
/// <param name="LastRecordedAt">The latest one (UTC).</param>
public sealed record QuarantineGroup(string Layer, string Kind, string? Domain, string? Table, string Rule, long Count, DateTimeOffset LastRecordedAt);

/// <summary>Reads <c>ops.quarantine</c> for people: what was rejected, where and why.</summary>
public sealed class QuarantineBrowser(IWarehouse warehouse)
{
    private const string Columns =
        "quarantine_id, layer, kind, domain, table_name, source_uri, source_generation, lineage_id, row_number, rule, reason, record, object_uri, run_id, recorded_at";

    /// <summary>The most recent entries, newest first; <paramref name="route"/> narrows to a table (null: all).</summary>
    public async Task<IReadOnlyList<QuarantineEntry>> ListAsync(TableRoute? route = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (!await ExistsAsync(cancellationToken))
        {
            return [];
        }

        var (where, parameters) = Filter(route);
        var sql = string.Create(CultureInfo.InvariantCulture,
            $"SELECT {Columns} FROM {SilverSql.Table(warehouse.Dialect, OpsLog.Quarantine)}{where} ORDER BY recorded_at DESC, quarantine_id LIMIT {limit}");
        var entries = new List<QuarantineEntry>();
        await foreach (var row in warehouse.QueryAsync(sql, parameters, cancellationToken))
        {
            entries.Add(ToEntry(row));
        }

        return entries;
    }

    /// <summary>One entry by id, or null when there is none.</summary>
    public async Task<QuarantineEntry?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!await ExistsAsync(cancellationToken))
        {
            return null;
        }

        var sql = $"SELECT {Columns} FROM {SilverSql.Table(warehouse.Dialect, OpsLog.Quarantine)} WHERE quarantine_id = @id ORDER BY recorded_at DESC LIMIT 1";
        await foreach (var row in warehouse.QueryAsync(sql, new Dictionary<string, object?> { ["id"] = id }, cancellationToken))
        {
            return ToEntry(row);
        }

        return null;
    }

    /// <summary>Counts by layer, kind, table and rule, largest first; <paramref name="route"/> narrows to a table.</summary>
    public async Task<IReadOnlyList<QuarantineGroup>> SummarizeAsync(TableRoute? route = null, CancellationToken cancellationToken = default)
    {
        if (!await ExistsAsync(cancellationToken))
        {
            return [];
        }

        var (where, parameters) = Filter(route);
        var sql = $"SELECT layer, kind, domain, table_name, rule, COUNT(*) AS n, MAX(recorded_at) AS last_at FROM {SilverSql.Table(warehouse.Dialect, OpsLog.Quarantine)}{where}"
            + " GROUP BY layer, kind, domain, table_name, rule ORDER BY n DESC, layer, table_name, rule";
        var groups = new List<QuarantineGroup>();
        await foreach (var row in warehouse.QueryAsync(sql, parameters, cancellationToken))
        {
            groups.Add(new QuarantineGroup(
                row.Get<string>("layer")!, row.Get<string>("kind")!, row.Get<string>("domain"), row.Get<string>("table_name"),
                row.Get<string>("rule")!, row.Get<long>("n"), row.Get<DateTimeOffset>("last_at")));
        }

        return groups;
    }

    private async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        await warehouse.GetTableAsync(OpsLog.Quarantine, cancellationToken) is not null;

    private static (string Where, Dictionary<string, object?>? Parameters) Filter(TableRoute? route) => route is null
        ? (string.Empty, null)
        : (" WHERE domain = @domain AND table_name = @table", new Dictionary<string, object?> { ["domain"] = route.Domain, ["table"] = route.Table });

    private static QuarantineEntry ToEntry(WarehouseRow row) => new(
        row.Get<string>("quarantine_id")!,
        row.Get<string>("layer")!,
        row.Get<string>("kind")!,
        row.Get<string>("domain"),
        row.Get<string>("table_name"),
        row.Get<string>("source_uri")!,
        row.Get<long?>("source_generation"),
        row.Get<string>("lineage_id"),
        row.Get<long?>("row_number"),
        row.Get<string>("rule")!,
        row.Get<string>("reason")!,
        row.Get<string>("record"),
        row.Get<string>("object_uri"),
        row.Get<string>("run_id")!,
        row.Get<DateTimeOffset>("recorded_at"));
}
