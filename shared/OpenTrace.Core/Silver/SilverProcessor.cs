using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Claims;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Silver;

/// <summary>One bronze Parquet object generation to bring to silver.</summary>
/// <param name="Bucket">The lake bucket.</param>
/// <param name="Name">The bronze object, <c>bronze/&lt;domain&gt;/&lt;table&gt;/ingest_date=…/&lt;lineage_id&gt;.parquet</c>.</param>
/// <param name="Generation">Its generation.</param>
/// <param name="EventId">The CloudEvent id, for the run record; null when not event-driven.</param>
public sealed record SilverRequest(string Bucket, string Name, long Generation, string? EventId = null);

/// <summary>What one silver run did.</summary>
public sealed record SilverResult
{
    /// <summary>One of <see cref="RunStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>The run id recorded in <c>ops.runs</c>.</summary>
    public required string RunId { get; init; }

    /// <summary><c>gs://lake/bronze/...</c> of the input.</summary>
    public required string BronzeUri { get; init; }

    /// <summary>The table, or null when the name is not a bronze object.</summary>
    public TableRoute? Route { get; init; }

    /// <summary>Lineage id of the source file, or null.</summary>
    public string? LineageId { get; init; }

    /// <summary>The silver warehouse table, or null when nothing was published.</summary>
    public TableId? Table { get; init; }

    /// <summary>Row counts, or null when the file was not read.</summary>
    public Reconciliation? Counts { get; init; }

    /// <summary>Outcome of every rule, relationships included; empty when the file was not processed.</summary>
    public IReadOnlyList<RuleResult> Rules { get; init; } = [];

    /// <summary>The silver Parquet object, or null.</summary>
    public string? SilverUri { get; init; }

    /// <summary>The quarantine Parquet object, or null when no row was quarantined.</summary>
    public string? QuarantineUri { get; init; }

    /// <summary>The rule that quarantined the whole file, or null.</summary>
    public string? RejectedRule { get; init; }

    /// <summary>Why the file was quarantined, skipped or failed; a summary otherwise.</summary>
    public string? Message { get; init; }

