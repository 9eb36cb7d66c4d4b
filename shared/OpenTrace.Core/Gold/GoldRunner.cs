using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Runs gold: for each selected model in dependency order, decides from its watermark whether its inputs changed,
/// builds it into <c>gold_staging</c>, runs its tests there, and only when every error-severity test passes swaps it
/// into <c>gold</c> (write-audit-publish) and exports it to the lake. Records a run in <c>ops.runs</c>, every check in
/// <c>ops.quality_events</c>, one row per model in <c>ops.gold_builds</c> and failing tests with a sample of failing
/// rows in <c>ops.gold_test_failures</c>. A model whose tests fail leaves the previous gold table as it was.
/// </summary>
public sealed class GoldRunner
{
    /// <summary>Function name in <c>ops.runs</c>.</summary>
    public const string FunctionName = "gold";

    /// <summary>An incremental build listing more changed input files than this rebuilds in full instead.</summary>
    public const int MaxChangedLineageIds = 1000;

    private static readonly JsonSerializerOptions SampleJson = new() { WriteIndented = false };

    private readonly GoldProject _project;
    private readonly IWarehouse _warehouse;
    private readonly OpsLog _ops;
    private readonly GoldOpsStore _goldOps;
    private readonly GoldParquetExporter _exporter;
    private readonly string _lakeBucket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GoldSql _sql;

    /// <summary>Creates a runner; <paramref name="lakeBucket"/> receives the Parquet exports under <c>gold/</c>.</summary>
    public GoldRunner(
        GoldProject project,
        IWarehouse warehouse,
        IObjectStore objects,
        OpsLog ops,
        GoldOpsStore goldOps,
        string lakeBucket,
        TimeProvider? time = null,
        ILogger<GoldRunner>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(goldOps);
        ArgumentException.ThrowIfNullOrEmpty(lakeBucket);
        _project = project;
        _warehouse = warehouse;
        _ops = ops;
        _goldOps = goldOps;
        _exporter = new GoldParquetExporter(warehouse, objects);
        _lakeBucket = lakeBucket;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger<GoldRunner>.Instance;
        _sql = new GoldSql(project, warehouse.Dialect);
    }

    /// <summary>The project this runner builds.</summary>
    public GoldProject Project => _project;

    /// <summary>
    /// Runs the selected models. Model and test failures are results, not exceptions; a failure that retrying may fix
    /// (<see cref="TransientException"/>, a transient <see cref="WarehouseException"/>) is recorded and rethrown.
    /// Throws <see cref="OpenTraceException"/> for a selector naming no model.
    /// </summary>
    public async Task<GoldRunResult> RunAsync(GoldRunRequest? request = null, IProgress<GoldProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        request ??= new GoldRunRequest();
        var selected = _project.Select(request.Select);
        var run = new RunState(NewRunId(), _time.GetUtcNow());
        _logger.LogInformation("Gold run {RunId}: {Count} models selected ({Select}).", run.RunId, selected.Count, request.Select ?? "all");
        try
        {
            await _warehouse.EnsureDatasetAsync(Datasets.Gold, cancellationToken);
            await _warehouse.EnsureDatasetAsync(GoldSql.StagingDataset, cancellationToken);
            await _goldOps.EnsureAsync(cancellationToken);
            var watermarks = await _goldOps.ReadWatermarksAsync(_sql, cancellationToken);
            await CheckSourcesAsync(run, selected, cancellationToken);
            for (var i = 0; i < selected.Count; i++)
            {
                var model = selected[i];
                var result = await RunModelAsync(run, model, watermarks, request, stage => progress?.Report(new GoldProgress(model.Name, i, selected.Count, stage)), cancellationToken);
                run.Results[model.Name] = result;
                progress?.Report(new GoldProgress(model.Name, i, selected.Count, result.Status, result));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Record what was done before the failure; a retry continues from the watermarks.
            try
            {
                await FinishAsync(run, selected, request, ex.Message, CancellationToken.None);
            }
            catch (Exception recording) when (recording is not OperationCanceledException)
            {
                _logger.LogError(recording, "Gold run {RunId} could not be recorded in ops after it failed.", run.RunId);
            }

            throw;
        }

        return await FinishAsync(run, selected, request, failure: null, cancellationToken);
    }

    private async Task CheckSourcesAsync(RunState run, IReadOnlyList<GoldModel> selected, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var key in selected.SelectMany(m => m.DependsOnSources).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var source = _project.FindSource(key)!;
            var table = await _warehouse.GetTableAsync(source.TableId, cancellationToken);
            if (table is null)
            {
                run.Sources[key] = new GoldSourceResult(key, "failed", 0, null, $"Table {key} does not exist; the models reading it wait until silver has published it.");
                continue;
            }

            SourceInputState state;
            try
            {
                state = await ReadSourceStateAsync(source, cancellationToken);
            }
            catch (WarehouseException ex) when (!ex.IsTransient)
            {
                run.Sources[key] = new GoldSourceResult(key, "failed", 0, null, $"Cannot read the state of {key} ({source.LineageColumn}, {source.LoadedAtColumn}): {ex.Message}");
                continue;
            }

            run.SourceStates[key] = state;
            run.Sources[key] = Freshness(source, state, now);
        }
    }

