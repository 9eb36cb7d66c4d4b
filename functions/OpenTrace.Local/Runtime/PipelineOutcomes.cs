using OpenTrace.Core;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Local.Runtime;

/// <summary>What the pipeline did with one source file: the latest run of each function for its lineage id.</summary>
internal sealed record FileOutcome(string Source, ObjectInfo Object, string LineageId, IReadOnlyList<StageRun> Stages, string? DeliveryError)
{
    /// <summary>True when a stage quarantined or failed the file, or its event could not be delivered.</summary>
    public bool Rejected => DeliveryError is not null || Stages.Count == 0 || Stages.Any(s => s.Status is RunStatus.Quarantined or RunStatus.Failed);

    public string? Table => Stages.Select(s => s.Table).FirstOrDefault(t => t is not null);
}

/// <summary>One function's latest run for a file.</summary>
internal sealed record StageRun(string Function, string Status, string? Domain, string? Table, long RowsRead, long RowsWritten, long RowsQuarantined, long RowsDuplicate, string? Message, IReadOnlyList<string> Warnings, DateTime FinishedAt);

/// <summary>Reads per-file outcomes from <c>ops.runs</c>.</summary>
internal static class PipelineOutcomes
{
    public static async Task<IReadOnlyList<StageRun>> ForLineageAsync(IWarehouse warehouse, string lineageId, CancellationToken cancellationToken)
    {
        if (await warehouse.GetTableAsync(OpsLog.Runs, cancellationToken) is null)
        {
            return [];
        }

        var latest = new Dictionary<string, StageRun>(StringComparer.Ordinal);
        await foreach (var row in warehouse.QueryAsync(
            "select function, status, domain, table_name, rows_read, rows_written, rows_quarantined, rows_duplicate, message, warnings, finished_at " +
            "from ops.runs where lineage_id = @lineage order by finished_at, started_at",
            new Dictionary<string, object?> { ["lineage"] = lineageId },
            cancellationToken))
        {
            var run = new StageRun(
                row.Get<string>("function")!,
                row.Get<string>("status")!,
                row.Get<string>("domain"),
                row.Get<string>("table_name"),
                row.Get<long>("rows_read"),
                row.Get<long>("rows_written"),
                row.Get<long>("rows_quarantined"),
                row.Get<long>("rows_duplicate"),
                row.Get<string>("message"),
                row["warnings"] is System.Collections.IEnumerable list and not string ? list.Cast<object?>().Select(o => o?.ToString() ?? string.Empty).ToList() : [],
                row.Get<DateTime>("finished_at"));

            // A later duplicate delivery does not hide what the first one did.
            if (run.Status != RunStatus.Duplicate || !latest.ContainsKey(run.Function))
            {
                latest[run.Function] = run;
            }
        }

        return Order(latest.Values);
    }

    public static string LineageOf(ObjectInfo obj) => Lineage.IdFor(obj.Bucket, obj.Name, obj.Generation);

    private static List<StageRun> Order(IEnumerable<StageRun> runs)
    {
        string[] stages = ["bronze", "silver", "gold", "features", "train"];
        return runs.OrderBy(r => Array.IndexOf(stages, r.Function) is var i && i < 0 ? int.MaxValue : i).ThenBy(r => r.Function, StringComparer.Ordinal).ToList();
    }
}
