using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>Progress of a replay, reported after each file.</summary>
/// <param name="FilesDone">Files processed so far.</param>
/// <param name="FilesTotal">Files to process.</param>
/// <param name="Last">What the last file gave.</param>
public readonly record struct ReplayProgress(int FilesDone, int FilesTotal, SilverResult Last);

/// <summary>What a replay did.</summary>
/// <param name="Route">The table.</param>
/// <param name="Since">The first ingest date replayed, or null for every file (the table was rebuilt).</param>
/// <param name="Results">One result per bronze file, in the order processed.</param>
public sealed record ReplaySummary(TableRoute Route, DateOnly? Since, IReadOnlyList<SilverResult> Results)
{
    /// <summary>Bronze files processed.</summary>
    public int Files => Results.Count;

    /// <summary>Rows read over all files.</summary>
    public long RowsRead => Results.Sum(r => r.Counts?.Read ?? 0);

    /// <summary>Rows published over all files.</summary>
    public long RowsPublished => Results.Where(r => r.Status == RunStatus.Succeeded).Sum(r => r.Counts?.Published ?? 0);

    /// <summary>Rows quarantined over all files that were published.</summary>
    public long RowsQuarantined => Results.Where(r => r.Status == RunStatus.Succeeded).Sum(r => r.Counts?.Quarantined ?? 0);

    /// <summary>Superseded duplicates over all files that were published.</summary>
    public long RowsDuplicate => Results.Where(r => r.Status == RunStatus.Succeeded).Sum(r => r.Counts?.Duplicates ?? 0);

    /// <summary>Files quarantined whole.</summary>
    public int FilesQuarantined => Results.Count(r => r.Status == RunStatus.Quarantined);

    /// <summary>Files that failed (reconciliation).</summary>
    public int FilesFailed => Results.Count(r => r.Status == RunStatus.Failed);
}

/// <summary>
/// Reprocesses a table's bronze files under its current contract, typically after the contract changed. Without a
/// date the silver table is rebuilt from every bronze file; with one, only files ingested on or after it are
/// reprocessed and their earlier rows replaced. Either way, replaying again gives the same table. Bypasses event
/// claims on purpose.
/// </summary>
/// <remarks>
/// A partial replay replaces each file's rows: if the current contract now rejects a row that had superseded an
/// older file's version of its key, that key disappears until the older file is replayed too. Replay without a
/// date to rebuild exactly.
/// </remarks>
public sealed class SilverReplayer(IObjectStore store, IWarehouse warehouse, OpsLog ops, SilverProcessor processor, PipelineCatalog catalog, IOptions<OpenTraceOptions> options)
{
    /// <summary>
    /// Replays <paramref name="route"/>. Throws <see cref="OpenTraceException"/> when the table has no contract.
    /// Files are processed one at a time, oldest ingest date first.
    /// </summary>
    public async Task<ReplaySummary> ReplayAsync(TableRoute route, DateOnly? since = null, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (catalog.LoadContract(route) is null)
        {
            throw new OpenTraceException($"there is no contract for {route}: add pipelines/{route.Domain}/contracts/{route.Table}.yaml first.", field: route.ToString(), rule: "replay");
        }

        var lake = options.Value.LakeBucket;
        var files = new List<(ObjectInfo Object, BronzeObjectName Name)>();
        await foreach (var obj in store.ListAsync(lake, $"{LakePaths.BronzePrefix}{route.Domain}/{route.Table}/", cancellationToken))
        {
            if (LakePaths.ParseBronze(obj.Name) is { } name && name.Domain == route.Domain && name.Table == route.Table && (since is null || name.IngestDate >= since))
            {
                files.Add((obj, name));
            }
        }

        files.Sort((a, b) => a.Name.IngestDate != b.Name.IngestDate
            ? a.Name.IngestDate.CompareTo(b.Name.IngestDate)
            : a.Object.Created != b.Object.Created ? a.Object.Created.CompareTo(b.Object.Created) : string.CompareOrdinal(a.Object.Name, b.Object.Name));

        if (since is null)
        {
            await ClearAsync(route, cancellationToken);
        }

        var results = new List<SilverResult>(files.Count);
        foreach (var (obj, _) in files)
        {
            var result = await processor.ReprocessAsync(new SilverRequest(obj.Bucket, obj.Name, obj.Generation), cancellationToken);
            results.Add(result);
            progress?.Report(new ReplayProgress(results.Count, files.Count, result));
        }

        return new ReplaySummary(route, since, results);
    }

    /// <summary>A full rebuild starts from an empty table and no quarantine records of the table.</summary>
    private async Task ClearAsync(TableRoute route, CancellationToken cancellationToken)
    {
        var table = SilverTables.TableFor(route);
        if (await warehouse.GetTableAsync(table, cancellationToken) is not null)
        {
            await warehouse.ExecuteAsync(SilverSql.DeleteAll(warehouse.Dialect, table), cancellationToken: cancellationToken);
        }

        await ops.EnsureAsync(cancellationToken);
        await warehouse.ExecuteAsync(
            $"DELETE FROM {SilverSql.Table(warehouse.Dialect, OpsLog.Quarantine)} WHERE {SilverSql.Quote(warehouse.Dialect, "layer")} = 'silver' AND {SilverSql.Quote(warehouse.Dialect, "domain")} = @domain AND {SilverSql.Quote(warehouse.Dialect, "table_name")} = @table",
            new Dictionary<string, object?> { ["domain"] = route.Domain, ["table"] = route.Table },
            cancellationToken);
    }
}