    private async Task<SourceInputState> ReadSourceStateAsync(GoldSource source, CancellationToken cancellationToken)
    {
        var lineage = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long rows = 0;
        DateTimeOffset? newest = null;
        await foreach (var row in _warehouse.QueryAsync(_sql.SourceState(source), cancellationToken: cancellationToken))
        {
            var count = row.Get<long>("row_count");
            rows += count;
            lineage[row.Get<string>("lineage_id") ?? string.Empty] = count;
            var loaded = row["max_loaded_at"] is null ? (DateTimeOffset?)null : row.Get<DateTimeOffset>("max_loaded_at");
            if (loaded > newest || newest is null)
            {
                newest = loaded ?? newest;
            }
        }

        return new SourceInputState { Rows = rows, MaxLoadedAt = newest, Lineage = lineage };
    }

    private static GoldSourceResult Freshness(GoldSource source, SourceInputState state, DateTimeOffset now)
    {
        if (source.Freshness is not { } rule)
        {
            return new GoldSourceResult(source.Key, "passed", state.Rows, state.MaxLoadedAt, null);
        }

        if (state.MaxLoadedAt is not { } newest)
        {
            return new GoldSourceResult(source.Key, rule.ErrorAfter is null ? "warned" : "failed", state.Rows, null, $"{source.Key} has no rows with {source.LoadedAtColumn}, so its freshness is unknown.");
        }

        var age = now - newest;
        string Describe(TimeSpan limit, string what) => string.Create(CultureInfo.InvariantCulture, $"Newest row of {source.Key} was loaded {FormatAge(age)} ago ({newest:yyyy-MM-dd HH:mm:ss}Z), more than the {FormatAge(limit)} {what}.");
        if (rule.ErrorAfter is { } error && age > error)
        {
            return new GoldSourceResult(source.Key, "failed", state.Rows, newest, Describe(error, "error_after"));
        }

        return rule.WarnAfter is { } warn && age > warn
            ? new GoldSourceResult(source.Key, "warned", state.Rows, newest, Describe(warn, "warn_after"))
            : new GoldSourceResult(source.Key, "passed", state.Rows, newest, null);
    }

    private async Task<GoldModelResult> RunModelAsync(
        RunState run, GoldModel model, IReadOnlyDictionary<string, GoldWatermark> watermarks, GoldRunRequest request, Action<string> stage, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var startedAt = _time.GetUtcNow();
        var hash = _sql.DefinitionHash(model);
        var blocker = Blocker(run, model, watermarks);
        GoldModelResult result;
        GoldInputState? inputs = null;
        if (blocker is not null)
        {
            result = new GoldModelResult { Model = model.Name, Status = GoldModelStatus.Blocked, Reason = blocker, Message = blocker };
        }
        else
        {
            inputs = InputsOf(run, model, watermarks);
            var previous = watermarks.GetValueOrDefault(model.Name);
            var existing = await _warehouse.GetTableAsync(model.Table, cancellationToken);
            var (mode, reason, changes) = Decide(model, hash, inputs, previous, existing is not null, request.FullRefresh);
            if (mode is null)
            {
                result = new GoldModelResult { Model = model.Name, Status = GoldModelStatus.UpToDate, Reason = reason, BuildId = previous!.BuildId };
            }
            else
            {
                result = await BuildTestPublishAsync(run, model, mode, reason, changes, existing, stage, cancellationToken);
            }
        }

        result = result with { Duration = clock.Elapsed };
        if (result.Status == GoldModelStatus.Published)
        {
            run.Published[model.Name] = new ModelInputState(result.BuildId!, hash);
        }

        run.BuildRows.Add(BuildRow(run, model, result, hash, inputs, startedAt));
        Log(model, result);
        return result;
    }

