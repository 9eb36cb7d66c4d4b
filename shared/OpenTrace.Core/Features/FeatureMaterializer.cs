using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Features;

/// <summary>Sizes of a materialisation's batches.</summary>
public sealed record FeatureMaterializerOptions
{
    /// <summary>Rows per offline Parquet chunk (what is held in memory at once). Default 50,000.</summary>
    public int ChunkRows { get; init; } = 50_000;

    /// <summary>Online documents per batch write. Default <see cref="OnlineFeatureStore.BatchSize"/>.</summary>
    public int OnlineBatch { get; init; } = OnlineFeatureStore.BatchSize;
}

/// <summary>
/// Materialises feature groups: for each selected group, computes the rows with event times after its watermark
/// (less its late window; the whole history on a first run or when asked), appends those not already stored to the
/// offline table <c>features.&lt;group&gt;</c> in bounded chunks, and writes the latest row of every entity it touched
/// to the online store in batches. The watermark (the latest event time stored) moves only when the group succeeded.
/// A group whose definition changed is rebuilt from scratch. Records a run in <c>ops.runs</c> and one row per group
/// in <c>ops.feature_materializations</c>.
/// </summary>
public sealed class FeatureMaterializer
{
    /// <summary>Function name in <c>ops.runs</c>.</summary>
    public const string FunctionName = "features";

    private readonly FeatureCatalog _catalog;
    private readonly IWarehouse _warehouse;
    private readonly IObjectStore _objects;
    private readonly OnlineFeatureStore _online;
    private readonly OpsLog _ops;
    private readonly FeatureOpsStore _featureOps;
    private readonly string _lakeBucket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FeatureMaterializerOptions _options;
    private readonly FeatureSql _sql;

