using System.Globalization;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>What <see cref="SilverEngine.ProcessAsync"/> works on.</summary>
public sealed record SilverEngineRequest
{
    /// <summary>The bronze Parquet file, on local disk.</summary>
    public required string BronzePath { get; init; }

    /// <summary>Where the bronze file lives (<c>gs://lake/bronze/...</c>), for messages and metadata.</summary>
    public required string BronzeUri { get; init; }

    /// <summary>The contract to apply.</summary>
    public required DataContract Contract { get; init; }

    /// <summary>Where to write the silver Parquet file (created or replaced).</summary>
    public required string SilverPath { get; init; }

    /// <summary>Where to write the quarantine Parquet file; created only when a row is quarantined.</summary>
    public required string QuarantinePath { get; init; }

    /// <summary>The run recorded in quarantine records.</summary>
    public required string RunId { get; init; }

    /// <summary>When the quarantine records are dated.</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>The URI the quarantine file will be kept at, recorded in each quarantine record; null: none.</summary>
    public string? QuarantineUri { get; init; }

    /// <summary>Row groups processed at once. Default: the number of processors.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
}

/// <summary>How one rule fared on one file.</summary>
/// <param name="Rule">The rule name, e.g. <c>not_null(order_id)</c>.</param>
/// <param name="Kind">The rule kind as a contract writes it.</param>
/// <param name="Severity">warn, drop or fail.</param>
/// <param name="Column">The first column checked, or null.</param>
/// <param name="RowsChecked">Rows checked (every row that was not a superseded duplicate).</param>
/// <param name="Violations">Rows that broke the rule.</param>
/// <param name="Outcome">passed, warned, dropped or failed.</param>
public sealed record RuleResult(string Rule, string Kind, string Severity, string? Column, long RowsChecked, long Violations, string Outcome);

/// <summary>Rows read from bronze against where they went. <see cref="Balanced"/> must hold for a run to publish.</summary>
/// <param name="Read">Rows in the bronze file, from its footer.</param>
/// <param name="Published">Rows written to silver.</param>
/// <param name="Quarantined">Rows written to quarantine.</param>
/// <param name="Duplicates">Rows superseded by a later version of their key.</param>
public sealed record Reconciliation(long Read, long Published, long Quarantined, long Duplicates)
{
    /// <summary>True when read = published + quarantined + duplicates.</summary>
    public bool Balanced => Read == Published + Quarantined + Duplicates;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"read {Read} = published {Published} + quarantined {Quarantined} + duplicates {Duplicates}{(Balanced ? string.Empty : $" does not hold (off by {Read - Published - Quarantined - Duplicates})")}");
}

/// <summary>What happened to one bronze file.</summary>
public sealed record SilverFileResult
{
    /// <summary>Lineage id of the source object generation.</summary>
    public required string LineageId { get; init; }

    /// <summary>The original source object (<c>gs://bronze/...</c>).</summary>
    public required string SourceUri { get; init; }

    /// <summary>Its generation.</summary>
    public required long SourceGeneration { get; init; }

    /// <summary>The rule that rejected the whole file, or null when rows were published.</summary>
    public string? RejectedRule { get; init; }

    /// <summary>Why the whole file was rejected (naming the column), or null.</summary>
    public string? RejectedReason { get; init; }

    /// <summary>True when the whole file is quarantined and nothing may be published.</summary>
    public bool IsRejected => RejectedRule is not null;

    /// <summary>The row counts.</summary>
    public required Reconciliation Counts { get; init; }

    /// <summary>One entry per row-level rule (relationships excluded), in contract order.</summary>
    public IReadOnlyList<RuleResult> Rules { get; init; } = [];

    /// <summary>Source columns the contract does not declare (source header names); empty when none.</summary>
    public IReadOnlyList<string> AddedColumns { get; init; } = [];

    /// <summary>Silver names of the added columns carried into silver; empty when none.</summary>
    public IReadOnlyList<string> CarriedColumns { get; init; } = [];

    /// <summary>The columns of the silver file and table, in order.</summary>
    public IReadOnlyList<ColumnSchema> Columns { get; init; } = [];

    /// <summary>True when the quarantine file was written (at least one row quarantined).</summary>
    public bool WroteQuarantine { get; init; }
}