    private static string? Blocker(RunState run, GoldModel model, IReadOnlyDictionary<string, GoldWatermark> watermarks)
    {
        foreach (var parent in model.DependsOnModels)
        {
            if (run.Results.TryGetValue(parent, out var upstream) && upstream.Status is GoldModelStatus.Failed or GoldModelStatus.Blocked)
            {
                return $"upstream model {parent} {upstream.Status}";
            }

            if (!run.Results.ContainsKey(parent) && !watermarks.ContainsKey(parent))
            {
                return $"upstream model {parent} has never been published; select it too (--select +{model.Name})";
            }
        }

        var source = model.DependsOnSources.FirstOrDefault(s => run.Sources.TryGetValue(s, out var check) && check.Outcome == "failed");
        return source is null ? null : $"source {source}: {run.Sources[source].Message}";
    }

    private GoldInputState InputsOf(RunState run, GoldModel model, IReadOnlyDictionary<string, GoldWatermark> watermarks)
    {
        var inputs = new GoldInputState();
        foreach (var source in model.DependsOnSources)
        {
            inputs.Sources[source] = run.SourceStates[source];
        }

        foreach (var parent in model.DependsOnModels)
        {
            inputs.Models[parent] = run.Published.TryGetValue(parent, out var published)
                ? published
                : new ModelInputState(watermarks[parent].BuildId, watermarks[parent].DefinitionHash);
        }

        return inputs;
    }