    /// <summary>Warnings recorded with the run (drift, relationships); empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The silver use case: claims the bronze object generation, applies the table's contract
/// (<see cref="SilverEngine"/>), writes silver and quarantine Parquet create-only under names derived from the input,
/// stages the silver rows in the warehouse and MERGEs them into <c>silver.&lt;domain&gt;__&lt;table&gt;</c> latest-wins,
/// loads the quarantined rows into <c>ops.quarantine</c>, checks relationships, and records quality events and the
/// run with its reconciliation. Every step is safe to repeat, so a delivery that crashes anywhere can be retried
/// and completes the work without duplicating it.
/// </summary>
public sealed class SilverProcessor(
    IObjectStore store,
    IWarehouse warehouse,
    OpsLog ops,
    EventClaims claims,
    PipelineCatalog catalog,
    IOptions<OpenTraceOptions> options,
    PiiProtector pii,
    TimeProvider time,
    ILogger<SilverProcessor> logger)
{
    /// <summary>The function name in claims and <c>ops.runs</c>.</summary>
    public const string FunctionName = "silver";

    private const string ParquetContentType = "application/vnd.apache.parquet";

    private readonly ConcurrentDictionary<string, bool> _ensured = new(StringComparer.Ordinal);

    /// <summary>Row groups processed at once. Default: the number of processors.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Processes a bronze object delivered by an event, exactly once: a second delivery of finished work records a
    /// duplicate run; a delivery while another holds the claim throws <see cref="TransientException"/>; a failure
    /// releases the claim, records a failed run and is rethrown so the event comes back.
    /// </summary>
    public async Task<SilverResult> ProcessAsync(SilverRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var run = new Run(request, Guid.CreateVersion7().ToString("N"), time.GetUtcNow(), Replay: false);
        var key = EventClaims.KeyFor(FunctionName, request.Bucket, request.Name, request.Generation);
        var claim = await claims.TryClaimAsync(key, run.RunId, cancellationToken);
        if (claim.AlreadyDone)
        {
            var message = $"{run.Source} was already processed by run {claim.HeldBy} (outcome: {claim.PreviousOutcome}); nothing was done again.";
            return await RecordAsync(run, Result(run, RunStatus.Duplicate, message), cancellationToken);
        }

        if (claim.Claim is not { } held)
        {
            throw new TransientException(string.Create(CultureInfo.InvariantCulture,
                $"{run.Source} is being processed by run {claim.HeldBy} (lease until {claim.HeldUntil:O}); deliver the event again later."));
        }

        SilverResult result;
        try
        {
            result = await RunAsync(run, cancellationToken);
        }
        catch (Exception ex)
        {
            await RecordFailureAsync(run, ex, held);
            throw;
        }

        await claims.CompleteAsync(held, result.Status, cancellationToken);
        return result;
    }

    /// <summary>
    /// Reprocesses a bronze object on purpose, without claims (replay after a contract change): the file's earlier
    /// silver rows and quarantine records are replaced by what the current contract makes of it.
    /// </summary>
    public async Task<SilverResult> ReprocessAsync(SilverRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var run = new Run(request, Guid.CreateVersion7().ToString("N"), time.GetUtcNow(), Replay: true);
        try
        {
            return await RunAsync(run, cancellationToken);
        }
        catch (Exception ex)
        {
            await RecordFailureAsync(run, ex, claim: null);
            throw;
        }
    }

    private static void Validate(SilverRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        ArgumentException.ThrowIfNullOrEmpty(request.Name);
        if (LakePaths.ParseBronze(request.Name) is null)
        {
            throw new ArgumentException($"'{request.Name}' is not a bronze object name (bronze/<domain>/<table>/ingest_date=YYYY-MM-DD/<lineage_id>.parquet).", nameof(request));
        }
    }

    private async Task<SilverResult> RunAsync(Run run, CancellationToken cancellationToken)
    {
        var contract = catalog.LoadContract(run.Route);
        if (contract is null)
        {
            var message = $"No contract for {run.Route} (pipelines/{run.Route.Domain}/contracts/{run.Route.Table}.yaml), so the file stays in bronze; add a contract and run 'opentrace replay {run.Route}'.";
            logger.LogWarning("Silver skipped {Source}: {Message}", run.Source, message);
            return await RecordAsync(run, Result(run, RunStatus.Skipped, message), cancellationToken);
        }

        var work = Path.Combine(Path.GetTempPath(), $"opentrace-silver-{run.RunId}");
        Directory.CreateDirectory(work);
        try
        {
            var bronzePath = Path.Combine(work, "bronze.parquet");
            try
            {
                await DownloadAsync(run, bronzePath, cancellationToken);
                run.Mark("download");
            }
            catch (ObjectNotFoundException ex)
            {
                return await RecordAsync(run, Result(run, RunStatus.Skipped, $"{ex.Message} It was deleted before silver could read it; nothing to do."), cancellationToken);
            }

            var quarantineName = SilverTables.QuarantineObject(run.Route, run.Name.IngestDate, run.Name.LineageId);
            var file = await SilverEngine.ProcessAsync(
                new SilverEngineRequest
                {
                    BronzePath = bronzePath,
                    BronzeUri = run.BronzeUri,
                    Contract = contract,
                    SilverPath = Path.Combine(work, "silver.parquet"),
                    QuarantinePath = Path.Combine(work, "quarantine.parquet"),
                    RunId = run.RunId,
                    RecordedAt = run.StartedAt,
                    QuarantineUri = ObjectRef.ToUri(Lake, quarantineName),
                    Parallelism = Parallelism,
                },
                pii,
                cancellationToken);

            run.Mark("engine");
            if (file.IsRejected)
            {
                return await QuarantineFileAsync(run, contract, file, cancellationToken);
            }

            if (!file.Counts.Balanced)
            {
                return await FailReconciliationAsync(run, contract, file, file.Counts, "the engine", cancellationToken);
            }

            return await PublishAsync(run, contract, file, work, quarantineName, cancellationToken);
        }
        finally
        {
            TryDelete(work);
        }
    }

    private string Lake => options.Value.LakeBucket;

    private Task DownloadAsync(Run run, string path, CancellationToken cancellationToken) =>
        store.DownloadToFileAsync(new ObjectRef(run.Request.Bucket, run.Request.Name, run.Request.Generation), path, cancellationToken);

    private async Task<SilverResult> PublishAsync(Run run, DataContract contract, SilverFileResult file, string work, string quarantineName, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        var silverName = SilverTables.SilverObject(run.Route, run.Name.IngestDate, run.Name.LineageId);
        var silverRef = await UploadAsync(run, contract, Path.Combine(work, "silver.parquet"), silverName, warnings, cancellationToken);
        ObjectRef? quarantineRef = null;
        if (file.WroteQuarantine)
        {
            quarantineRef = await UploadAsync(run, contract, Path.Combine(work, "quarantine.parquet"), quarantineName, warnings, cancellationToken);
        }
        else if (run.Replay)
        {
            await store.DeleteAsync(Lake, quarantineName, cancellationToken: cancellationToken);
        }

        run.Mark("upload");
        var table = SilverTables.TableFor(run.Route);
        var schema = SilverTables.Schema(contract, file.Columns);
        await EnsureAsync(Datasets.Silver, schema, cancellationToken);
        await ops.EnsureAsync(cancellationToken);
        run.Mark("ensure tables");

        // Stage, then merge: the staged relation is scratch, made again by every attempt; the merge is idempotent.
        var stage = await warehouse.StageParquetAsync(
            new StageRequest(SilverTables.StagingFor(run.Route, run.Name.LineageId), [silverRef], $"{FunctionName}_stage_{run.Name.LineageId}_{run.RunId}", schema),
            cancellationToken);
        var staging = stage.Relation;
        run.Mark("stage");
        var staged = file.Counts with { Published = stage.Rows };
        if (!staged.Balanced)
        {
            await warehouse.DropStagedAsync(staging, cancellationToken);
            return await FailReconciliationAsync(run, contract, file, staged, "the warehouse load", cancellationToken);
        }

        var lineage = new Dictionary<string, object?> { ["lineage"] = run.Name.LineageId };
        var stagedColumns = file.Columns.Select(c => c.Name).ToList();
        var targetColumns = (await warehouse.GetTableAsync(table, cancellationToken))?.Columns.Select(c => c.Name).ToList() ?? stagedColumns;
        if (run.Replay || contract.PrimaryKey.Count == 0)
        {
            await warehouse.ExecuteAsync(SilverSql.DeleteLineage(warehouse.Dialect, table), lineage, cancellationToken);
        }

        var sql = contract.PrimaryKey.Count == 0
            ? SilverSql.InsertAll(warehouse.Dialect, table, staging, stagedColumns)
            : SilverSql.Merge(warehouse.Dialect, table, staging, stagedColumns, targetColumns, contract.PrimaryKey, contract.OrderBy);
        await warehouse.ExecuteAsync(sql, cancellationToken: cancellationToken);
        await warehouse.DropStagedAsync(staging, cancellationToken);
        run.Mark("merge");

        await warehouse.ExecuteAsync(SilverSql.DeleteQuarantine(warehouse.Dialect, OpsLog.Quarantine), lineage, cancellationToken);
        if (quarantineRef is not null)
        {
            await warehouse.LoadParquetAsync(
                new LoadRequest(OpsLog.Quarantine, [quarantineRef], $"{FunctionName}_quarantine_{run.Name.LineageId}_{run.RunId}", OpsLog.QuarantineSchema),
                cancellationToken);
        }

        run.Mark("quarantine");
        var rules = file.Rules.ToList();
        rules.AddRange(await CheckRelationshipsAsync(run, contract, table, warnings, cancellationToken));
        if (file.AddedColumns.Count > 0)
        {
            warnings.Add(file.CarriedColumns.Count > 0
                ? $"Schema drift: columns not in the contract were carried into silver as text: {string.Join(", ", file.CarriedColumns)}."
                : $"Schema drift: columns not in the contract were left out of silver: {string.Join(", ", file.AddedColumns)}.");
        }

        var result = Result(run, RunStatus.Succeeded, $"{file.Counts} into {table}.") with
        {
            LineageId = run.Name.LineageId,
            Table = table,
            Counts = file.Counts,
            Rules = rules,
            SilverUri = silverRef.Uri,
            QuarantineUri = quarantineRef?.Uri,
            Warnings = warnings,
        };
        run.Mark("relationships");
        await ops.RecordQualityAsync(QualityEvents(run, contract, file, rules), cancellationToken);
        await RecordAsync(run, result, cancellationToken);
        run.Mark("ops");
        logger.LogInformation("Silver published {Source}: {Counts} into {Table} (run {RunId}; {Phases})", run.Source, file.Counts.ToString(), table.ToString(), run.RunId, run.Phases);
        return result;
    }

    /// <summary>Writes an output create-only; an existing object from the same contract and key (an earlier attempt) is kept, anything else replaced.</summary>
    private async Task<ObjectRef> UploadAsync(Run run, DataContract contract, string localPath, string name, List<string> warnings, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>
        {
            ["lineage_id"] = run.Name.LineageId,
            ["bronze_uri"] = run.BronzeUri,
            [SilverTables.FingerprintMetadata] = contract.Fingerprint,
            [SilverTables.PiiKeyMetadata] = pii.KeyId,
            ["run_id"] = run.RunId,
        };
        long? expected = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var written = await store.UploadFromFileAsync(Lake, name, localPath, new ObjectWriteOptions { IfGenerationMatch = expected, ContentType = ParquetContentType, Metadata = metadata }, cancellationToken);
                return written.Ref;
            }
            catch (PreconditionFailedException)
            {
                var existing = await store.GetAsync(Lake, name, cancellationToken);
                if (existing is null)
                {
                    expected = 0;
                    continue;
                }

                if (existing.Metadata.GetValueOrDefault(SilverTables.FingerprintMetadata) == contract.Fingerprint
                    && existing.Metadata.GetValueOrDefault(SilverTables.PiiKeyMetadata) == pii.KeyId)
                {
                    warnings.Add($"{existing.Uri} already existed from an earlier attempt under the same contract; it was kept.");
                    return new ObjectRef(Lake, name);
                }

                expected = existing.Generation; // written under another contract version: replace it
            }
        }