/// <summary>
/// Applies a contract to one bronze Parquet file, on local disk, streaming row group by row group with bounded
/// memory: a first pass over the key columns decides latest-wins duplicates and uniqueness; the second converts,
/// checks and protects every row group in parallel and writes silver and quarantine Parquet in row-group order, so
/// the output is the same whatever the scheduling. Pure apart from the two files it writes.
/// </summary>
public static class SilverEngine
{
    /// <summary>Rows converted as one unit of work: small enough to keep memory flat, large enough to amortise the hand-offs.</summary>
    public const int SliceRows = 4096;

    private static readonly PinnedBufferPool Pool = new();

    /// <summary>
    /// Processes the file. A file whose shape or content breaks the contract (schema drift, a fail rule over its
    /// threshold) comes back with <see cref="SilverFileResult.IsRejected"/>; its output files must not be published.
    /// Throws <see cref="OpenTraceException"/> when the file is not bronze Parquet.
    /// </summary>
    public static async Task<SilverFileResult> ProcessAsync(SilverEngineRequest request, PiiProtector pii, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(pii);
        var file = BronzeFile.Open(request.BronzePath, request.BronzeUri);
        var plan = SilverPlan.Create(request.Contract, file);
        var columns = SilverColumns(plan);
        var result = new SilverFileResult
        {
            LineageId = file.LineageId,
            SourceUri = file.SourceUri,
            SourceGeneration = file.SourceGeneration,
            Counts = new Reconciliation(file.TotalRows, 0, 0, 0),
            AddedColumns = plan.AddedColumns,
            CarriedColumns = plan.Carried.Select(c => c.Name).ToList(),
            Columns = columns,
        };
        if (plan.Rejection is { } rejection)
        {
            return result with { RejectedRule = rejection.Rule, RejectedReason = rejection.Reason };
        }

        var degree = Math.Max(1, request.Parallelism);
        var keys = await KeyIndex.BuildAsync(plan, degree, SliceRows, cancellationToken);
        var rules = RowRule.Compile(plan, keys.UniqueViolations);
        var metadata = new Dictionary<string, string>
        {
            [SilverParquetWriter.ContractFingerprintKey] = request.Contract.Fingerprint,
            ["opentrace.lineage_id"] = file.LineageId,
            ["opentrace.bronze_uri"] = request.BronzeUri,
            ["opentrace.table"] = request.Contract.Route.ToString(),
        };

        var violations = new long[request.Contract.Rules.Count];
        var nonNull = new long[plan.Columns.Length];
        var invalid = new long[plan.Columns.Length];
        var samples = new string?[plan.Columns.Length];
        long processed = 0, duplicates = 0, checkedRows = 0, quarantined = 0;
        QuarantineParquetWriter? quarantine = null;

        SilverParquetWriter? silver = null;
        try
        {
            await OrderedParallel.RunAsync(
                file.ReadSlices(SliceBatch.InputColumns(plan), SliceRows),
                degree,
                slice => Process(plan, slice, rules, keys, pii),
                batch =>
                {
                    silver ??= new SilverParquetWriter(request.SilverPath, plan, metadata, SilverParquetWriter.MostlyDistinct(plan, batch));
                    silver.Write(batch);
                    foreach (var row in batch.Quarantined)
                    {
                        quarantine ??= new QuarantineParquetWriter(request.QuarantinePath, metadata);
                        quarantine.Add(ToRecord(request, file, row));
                    }

                    processed += batch.Rows;
                    duplicates += batch.DuplicateRows;
                    checkedRows += batch.CheckedRows;
                    quarantined += batch.Quarantined.Count;
                    for (var i = 0; i < violations.Length; i++)
                    {
                        violations[i] += batch.RuleViolations[i];
                    }

                    for (var c = 0; c < nonNull.Length; c++)
                    {
                        nonNull[c] += batch.NonNull[c];
                        invalid[c] += batch.Invalid[c];
                        samples[c] ??= batch.InvalidSample[c];
                    }

                    batch.Arena.Release();
                },
                cancellationToken);
            silver ??= new SilverParquetWriter(request.SilverPath, plan, metadata, new HashSet<string>());
            silver.Close();
            quarantine?.Close();
        }
        finally
        {
            silver?.Dispose();
            quarantine?.Dispose();
        }

        if (processed != file.TotalRows)
        {
            throw new OpenTraceException(
                string.Create(CultureInfo.InvariantCulture, $"read {processed} rows but the footer announces {file.TotalRows}; the file is truncated or corrupt."),
                file: request.BronzeUri, rule: "bronze_layout");
        }

        if (file.TotalRows >= 100_000)
        {
            // A large file churns through many short-lived buffers; hand the memory back before the warehouse phase,
            // which on a laptop runs in this same process (DuckDB), so the two peaks do not add up.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        var counts = new Reconciliation(file.TotalRows, silver.RowCount, quarantine?.RowCount ?? 0, duplicates);
        var ruleResults = new List<RuleResult>();
        string? rejectedRule = null, rejectedReason = null;
        for (var c = 0; c < plan.Columns.Length; c++)
        {
            // A column whose values mostly fail to parse changed type upstream: that is drift, not bad rows.
            if (invalid[c] >= 2 && invalid[c] * 2 > nonNull[c] && rejectedRule is null)
            {
                var column = plan.Columns[c].Column;
                rejectedRule = $"schema_drift({column.Name})";
                var sample = column.Pii == PiiPolicy.None ? $" (e.g. '{samples[c]}')" : string.Empty;
                rejectedReason = string.Create(CultureInfo.InvariantCulture,
                    $"schema drift: column '{column.Source}' is incompatible with {column.Type}: {invalid[c]} of {nonNull[c]} values do not parse{sample}.");
            }
        }

        for (var i = 0; i < request.Contract.Rules.Count; i++)
        {
            var rule = request.Contract.Rules[i];
            if (rules[i] is null)
            {
                continue;
            }

            var outcome = violations[i] == 0 ? "passed" : rule.Severity switch
            {
                RuleSeverity.Warn => "warned",
                RuleSeverity.Drop => "dropped",
                _ => rule.Threshold.IsExceeded(violations[i], checkedRows) ? "failed" : "dropped",
            };
            if (outcome == "failed" && rejectedRule is null)
            {
                rejectedRule = rule.Name;
                var share = checkedRows == 0 ? 0 : 100.0 * violations[i] / checkedRows;
                rejectedReason = string.Create(CultureInfo.InvariantCulture,
                    $"rule {rule.Name} (severity fail, threshold {rule.Threshold}) failed: {violations[i]} of {checkedRows} rows ({share:0.##}%) violate it.");
            }

            ruleResults.Add(new RuleResult(rule.Name, ContractRule.KindName(rule.Kind), ContractRule.SeverityName(rule.Severity), rule.Column, checkedRows, violations[i], outcome));
        }

        return result with
        {
            Counts = counts,
            Rules = ruleResults,
            RejectedRule = rejectedRule,
            RejectedReason = rejectedReason,
            WroteQuarantine = quarantine is not null,
        };
    }

    /// <summary>The silver columns of a plan: published declared columns, carried columns, then lineage.</summary>
    internal static List<ColumnSchema> SilverColumns(SilverPlan plan)
    {
        var columns = new List<ColumnSchema>();
        foreach (var program in plan.Published)
        {
            var column = program.Column;
            columns.Add(new ColumnSchema(
                column.Name,
                column.Type.ColumnType,
                Precision: column.Type.Kind == ContractTypeKind.Decimal ? column.Type.Precision : null,
                Scale: column.Type.Kind == ContractTypeKind.Decimal ? column.Type.Scale : null,
                Description: column.Description));
        }

        foreach (var carried in plan.Carried)
        {
            columns.Add(new ColumnSchema(carried.Name, ColumnType.String, Description: $"Not in the contract; carried from source column '{carried.Source.SourceName}'."));
        }

        columns.AddRange(SilverTables.LineageColumns);
        return columns;
    }

    private static SliceBatch Process(SilverPlan plan, BronzeSlice slice, RowRule?[] rules, KeyIndex keys, PiiProtector pii)
    {
        var batch = new SliceBatch(plan, slice, Pool);
        var scratch = new WorkerScratch();
        batch.MarkDuplicates(keys.Superseded);
        batch.Convert(rules, scratch);
        foreach (var rule in rules)
        {
            rule?.Check(batch, scratch);
        }

        batch.Finish(rules, pii, scratch);
        return batch;
    }

    private static QuarantineRecord ToRecord(SilverEngineRequest request, BronzeFile file, QuarantinedRow row) => new()
    {
        QuarantineId = SilverTables.RowQuarantineId(file.LineageId, row.RowNumber),
        RunId = request.RunId,
        Layer = Datasets.Silver,
        Kind = "row",
        Domain = request.Contract.Route.Domain,
        Table = request.Contract.Route.Table,
        SourceUri = file.SourceUri,
        SourceGeneration = file.SourceGeneration,
        LineageId = file.LineageId,
        RowNumber = row.RowNumber,
        Rule = row.Rule,
        Reason = row.Reason,
        Record = row.Record,
        ObjectUri = request.QuarantineUri,
        RecordedAt = request.RecordedAt,
    };
}