    private (string? Mode, string Reason, IncrementalChanges? Changes) Decide(
        GoldModel model, string hash, GoldInputState inputs, GoldWatermark? previous, bool tableExists, bool fullRefresh)
    {
        if (!tableExists)
        {
            return (GoldBuildMode.Full, previous is null ? "first build" : $"table {model.Table} is missing", null);
        }

        if (fullRefresh)
        {
            return (GoldBuildMode.Full, "full refresh requested", null);
        }

        if (previous?.Inputs is null)
        {
            return (GoldBuildMode.Full, "no previous build recorded", null);
        }

        if (previous.DefinitionHash != hash)
        {
            return (GoldBuildMode.Full, "definition changed", null);
        }

        var differences = inputs.Differences(previous.Inputs);
        if (differences.Count == 0)
        {
            return (null, "inputs unchanged since build " + previous.BuildId, null);
        }

        var reason = "inputs changed: " + string.Join(", ", differences);
        if (model.Materialization != Materialization.Incremental)
        {
            return (GoldBuildMode.Full, reason, null);
        }

        var redefined = inputs.Models.FirstOrDefault(m => previous.Inputs.Models.TryGetValue(m.Key, out var before) && before.DefinitionHash != m.Value.DefinitionHash);
        if (redefined.Key is not null)
        {
            return (GoldBuildMode.Full, $"{reason}; the definition of {redefined.Key} changed", null);
        }

        var changed = inputs.Sources.Keys.ToDictionary(k => k, k => inputs.ChangedLineage(k, previous.Inputs), StringComparer.Ordinal);
        var total = changed.Values.Sum(ids => ids.Count);
        return total > MaxChangedLineageIds
            ? (GoldBuildMode.Full, string.Create(CultureInfo.InvariantCulture, $"{reason}; {total} changed input files is more than an incremental build lists"), null)
            : (GoldBuildMode.Incremental, reason, new IncrementalChanges(changed.Where(c => c.Value.Count > 0).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal)));
    }

    private async Task<GoldModelResult> BuildTestPublishAsync(
        RunState run, GoldModel model, string mode, string reason, IncrementalChanges? changes, TableSchema? existing, Action<string> stage, CancellationToken cancellationToken)
    {
        var incremental = mode == GoldBuildMode.Incremental;
        var buildId = $"{run.RunId}.{model.Name}";
        var failed = new GoldModelResult { Model = model.Name, Status = GoldModelStatus.Failed, Mode = mode, Reason = reason, BuildId = buildId };

        stage(incremental ? "building changed partitions" : "building");
        long rows;
        long partitions = 0;
        try
        {
            // A staging table left by a failed build may be partitioned differently; BigQuery would not replace it.
            await _warehouse.ExecuteAsync(_sql.DropStaging(model), cancellationToken: cancellationToken);
            await _warehouse.ExecuteAsync(_sql.Build(model, changes), cancellationToken: cancellationToken);
            foreach (var statement in _sql.DescribeStaging(model))
            {
                await _warehouse.ExecuteAsync(statement, cancellationToken: cancellationToken);
            }

            rows = await ScalarAsync(_sql.RowCount(GoldSql.StagingTable(model)), cancellationToken);
            if (incremental)
            {
                partitions = await ScalarAsync(_sql.StagedPartitionCount(model), cancellationToken);
            }
        }
        catch (WarehouseException ex) when (!ex.IsTransient)
        {
            return failed with { Message = $"{model.Path}: the build failed: {ex.Message}" };
        }

        stage("testing");
        var tests = new List<GoldTestResult>();
        var audited = _sql.Audited(model, incremental);
        foreach (var test in model.Tests)
        {
            tests.Add(await RunTestAsync(run, model, test, audited, cancellationToken));
        }

        var built = failed with { RowsWritten = rows, PartitionsReplaced = partitions, Tests = tests };
        var failing = tests.Where(t => t.Outcome is "failed" or "error").ToList();
        if (failing.Count > 0)
        {
            return built with
            {
                Message = $"{failing.Count} test{(failing.Count == 1 ? string.Empty : "s")} failed ({string.Join(", ", failing.Select(t => t.Name))}); {model.Table} was left as it was and the build stays in {GoldSql.StagingTable(model)} for inspection.",
            };
        }

        stage("publishing");
        try
        {
            if (!incremental && _warehouse.Dialect == SqlDialect.BigQuery && existing is not null && !string.Equals(existing.PartitionBy, model.PartitionBy?.Column, StringComparison.OrdinalIgnoreCase))
            {
                // BigQuery refuses to replace a table with one partitioned differently; this one publish drops first.
                await _warehouse.ExecuteAsync(_sql.DropTable(model.Table), cancellationToken: cancellationToken);
            }

            await _warehouse.ExecuteAsync(_sql.Publish(model, incremental), cancellationToken: cancellationToken);
            await _warehouse.ExecuteAsync(_sql.DropStaging(model), cancellationToken: cancellationToken);
        }
        catch (WarehouseException ex) when (!ex.IsTransient)
        {
            return built with { Message = $"Publishing {model.Table} failed: {ex.Message}" };
        }

        stage("exporting");
        try
        {
            var export = await _exporter.ExportAsync(model, _sql, _lakeBucket, buildId, cancellationToken);
            return built with { Status = GoldModelStatus.Published, ExportUri = export.Uri, Message = null };
        }
        catch (Exception ex) when (!IsTransient(ex) && ex is not OperationCanceledException)
        {
            // The table is published; the lake copy is stale until the next build of this model.
            return built with { Status = GoldModelStatus.Published, Message = $"Published, but the Parquet export to the lake failed: {ex.Message}" };
        }
    }

    private async Task<GoldTestResult> RunTestAsync(RunState run, GoldModel model, ModelTest test, string audited, CancellationToken cancellationToken)
    {
        var severity = test.Severity == TestSeverity.Warn ? "warn" : "error";
        var sample = new List<IReadOnlyDictionary<string, object?>>();
        long failing = 0;
        string outcome;
        string? message = null;
        var query = _sql.SampledTestQuery(model, test, audited);
        try
        {
            await foreach (var row in _warehouse.QueryAsync(query, cancellationToken: cancellationToken))
            {
                failing = row.Get<long>(GoldSql.FailingRowsColumn);
                sample.Add(row.Columns
                    .Select((name, i) => (name, value: row[i]))
                    .Where(c => c.name != GoldSql.FailingRowsColumn)
                    .ToDictionary(c => c.name, c => c.value, StringComparer.Ordinal));
            }

            outcome = failing == 0 ? "passed" : test.Severity == TestSeverity.Warn ? "warned" : "failed";
        }
        catch (WarehouseException ex) when (!ex.IsTransient)
        {
            outcome = "error";
            message = $"{test.Path} line {test.Line.ToString(CultureInfo.InvariantCulture)}: the test query failed: {ex.Message}";
        }

        var result = new GoldTestResult(test.Name, severity, outcome, failing, sample, message);
        run.Quality.Add(new QualityEvent
        {
            RunId = run.RunId,
            TableName = model.Table.ToString(),
            Rule = test.Name,
            Severity = test.Severity == TestSeverity.Warn ? "warn" : "fail",
            Column = test.Column,
            Outcome = outcome == "error" ? "failed" : outcome,
            Violations = failing,
            Message = message ?? (failing == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"{failing} failing rows; sample in {GoldOpsStore.TestFailures}.")),
            RecordedAt = _time.GetUtcNow(),
        });
        if (outcome != "passed")
        {
            run.FailureRows.Add(new Dictionary<string, object?>
            {
                ["run_id"] = run.RunId,
                ["model"] = model.Name,
                ["test"] = test.Name,
                ["severity"] = severity,
                ["column_name"] = test.Column,
                ["failing_rows"] = failing,
                ["sample"] = message ?? JsonSerializer.Serialize(sample.Select(SampleRow).ToList(), SampleJson),
                ["test_sql"] = _sql.TestQuery(model, test, audited),
                ["model_file"] = $"{test.Path}:{test.Line.ToString(CultureInfo.InvariantCulture)}",
                ["recorded_at"] = _time.GetUtcNow(),
            });
        }

        return result;
    }

    private async Task<GoldRunResult> FinishAsync(RunState run, IReadOnlyList<GoldModel> selected, GoldRunRequest request, string? failure, CancellationToken cancellationToken)
    {
        var finishedAt = _time.GetUtcNow();
        var models = selected.Where(m => run.Results.ContainsKey(m.Name)).Select(m => run.Results[m.Name]).ToList();
        var published = models.Count(m => m.Status == GoldModelStatus.Published);
        var upToDate = models.Count(m => m.Status == GoldModelStatus.UpToDate);
        var failed = models.Count(m => m.Status == GoldModelStatus.Failed);
        var blocked = models.Count(m => m.Status == GoldModelStatus.Blocked);
        var status = failure is not null || failed + blocked > 0 ? RunStatus.Failed : published == 0 ? RunStatus.Skipped : RunStatus.Succeeded;
        var message = failure is not null
            ? $"Gold run stopped: {failure}"
            : published == 0 && failed + blocked == 0
                ? string.Create(CultureInfo.InvariantCulture, $"Nothing to rebuild: all {upToDate} selected models are up to date with their inputs.")
                : string.Create(CultureInfo.InvariantCulture, $"{published} published, {upToDate} up to date, {failed} failed, {blocked} blocked.");

        foreach (var check in run.Sources.Values)
        {
            run.Quality.Add(new QualityEvent
            {
                RunId = run.RunId,
                TableName = check.Source,
                Rule = "freshness",
                Severity = "fail",
                Outcome = check.Outcome,
                RowsChecked = check.Rows,
                Violations = check.Outcome == "passed" ? 0 : 1,
                Message = check.Message,
                RecordedAt = finishedAt,
            });
        }

        var warnings = run.Sources.Values.Where(s => s.Outcome == "warned").Select(s => s.Message!)
            .Concat(models.SelectMany(m => m.Tests.Where(t => t.Outcome == "warned").Select(t => $"{m.Model}: {t.Name} found {t.FailingRows} rows")))
            .Concat(models.Where(m => m.Status == GoldModelStatus.Published && m.Message is not null).Select(m => $"{m.Model}: {m.Message}"))
            .ToList();
        await _goldOps.RecordBuildsAsync(run.BuildRows, cancellationToken);
        await _goldOps.RecordTestFailuresAsync(run.FailureRows, cancellationToken);
        await _ops.RecordQualityAsync(run.Quality, cancellationToken);
        await _ops.RecordRunAsync(
            new RunRecord
            {
                RunId = run.RunId,
                Function = FunctionName,
                Status = status,
                EventId = request.Trigger,
                RowsWritten = models.Sum(m => m.Status == GoldModelStatus.Published ? m.RowsWritten : 0),
                StartedAt = run.StartedAt,
                FinishedAt = finishedAt,
                Message = message,
                Warnings = warnings,
                Outputs = models.Where(m => m.ExportUri is not null).Select(m => m.ExportUri!).ToList(),
            },
            cancellationToken);
        _logger.Log(status == RunStatus.Failed ? LogLevel.Error : LogLevel.Information, "Gold run {RunId}: {Message}", run.RunId, message);
        return new GoldRunResult
        {
            RunId = run.RunId,
            Status = status,
            Message = message,
            StartedAt = run.StartedAt,
            FinishedAt = finishedAt,
            Models = models,
            Sources = run.Sources.Values.OrderBy(s => s.Source, StringComparer.Ordinal).ToList(),
        };
    }

    private static Dictionary<string, object?> BuildRow(RunState run, GoldModel model, GoldModelResult result, string hash, GoldInputState? inputs, DateTimeOffset startedAt) => new()
    {
        ["run_id"] = run.RunId,
        ["model"] = model.Name,
        ["domain"] = model.Domain,
        ["status"] = result.Status,
        ["mode"] = result.Mode,
        ["reason"] = result.Reason,
        ["build_id"] = result.BuildId,
        ["definition_hash"] = hash,
        ["input_state"] = result.Status == GoldModelStatus.Published ? inputs?.ToJson() : null,
        ["rows_written"] = result.RowsWritten,
        ["partitions_replaced"] = result.PartitionsReplaced,
        ["tests_passed"] = (long)result.Tests.Count(t => t.Outcome == "passed"),
        ["tests_failed"] = (long)result.Tests.Count(t => t.Outcome is "failed" or "error"),
        ["tests_warned"] = (long)result.Tests.Count(t => t.Outcome == "warned"),
        ["export_uri"] = result.ExportUri,
        ["message"] = result.Message,
        ["started_at"] = startedAt,
        ["finished_at"] = startedAt + result.Duration,
    };

    private static Dictionary<string, object?> SampleRow(IReadOnlyDictionary<string, object?> row) =>
        row.ToDictionary(c => c.Key, c => c.Value switch
        {
            null => null,
            DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
            DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => (object?)f.ToString(null, CultureInfo.InvariantCulture),
            var other => other.ToString(),
        });

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await foreach (var row in _warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            return ValueConversion.To<long>(row[0]);
        }

        return 0;
    }

    private void Log(GoldModel model, GoldModelResult result)
    {
        var level = result.Status switch
        {
            GoldModelStatus.Failed or GoldModelStatus.Blocked => LogLevel.Error,
            _ => LogLevel.Information,
        };
        _logger.Log(level, "Gold {Model}: {Status} ({Reason}){Detail}", model.Name, result.Status, result.Reason, result.Message is null ? string.Empty : " - " + result.Message);
    }

    private string NewRunId() =>
        string.Create(CultureInfo.InvariantCulture, $"gold-{_time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 3)}");

    private static bool IsTransient(Exception ex) => ex is TransientException || ex is WarehouseException { IsTransient: true };

    private static string FormatAge(TimeSpan age) => age.TotalDays >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} days")
        : string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} hours");

    /// <summary>What a run has seen and done so far.</summary>
    private sealed class RunState(string runId, DateTimeOffset startedAt)
    {
        public string RunId { get; } = runId;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public Dictionary<string, GoldModelResult> Results { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, ModelInputState> Published { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, GoldSourceResult> Sources { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SourceInputState> SourceStates { get; } = new(StringComparer.Ordinal);

        public List<IReadOnlyDictionary<string, object?>> BuildRows { get; } = [];

        public List<IReadOnlyDictionary<string, object?>> FailureRows { get; } = [];

        public List<QualityEvent> Quality { get; } = [];
    }
}