        throw new TransientException($"{ObjectRef.ToUri(Lake, name)} kept changing while silver wrote it; try again.");
    }

    private async Task<List<RuleResult>> CheckRelationshipsAsync(Run run, DataContract contract, TableId table, List<string> warnings, CancellationToken cancellationToken)
    {
        var results = new List<RuleResult>();
        foreach (var rule in contract.Rules.Where(r => r.Kind == RuleKind.Relationships))
        {
            var parent = SilverTables.TableFor(rule.ToTable!);
            var parentSchema = await warehouse.GetTableAsync(parent, cancellationToken);
            if (parentSchema?.Find(rule.ToColumn!) is null)
            {
                results.Add(new RuleResult(rule.Name, "relationships", "warn", rule.Column, 0, 0, "skipped"));
                warnings.Add($"{rule.Name} not checked: {parent} {(parentSchema is null ? "does not exist yet" : $"has no column {rule.ToColumn}")}.");
                continue;
            }

            long checkedRows = 0, violations = 0;
            string? example = null;
            await foreach (var row in warehouse.QueryAsync(SilverSql.Orphans(warehouse.Dialect, table, rule.Column!, parent, rule.ToColumn!), new Dictionary<string, object?> { ["lineage"] = run.Name.LineageId }, cancellationToken))
            {
                checkedRows = row.Get<long>("checked");
                violations = row.Get<long?>("violations") ?? 0;
                example = row.Get<string>("example");
            }

            results.Add(new RuleResult(rule.Name, "relationships", "warn", rule.Column, checkedRows, violations, violations == 0 ? "passed" : "warned"));
            if (violations > 0)
            {
                var shown = contract.Find(rule.Column!)?.Pii is PiiPolicy.None or null ? $" (e.g. '{example}')" : string.Empty;
                warnings.Add(string.Create(CultureInfo.InvariantCulture, $"{rule.Name}: {violations} of {checkedRows} rows have no match in {parent}{shown}."));
            }
        }

        return results;
    }

    private async Task<SilverResult> QuarantineFileAsync(Run run, DataContract contract, SilverFileResult file, CancellationToken cancellationToken)
    {
        var table = SilverTables.TableFor(run.Route);
        var lineage = new Dictionary<string, object?> { ["lineage"] = run.Name.LineageId };
        await ops.EnsureAsync(cancellationToken);

        // Nothing of this file may stay published: a replay under a stricter contract withdraws what an older one let through.
        if (await warehouse.GetTableAsync(table, cancellationToken) is not null)
        {
            await warehouse.ExecuteAsync(SilverSql.DeleteLineage(warehouse.Dialect, table), lineage, cancellationToken);
        }

        await store.DeleteAsync(Lake, SilverTables.SilverObject(run.Route, run.Name.IngestDate, run.Name.LineageId), cancellationToken: cancellationToken);
        await store.DeleteAsync(Lake, SilverTables.QuarantineObject(run.Route, run.Name.IngestDate, run.Name.LineageId), cancellationToken: cancellationToken);
        await warehouse.ExecuteAsync(SilverSql.DeleteQuarantine(warehouse.Dialect, OpsLog.Quarantine), lineage, cancellationToken);
        await ops.RecordQuarantineAsync(
        [
            new QuarantineRecord
            {
                QuarantineId = SilverTables.FileQuarantineId(run.Name.LineageId),
                RunId = run.RunId,
                Layer = Datasets.Silver,
                Kind = "file",
                Domain = run.Route.Domain,
                Table = run.Route.Table,
                SourceUri = string.IsNullOrEmpty(file.SourceUri) ? run.BronzeUri : file.SourceUri,
                SourceGeneration = file.SourceGeneration,
                LineageId = run.Name.LineageId,
                Rule = file.RejectedRule!,
                Reason = file.RejectedReason!,
                ObjectUri = new ObjectRef(run.Request.Bucket, run.Request.Name, run.Request.Generation).ToString(),
                RecordedAt = time.GetUtcNow(),
            },
        ], cancellationToken);
        var result = Result(run, RunStatus.Quarantined, $"{file.RejectedReason} The whole file was quarantined; nothing was published.") with
        {
            LineageId = run.Name.LineageId,
            Counts = file.Counts,
            Rules = file.Rules,
            RejectedRule = file.RejectedRule,
        };
        await ops.RecordQualityAsync(QualityEvents(run, contract, file, file.Rules), cancellationToken);
        await RecordAsync(run, result, cancellationToken);
        logger.LogWarning("Silver quarantined {Source}: {Reason} (run {RunId})", run.Source, file.RejectedReason, run.RunId);
        return result;
    }

    private async Task<SilverResult> FailReconciliationAsync(Run run, DataContract contract, SilverFileResult file, Reconciliation counts, string where, CancellationToken cancellationToken)
    {
        var message = $"Reconciliation failed after {where}: {counts}. Nothing was published.";
        var result = Result(run, RunStatus.Failed, message) with { LineageId = run.Name.LineageId, Counts = counts, Rules = file.Rules };
        await ops.RecordQualityAsync(QualityEvents(run, contract, file, file.Rules), cancellationToken);
        await RecordAsync(run, result, cancellationToken);
        logger.LogError("Silver failed on {Source}: {Message} (run {RunId})", run.Source, message, run.RunId);
        return result;
    }

    private List<QualityEvent> QualityEvents(Run run, DataContract contract, SilverFileResult file, IReadOnlyList<RuleResult> rules)
    {
        var now = time.GetUtcNow();
        var table = SilverTables.TableFor(contract.Route).ToString();
        var events = rules.Select(r => new QualityEvent
        {
            RunId = run.RunId,
            LineageId = run.Name.LineageId,
            TableName = table,
            Rule = r.Rule,
            Severity = r.Severity,
            Column = r.Column,
            Outcome = r.Outcome,
            RowsChecked = r.RowsChecked,
            Violations = r.Violations,
            Message = r.Rule == file.RejectedRule ? file.RejectedReason : null,
            RecordedAt = now,
        }).ToList();
        if (contract.PrimaryKey.Count > 0)
        {
            events.Add(new QualityEvent
            {
                RunId = run.RunId,
                LineageId = run.Name.LineageId,
                TableName = table,
                Rule = $"latest_wins({string.Join(",", contract.PrimaryKey)})",
                Severity = "drop",
                Column = contract.PrimaryKey[0],
                Outcome = file.Counts.Duplicates == 0 ? "passed" : "dropped",
                RowsChecked = file.Counts.Read,
                Violations = file.Counts.Duplicates,
                Message = file.Counts.Duplicates == 0 ? null : "Older versions of a key within the file were superseded by the latest one.",
                RecordedAt = now,
            });
        }

        if (file.AddedColumns.Count > 0 || file.RejectedRule?.StartsWith("schema_drift", StringComparison.Ordinal) == true)
        {
            var rejected = file.RejectedRule?.StartsWith("schema_drift", StringComparison.Ordinal) == true;
            events.Add(new QualityEvent
            {
                RunId = run.RunId,
                LineageId = run.Name.LineageId,
                TableName = table,
                Rule = rejected ? file.RejectedRule! : "schema_drift",
                Severity = rejected ? "fail" : "warn",
                Outcome = rejected ? "failed" : "warned",
                RowsChecked = file.Counts.Read,
                Message = rejected ? file.RejectedReason : $"Columns not in the contract: {string.Join(", ", file.AddedColumns)}; {(file.CarriedColumns.Count > 0 ? "carried as text" : "left out")}.",
                RecordedAt = now,
            });
        }

        return events;
    }

    private async Task EnsureAsync(string dataset, TableSchema schema, CancellationToken cancellationToken)
    {
        var key = $"{schema.Id}|{string.Join(',', schema.Columns.Select(c => c.Name))}";
        if (_ensured.ContainsKey(key))
        {
            return;
        }

        await warehouse.EnsureDatasetAsync(dataset, cancellationToken);
        await warehouse.EnsureTableAsync(schema, cancellationToken);
        _ensured.TryAdd(key, true);
    }

    private async Task<SilverResult> RecordAsync(Run run, SilverResult result, CancellationToken cancellationToken)
    {
        await ops.RecordRunAsync(new RunRecord
        {
            RunId = run.RunId,
            Function = FunctionName,
            Status = result.Status,
            Domain = run.Route.Domain,
            Table = run.Route.Table,
            SourceUri = run.BronzeUri,
            SourceGeneration = run.Request.Generation,
            LineageId = run.Name.LineageId,
            EventId = run.Request.EventId,
            RowsRead = result.Counts?.Read ?? 0,
            RowsWritten = result.Counts?.Published ?? 0,
            RowsQuarantined = result.Counts?.Quarantined ?? 0,
            RowsDuplicate = result.Counts?.Duplicates ?? 0,
            StartedAt = run.StartedAt,
            FinishedAt = time.GetUtcNow(),
            Message = result.Message,
            Warnings = result.Warnings,
            Outputs = new[] { result.SilverUri, result.QuarantineUri }.OfType<string>().ToList(),
        }, cancellationToken);
        return result;
    }

    /// <summary>Gives the claim back and records the failed run; neither may hide the original failure.</summary>
    private async Task RecordFailureAsync(Run run, Exception failure, EventClaim? claim)
    {
        logger.LogError(failure, "Silver failed on {Source} (run {RunId}); {Next}", run.Source, run.RunId, claim is null ? "replay it again" : "the event will be delivered again");
        try
        {
            if (claim is not null)
            {
                await claims.ReleaseAsync(claim, CancellationToken.None);
            }

            await RecordAsync(run, Result(run, RunStatus.Failed, $"{failure.GetType().Name}: {failure.Message}"), CancellationToken.None);
        }
        catch (Exception secondary)
        {
            logger.LogWarning(secondary, "Silver could not release the claim or record the failed run {RunId}", run.RunId);
        }
    }

    private static SilverResult Result(Run run, string status, string? message) => new()
    {
        Status = status,
        RunId = run.RunId,
        BronzeUri = run.BronzeUri,
        Route = run.Route,
        LineageId = run.Name.LineageId,
        Message = message,
    };

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record Run(SilverRequest Request, string RunId, DateTimeOffset StartedAt, bool Replay)
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly List<string> _phases = [];
        private TimeSpan _last;

        /// <summary>Where the time went, for the log: "download 12 ms, engine 840 ms, ...".</summary>
        public string Phases => string.Join(", ", _phases);

        /// <summary>Ends a phase of the run.</summary>
        public void Mark(string phase)
        {
            var now = _clock.Elapsed;
            _phases.Add(string.Create(CultureInfo.InvariantCulture, $"{phase} {(now - _last).TotalMilliseconds:F0} ms"));
            _last = now;
        }

        public BronzeObjectName Name { get; } = LakePaths.ParseBronze(Request.Name)!;

        public TableRoute Route => new(Name.Domain, Name.Table);

        public string BronzeUri => ObjectRef.ToUri(Request.Bucket, Request.Name);

        public string Source => new ObjectRef(Request.Bucket, Request.Name, Request.Generation).ToString();
    }
}