    /// <summary>Creates a materialiser writing chunks to <paramref name="lakeBucket"/> under <c>features/</c>.</summary>
    public FeatureMaterializer(
        FeatureCatalog catalog,
        IWarehouse warehouse,
        IObjectStore objects,
        IDocumentStore documents,
        OpsLog ops,
        FeatureOpsStore featureOps,
        string lakeBucket,
        TimeProvider? time = null,
        ILogger<FeatureMaterializer>? logger = null,
        FeatureMaterializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(featureOps);
        ArgumentException.ThrowIfNullOrEmpty(lakeBucket);
        _catalog = catalog;
        _warehouse = warehouse;
        _objects = objects;
        _time = time ?? TimeProvider.System;
        _online = new OnlineFeatureStore(documents, _time);
        _ops = ops;
        _featureOps = featureOps;
        _lakeBucket = lakeBucket;
        _logger = logger ?? NullLogger<FeatureMaterializer>.Instance;
        _options = options ?? new FeatureMaterializerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ChunkRows, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.OnlineBatch, 1, nameof(options));
        _sql = new FeatureSql(warehouse.Dialect);
    }

    /// <summary>The catalog materialised.</summary>
    public FeatureCatalog Catalog => _catalog;

    /// <summary>
    /// Materialises the selected groups. A group that fails is a result (<c>failed</c>, its watermark unchanged) and the
    /// others still run; a transient failure (<see cref="TransientException"/>, a transient
    /// <see cref="WarehouseException"/>) is recorded and rethrown so the scheduler retries. Throws
    /// <see cref="OpenTraceException"/> (rule <c>select</c>) for an unknown group.
    /// </summary>
    public async Task<FeatureRunResult> RunAsync(FeatureRunRequest? request = null, IProgress<FeatureProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        request ??= new FeatureRunRequest();
        var groups = _catalog.SelectGroups(request.Select);
        var startedAt = _time.GetUtcNow();
        var runId = "features-" + startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var results = new List<FeatureGroupResult>();
        try
        {
            await _warehouse.EnsureDatasetAsync(Datasets.Features, cancellationToken);
            await _ops.EnsureAsync(cancellationToken);
            var watermarks = await _featureOps.ReadWatermarksAsync(cancellationToken);
            for (var i = 0; i < groups.Count; i++)
            {
                var group = groups[i];
                var index = i;
                void Stage(string stage) => progress?.Report(new FeatureProgress(group.Name, index, groups.Count, stage));
                var result = await RunGroupAsync(runId, group, watermarks.GetValueOrDefault(group.Name), request.FullRefresh, Stage, cancellationToken);
                results.Add(result);
                progress?.Report(new FeatureProgress(group.Name, index, groups.Count, result.Status, result));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            try
            {
                await FinishAsync(runId, request, results, startedAt, ex.Message, CancellationToken.None);
            }
            catch (Exception recording) when (recording is not OperationCanceledException)
            {
                _logger.LogError(recording, "Features run {RunId} could not be recorded in ops after it failed.", runId);
            }

            throw;
        }

        return await FinishAsync(runId, request, results, startedAt, failure: null, cancellationToken);
    }

    /// <summary>A short hash of what decides a group's rows: its rendered query and its offline columns.</summary>
    public string DefinitionHash(FeatureGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var text = new StringBuilder(_sql.History(group));
        foreach (var column in group.OfflineSchema().Columns)
        {
            text.Append('\n').Append(column.Name).Append(':').Append(column.Type);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private async Task<FeatureGroupResult> RunGroupAsync(
        string runId, FeatureGroup group, FeatureWatermark? previous, bool fullRefresh, Action<string> stage, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var materializedAt = new DateTimeOffset(startedAt.UtcTicks - (startedAt.UtcTicks % 10), TimeSpan.Zero); // warehouse timestamps hold microseconds
        var hash = DefinitionHash(group);
        var existing = await _warehouse.GetTableAsync(group.OfflineTable, cancellationToken);
        var (mode, reason) = Decide(group, previous, hash, existing is not null, fullRefresh);
        var result = new FeatureGroupResult
        {
            Group = group.Name,
            Status = FeatureGroupStatus.Failed,
            Mode = mode,
            Reason = reason,
            DefinitionHash = hash,
            WatermarkBefore = previous?.Watermark,
            Watermark = previous?.Watermark,
            MaterializedAt = materializedAt,
            StartedAt = startedAt,
        };

        var incremental = mode == FeatureMode.Incremental;
        DateTimeOffset? windowStart = incremental && previous?.Watermark is { } mark ? mark - group.LateWindow : null;
        result = result with { WindowStart = windowStart };
        var chunks = new FeatureChunkWriter(group, _objects, _warehouse, _lakeBucket, runId, materializedAt, _options.ChunkRows);
        long late = 0;
        if (await RelationCheck.MissingAsync(_warehouse, group.References, cancellationToken) is { } missing)
        {
            _logger.LogWarning("Feature group {Group} waits: {Reason}", group.Name, missing);
            return result with { Message = missing, FinishedAt = _time.GetUtcNow() };
        }

        try
        {
            if (mode == FeatureMode.Rebuild && existing is not null)
            {
                await _warehouse.ExecuteAsync($"DROP TABLE IF EXISTS {_sql.Table(group.OfflineTable)}", cancellationToken: cancellationToken);
                existing = null;
            }

            await _warehouse.EnsureTableAsync(chunks.Schema, cancellationToken);
            var hasWatermark = mode != FeatureMode.Rebuild && previous?.Watermark is not null;
            var window = new ChangeWindow(HasStart: windowStart is not null, HasWatermark: hasWatermark, CompareExisting: existing is not null);
            var parameters = new Dictionary<string, object?>();
            if (window.HasStart)
            {
                parameters["from"] = windowStart;
            }

            if (window.HasWatermark)
            {
                parameters["watermark"] = previous!.Watermark;
                parameters["now"] = materializedAt;
            }

            stage(windowStart is null ? "computing the history" : $"computing event times after {windowStart:yyyy-MM-dd HH:mm:ss}Z");
            await foreach (var row in _warehouse.QueryAsync(_sql.Changes(group, window), parameters, cancellationToken))
            {
                late += row.Get<long>(FeatureSql.LateColumn);
                await chunks.AddAsync(row, cancellationToken);
                if (chunks.RowsWritten > 0 && chunks.RowsWritten % chunks.ChunkRows == 0)
                {
                    stage(string.Create(CultureInfo.InvariantCulture, $"offline: {chunks.Chunks} chunks, {chunks.RowsWritten:N0} rows"));
                }
            }

            await chunks.FlushAsync(cancellationToken);
            stage(string.Create(CultureInfo.InvariantCulture, $"online: latest values ({chunks.RowsWritten:N0} rows appended)"));
            var since = mode == FeatureMode.Incremental ? previous?.MaterializedAt : null;
            var online = await WriteOnlineAsync(group, since, windowStart, cancellationToken);
            var watermark = await LatestEventAsync(group, cancellationToken);
            return result with
            {
                Status = chunks.RowsWritten == 0 && online == 0 ? FeatureGroupStatus.UpToDate : FeatureGroupStatus.Succeeded,
                Watermark = watermark,
                RowsWritten = chunks.RowsWritten,
                LateRows = late,
                Chunks = chunks.Chunks,
                OnlineWritten = online,
                FinishedAt = _time.GetUtcNow(),
            };
        }
        catch (Exception ex) when (IsGroupFailure(ex))
        {
            // A result, recorded in ops and answered to the caller; the stack trace adds nothing to the engine's message.
            _logger.LogError("Feature group {Group} failed: {Reason}", group.Name, ex.Message);
            return result with
            {
                RowsWritten = chunks.RowsWritten,
                LateRows = late,
                Chunks = chunks.Chunks,
                Message = ex.Message,
                FinishedAt = _time.GetUtcNow(),
            };
        }
    }

    private static bool IsGroupFailure(Exception ex) => ex switch
    {
        WarehouseException warehouse => !warehouse.IsTransient,
        OpenTraceException => true,
        _ => false,
    };

    private static (string Mode, string Reason) Decide(FeatureGroup group, FeatureWatermark? previous, string hash, bool tableExists, bool fullRefresh)
    {
        if (previous is null || !tableExists)
        {
            return (FeatureMode.Full, previous is null ? "first materialisation" : $"table {group.OfflineTable} is missing");
        }

        if (previous.DefinitionHash != hash)
        {
            return (FeatureMode.Rebuild, "definition changed: the history is rebuilt");
        }

        if (fullRefresh)
        {
            return (FeatureMode.Full, "full refresh requested: the whole history is recomputed, only changed rows are appended");
        }

        return previous.Watermark is null
            ? (FeatureMode.Full, "no rows stored yet")
            : (FeatureMode.Incremental, group.LateWindow > TimeSpan.Zero
                ? $"event times after the watermark {previous.Watermark:yyyy-MM-dd HH:mm:ss}Z less the late window {group.LateWindow.TotalDays:0.##}d"
                : $"event times after the watermark {previous.Watermark:yyyy-MM-dd HH:mm:ss}Z");
    }

    /// <summary>Writes the latest row of every entity touched since <paramref name="since"/> (all when null) in batches.</summary>
    private async Task<long> WriteOnlineAsync(FeatureGroup group, DateTimeOffset? since, DateTimeOffset? windowStart, CancellationToken cancellationToken)
    {
        var parameters = new Dictionary<string, object?>();
        if (since is not null)
        {
            parameters["since"] = since;
        }

        if (since is not null && windowStart is not null)
        {
            parameters["from"] = windowStart;
        }

        var sql = _sql.LatestPerEntity(group, sinceFilter: since is not null, fromFilter: since is not null && windowStart is not null);
        var batch = new List<DocumentWrite>(_options.OnlineBatch);
        long written = 0;
        await foreach (var row in _warehouse.QueryAsync(sql, parameters, cancellationToken))
        {
            var values = new Dictionary<string, object?>(group.Features.Count, StringComparer.Ordinal);
            foreach (var feature in group.Features)
            {
                values[feature.Name] = OnlineValue(row[feature.Name], feature);
            }

            var eventTimestamp = row.Get<DateTimeOffset>(FeatureGroup.EventTimestampColumn);
            batch.Add(_online.Write(group, row.Get<string>(group.EntityColumn)!, eventTimestamp, row.Get<DateTimeOffset>(FeatureGroup.CreatedAtColumn), values));
            if (batch.Count == _options.OnlineBatch)
            {
                await _online.WriteAsync(batch, cancellationToken);
                written += batch.Count;
                batch.Clear();
            }
        }

        await _online.WriteAsync(batch, cancellationToken);
        return written + batch.Count;
    }

    private static object? OnlineValue(object? value, FeatureDefinition feature) => value is null ? null : feature.Type.Kind switch
    {
        ColumnType.Float64 => ValueConversion.To<double>(value),
        ColumnType.Int64 => ValueConversion.To<long>(value),
        ColumnType.Bool => ValueConversion.To<bool>(value),
        ColumnType.Timestamp => ValueConversion.To<DateTimeOffset>(value),
        _ => ValueConversion.To<string>(value),
    };

    private async Task<DateTimeOffset?> LatestEventAsync(FeatureGroup group, CancellationToken cancellationToken)
    {
        var sql = $"SELECT MAX({_sql.Column(FeatureGroup.EventTimestampColumn)}) AS {_sql.Column("latest")} FROM {_sql.Table(group.OfflineTable)}";
        await foreach (var row in _warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            return row["latest"] is null ? null : row.Get<DateTimeOffset>("latest");
        }

        return null;
    }

    private async Task<FeatureRunResult> FinishAsync(
        string runId, FeatureRunRequest request, List<FeatureGroupResult> results, DateTimeOffset startedAt, string? failure, CancellationToken cancellationToken)
    {
        var finishedAt = _time.GetUtcNow();
        var failed = results.Count(r => r.Status == FeatureGroupStatus.Failed);
        var written = results.Sum(r => r.RowsWritten);
        var online = results.Sum(r => r.OnlineWritten);
        var status = failure is not null || failed > 0
            ? RunStatus.Failed
            : results.All(r => r.Status == FeatureGroupStatus.UpToDate) ? RunStatus.Skipped : RunStatus.Succeeded;
        var message = failure is not null
            ? $"Features run stopped: {failure}"
            : string.Create(CultureInfo.InvariantCulture,
                $"{results.Count} groups: {results.Count(r => r.Status == FeatureGroupStatus.Succeeded)} materialised, {results.Count(r => r.Status == FeatureGroupStatus.UpToDate)} up to date, {failed} failed; {written:N0} offline rows ({results.Sum(r => r.LateRows):N0} late), {online:N0} online documents.");
        await _featureOps.RecordAsync(runId, results, cancellationToken);
        await _ops.RecordRunAsync(new RunRecord
        {
            RunId = runId,
            Function = FunctionName,
            Status = status,
            RowsWritten = written,
            StartedAt = startedAt,
            FinishedAt = finishedAt,
            Message = message,
            EventId = request.Trigger,
            Warnings = results.Where(r => r.Status == FeatureGroupStatus.Failed).Select(r => $"{r.Group}: {r.Message}").ToList(),
            Outputs = results.Where(r => r.Chunks > 0).Select(r => $"gs://{_lakeBucket}/{LakePaths.FeaturesPrefix}{_catalog.FindGroup(r.Group)!.Domain}/{r.Group}/{runId}/").ToList(),
        }, cancellationToken);
        return new FeatureRunResult(runId, status, message, results, startedAt, finishedAt);
    }
}
