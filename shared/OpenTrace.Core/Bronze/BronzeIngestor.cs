using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Claims;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Bronze;

/// <summary>One object generation to ingest.</summary>
/// <param name="Bucket">The bronze bucket.</param>
/// <param name="Name">Object name, e.g. <c>olist/orders/2024-01.csv</c>.</param>
/// <param name="Generation">The generation the event announced.</param>
/// <param name="EventId">Id of the CloudEvent that announced it, for the run record; null when not event-driven.</param>
public sealed record BronzeRequest(string Bucket, string Name, long Generation, string? EventId = null);

/// <summary>What one ingestion did.</summary>
public sealed record BronzeResult
{
    /// <summary>One of <see cref="RunStatus"/>: succeeded, quarantined, duplicate or skipped.</summary>
    public required string Status { get; init; }

    /// <summary>The run id recorded in <c>ops.runs</c>.</summary>
    public required string RunId { get; init; }

    /// <summary>Lineage id of the source object generation.</summary>
    public required string LineageId { get; init; }

    /// <summary><c>gs://bucket/name</c> of the source.</summary>
    public required string SourceUri { get; init; }

    /// <summary>The table the file routes to; null when it routes nowhere.</summary>
    public TableRoute? Route { get; init; }

    /// <summary>The bronze warehouse table; null when nothing was loaded.</summary>
    public TableId? Table { get; init; }

    /// <summary>What the source turned out to be; null when it could not be read.</summary>
    public SourceDescription? Source { get; init; }

    /// <summary>Data rows read from the source.</summary>
    public long RowsRead { get; init; }

    /// <summary>Rows in the bronze table from this file (all of them: bronze drops nothing).</summary>
    public long RowsWritten { get; init; }

    /// <summary>Rows kept with a <see cref="Lineage.RowIssue"/>.</summary>
    public long FlaggedRows { get; init; }

    /// <summary>Bytes read from the source object.</summary>
    public long BytesRead { get; init; }

    /// <summary>The bronze Parquet object, <c>gs://lake/bronze/...</c>; null when none was written.</summary>
    public string? OutputUri { get; init; }

    /// <summary>The rule that quarantined the file (one of <see cref="BronzeRules"/>); null otherwise.</summary>
    public string? QuarantineRule { get; init; }

    /// <summary>The quarantine reason, or what the duplicate or skip means; null on success.</summary>
    public string? Message { get; init; }

    /// <summary>Warnings recorded with the run (encoding fallback, flagged rows); empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// The bronze use case: claims the object generation, reads it whatever its format, writes bronze Parquet to the
/// lake bucket, appends it to <c>bronze.&lt;domain&gt;__&lt;table&gt;</c> and records the run. A file that can never be
/// read is quarantined and the call returns normally; a transient failure releases the claim and throws so the
/// event is delivered again; a second delivery of a finished event records a duplicate run and does nothing else.
/// </summary>
public sealed class BronzeIngestor(
    IObjectStore store,
    IWarehouse warehouse,
    OpsLog ops,
    EventClaims claims,
    PipelineCatalog catalog,
    IOptions<OpenTraceOptions> options,
    TimeProvider time,
    ILogger<BronzeIngestor> logger)
{
    /// <summary>The function name in claims and <c>ops.runs</c>.</summary>
    public const string FunctionName = "bronze";

    private const string ParquetContentType = "application/vnd.apache.parquet";

    private volatile bool _datasetReady;

    /// <summary>
    /// Ingests one object generation. Returns the outcome for succeeded, quarantined, duplicate and skipped runs.
    /// Throws <see cref="TransientException"/> when another delivery is ingesting the same generation right now, and
    /// rethrows any failure of the store, warehouse or document store after releasing the claim.
    /// </summary>
    public async Task<BronzeResult> IngestAsync(BronzeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Bucket);
        ArgumentException.ThrowIfNullOrEmpty(request.Name);
        var run = new RunContext(request, Guid.CreateVersion7().ToString("N"), time.GetUtcNow());
        var key = EventClaims.KeyFor(FunctionName, request.Bucket, request.Name, request.Generation);
        var claim = await claims.TryClaimAsync(key, run.RunId, cancellationToken);
        if (claim.AlreadyDone)
        {
            return await RecordDuplicateAsync(run, claim, cancellationToken);
        }

        if (claim.Claim is not { } held)
        {
            throw new TransientException(string.Create(CultureInfo.InvariantCulture,
                $"{run.Source} is being ingested by run {claim.HeldBy} (lease until {claim.HeldUntil:O}); deliver the event again later."));
        }

        // Every attempt at this generation stamps the same ingest time, so a retry on another day writes the same object.
        run = run with { IngestedAt = held.FirstClaimedAt };
        BronzeResult result;
        try
        {
            result = await ProcessAsync(run, cancellationToken);
        }
        catch (Exception ex)
        {
            await ReleaseAfterFailureAsync(run, held, ex);
            throw;
        }

        await claims.CompleteAsync(held, result.Status, cancellationToken);
        return result;
    }

    private async Task<BronzeResult> ProcessAsync(RunContext run, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var route = catalog.Router.Route(request.Name);
        if (route is null)
        {
            var reason = new UnreadableFileException(
                $"the object name does not say which table it belongs to. {TableRouter.RoutingHint}", run.Lineage.SourceUri, BronzeRules.Unroutable);
            return await QuarantineAsync(run, route, reason, cancellationToken);
        }

        string fingerprint;
        try
        {
            fingerprint = await FingerprintAsync(request, cancellationToken);
        }
        catch (ObjectNotFoundException ex)
        {
            return await RecordSkippedAsync(run, route, $"{ex.Message} It was overwritten or deleted before bronze could read it; nothing to ingest.", cancellationToken);
        }

        // The same bytes dropped again (another name or generation) add nothing to an append-only layer.
        var contentKey = $"{FunctionName}-content:{route}:{fingerprint}";
        var content = await claims.TryClaimAsync(contentKey, run.RunId, cancellationToken);
        if (content.AlreadyDone)
        {
            return await RecordDuplicateAsync(run, content, cancellationToken,
                $"{run.Source} has the same content ({fingerprint}) as a file already ingested into {BronzeTable.TableFor(route)} by run {content.HeldBy}; nothing was loaded again.");
        }

        if (content.Claim is not { } contentClaim)
        {
            throw new TransientException($"A file with the same content as {run.Source} is being ingested by run {content.HeldBy}; deliver the event again later.");
        }

        BronzeResult result;
        try
        {
            result = await ConvertAndLoadAsync(run, route, cancellationToken);
        }
        catch
        {
            await claims.ReleaseAsync(contentClaim, CancellationToken.None);
            throw;
        }

        if (result.Status == RunStatus.Succeeded)
        {
            await claims.CompleteAsync(contentClaim, result.Status, cancellationToken);
        }
        else
        {
            // a quarantined or skipped file may succeed when dropped again after a fix (a new contract, a new route)
            await claims.ReleaseAsync(contentClaim, cancellationToken);
        }

        return result;
    }

    /// <summary>
    /// What identifies the content: the store's MD5 (or CRC32C and size) of this generation when it keeps one, else a
    /// SHA-256 of the bytes.
    /// </summary>
    private async Task<string> FingerprintAsync(BronzeRequest request, CancellationToken cancellationToken)
    {
        var info = await store.GetAsync(request.Bucket, request.Name, cancellationToken);
        if (info is not null && info.Generation == request.Generation)
        {
            if (info.Md5Hash is { Length: > 0 } md5)
            {
                return $"md5:{md5}";
            }

            if (info.Crc32c is { Length: > 0 } crc)
            {
                return string.Create(CultureInfo.InvariantCulture, $"crc32c:{crc}:{info.Size}");
            }
        }

        await using var stream = await store.OpenReadAsync(request.Bucket, request.Name, request.Generation, cancellationToken);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }

        return $"sha256:{Convert.ToHexStringLower(sha.GetHashAndReset())}";
    }

    private async Task<BronzeResult> ConvertAndLoadAsync(RunContext run, TableRoute route, CancellationToken cancellationToken)
    {
        var request = run.Request;
        var table = BronzeTable.TableFor(route);
        var localPath = Path.Combine(Path.GetTempPath(), $"opentrace-bronze-{run.RunId}.parquet");
        try
        {
            BronzeFileResult file;
            try
            {
                var source = new BronzeSource(run.Lineage.SourceUri, ct => store.OpenReadAsync(request.Bucket, request.Name, request.Generation, ct));
                file = await BronzeConverter.ConvertAsync(source, run.Lineage, localPath, cancellationToken);
            }
            catch (UnreadableFileException ex)
            {
                return await QuarantineAsync(run, route, ex, cancellationToken);
            }
            catch (ObjectNotFoundException ex)
            {
                return await RecordSkippedAsync(run, route, $"{ex.Message} It was overwritten or deleted before bronze could read it; nothing to ingest.", cancellationToken);
            }

            var warnings = new List<string>(file.Warnings);
            var output = await UploadAsync(run, route, localPath, warnings, cancellationToken);
            var schema = BronzeTable.Schema(table, file.Columns);
            await EnsureDatasetAsync(cancellationToken);

            // The load creates the table or adds the columns it lacks. Bronze objects are written create-only and never
            // changed, so the warehouse may read them in place (the local DuckDB warehouse does; BigQuery loads them).
            var load = await warehouse.LoadParquetAsync(new LoadRequest(table, [output], LoadJobId(run.Lineage.LineageId), schema, SourcesImmutable: true), cancellationToken);
            if (load.AlreadyDone)
            {
                warnings.Add($"Load job {load.JobId} had already run (an earlier delivery); its rows were not loaded again.");
            }

            var result = new BronzeResult
            {
                Status = RunStatus.Succeeded,
                RunId = run.RunId,
                LineageId = run.Lineage.LineageId,
                SourceUri = run.Lineage.SourceUri,
                Route = route,
                Table = table,
                Source = file.Source,
                RowsRead = file.Rows,
                RowsWritten = file.Rows,
                FlaggedRows = file.FlaggedRows,
                BytesRead = file.BytesRead,
                OutputUri = output.Uri,
                Warnings = warnings,
            };
            await ops.RecordRunAsync(RunRecordFor(run, result, $"{file.Rows} rows from {file.Source} into {table}."), cancellationToken);
            logger.LogInformation("Bronze ingested {Source}: {Rows} rows ({Format}) into {Table}, {Flagged} flagged, run {RunId}",
                run.Source, file.Rows, file.Source.ToString(), table.ToString(), file.FlaggedRows, run.RunId);
            return result;
        }
        finally
        {
            File.Delete(localPath);
        }
    }

    /// <summary>The load job id for a lineage id: deterministic, so a second load of the same file is refused.</summary>
    public static string LoadJobId(string lineageId) => $"{FunctionName}_{lineageId}";

    private async Task<ObjectRef> UploadAsync(RunContext run, TableRoute route, string localPath, List<string> warnings, CancellationToken cancellationToken)
    {
        var lake = options.Value.LakeBucket;
        var name = LakePaths.Bronze(route.Domain, route.Table, DateOnly.FromDateTime(run.Lineage.IngestedAt.UtcDateTime), run.Lineage.LineageId);
        var writeOptions = new ObjectWriteOptions
        {
            IfGenerationMatch = 0,
            ContentType = ParquetContentType,
            Metadata = new Dictionary<string, string>
            {
                ["lineage_id"] = run.Lineage.LineageId,
                ["source_uri"] = run.Lineage.SourceUri,
                ["source_generation"] = run.Request.Generation.ToString(CultureInfo.InvariantCulture),
                ["run_id"] = run.RunId,
            },
        };
        try
        {
            var written = await store.UploadFromFileAsync(lake, name, localPath, writeOptions, cancellationToken);
            return written.Ref;
        }
        catch (PreconditionFailedException)
        {
            // An earlier delivery wrote this object and stopped before finishing; its content is the same file.
            warnings.Add($"{ObjectRef.ToUri(lake, name)} already existed (written by an earlier delivery); it was kept.");
            return new ObjectRef(lake, name);
        }
    }

    private async Task EnsureDatasetAsync(CancellationToken cancellationToken)
    {
        if (_datasetReady)
        {
            return;
        }

        await warehouse.EnsureDatasetAsync(Datasets.Bronze, cancellationToken);
        _datasetReady = true;
    }

    private async Task<BronzeResult> QuarantineAsync(RunContext run, TableRoute? route, UnreadableFileException reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await ops.RecordQuarantineAsync(
        [
            new QuarantineRecord
            {
                QuarantineId = Guid.CreateVersion7().ToString("N"),
                RunId = run.RunId,
                Layer = Datasets.Bronze,
                Kind = "file",
                Domain = route?.Domain,
                Table = route?.Table,
                SourceUri = run.Lineage.SourceUri,
                SourceGeneration = run.Request.Generation,
                LineageId = run.Lineage.LineageId,
                RowNumber = reason.Row,
                Rule = reason.Rule ?? BronzeRules.Empty,
                Reason = reason.Message,
                ObjectUri = new ObjectRef(run.Request.Bucket, run.Request.Name, run.Request.Generation).ToString(),
                RecordedAt = now,
            },
        ], cancellationToken);
        var result = new BronzeResult
        {
            Status = RunStatus.Quarantined,
            RunId = run.RunId,
            LineageId = run.Lineage.LineageId,
            SourceUri = run.Lineage.SourceUri,
            Route = route,
            QuarantineRule = reason.Rule,
            Message = reason.Message,
        };
        await ops.RecordRunAsync(RunRecordFor(run, result, reason.Message), cancellationToken);
        logger.LogWarning("Bronze quarantined {Source}: {Reason} (run {RunId})", run.Source, reason.Message, run.RunId);
        return result;
    }

    private async Task<BronzeResult> RecordSkippedAsync(RunContext run, TableRoute? route, string message, CancellationToken cancellationToken)
    {
        var result = new BronzeResult
        {
            Status = RunStatus.Skipped,
            RunId = run.RunId,
            LineageId = run.Lineage.LineageId,
            SourceUri = run.Lineage.SourceUri,
            Route = route,
            Message = message,
        };
        await ops.RecordRunAsync(RunRecordFor(run, result, message), cancellationToken);
        logger.LogWarning("Bronze skipped {Source}: {Message} (run {RunId})", run.Source, message, run.RunId);
        return result;
    }

    private async Task<BronzeResult> RecordDuplicateAsync(RunContext run, ClaimResult claim, CancellationToken cancellationToken, string? message = null)
    {
        message ??= $"{run.Source} was already ingested by run {claim.HeldBy} (outcome: {claim.PreviousOutcome}); nothing was done again.";
        var result = new BronzeResult
        {
            Status = RunStatus.Duplicate,
            RunId = run.RunId,
            LineageId = run.Lineage.LineageId,
            SourceUri = run.Lineage.SourceUri,
            Route = catalog.Router.Route(run.Request.Name),
            Message = message,
        };
        await ops.RecordRunAsync(RunRecordFor(run, result, message), cancellationToken);
        logger.LogInformation("Bronze duplicate delivery of {Source}: already done by run {Owner}", run.Source, claim.HeldBy);
        return result;
    }

    /// <summary>Gives the claim back and records the failed run; neither may hide the original failure.</summary>
    private async Task ReleaseAfterFailureAsync(RunContext run, EventClaim held, Exception failure)
    {
        logger.LogError(failure, "Bronze failed on {Source} (run {RunId}); the event will be delivered again", run.Source, run.RunId);
        try
        {
            await claims.ReleaseAsync(held, CancellationToken.None);
            var result = new BronzeResult
            {
                Status = RunStatus.Failed,
                RunId = run.RunId,
                LineageId = run.Lineage.LineageId,
                SourceUri = run.Lineage.SourceUri,
                Route = catalog.Router.Route(run.Request.Name),
                Message = failure.Message,
            };
            await ops.RecordRunAsync(RunRecordFor(run, result, $"{failure.GetType().Name}: {failure.Message}"), CancellationToken.None);
        }
        catch (Exception secondary)
        {
            logger.LogWarning(secondary, "Bronze could not release the claim or record the failed run {RunId}", run.RunId);
        }
    }

    private RunRecord RunRecordFor(RunContext run, BronzeResult result, string? message) => new()
    {
        RunId = run.RunId,
        Function = FunctionName,
        Status = result.Status,
        Domain = result.Route?.Domain,
        Table = result.Route?.Table,
        SourceUri = run.Lineage.SourceUri,
        SourceGeneration = run.Request.Generation,
        LineageId = run.Lineage.LineageId,
        EventId = run.Request.EventId,
        RowsRead = result.RowsRead,
        RowsWritten = result.RowsWritten,
        BytesRead = result.BytesRead,
        StartedAt = run.StartedAt,
        FinishedAt = time.GetUtcNow(),
        Message = message,
        Warnings = result.Warnings,
        Outputs = result.OutputUri is null ? [] : [result.OutputUri],
    };

    private sealed record RunContext(BronzeRequest Request, string RunId, DateTimeOffset StartedAt)
    {
        public DateTimeOffset IngestedAt { get; init; } = StartedAt;

        public BronzeLineage Lineage => BronzeLineage.For(Request.Bucket, Request.Name, Request.Generation, IngestedAt);

        public string Source => new ObjectRef(Request.Bucket, Request.Name, Request.Generation).ToString();
    }
}
