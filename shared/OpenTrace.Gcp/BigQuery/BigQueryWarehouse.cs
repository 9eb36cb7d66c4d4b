using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenTrace.Core;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.BigQuery;

/// <summary>
/// <see cref="IWarehouse"/> over the BigQuery REST API (v2). Loads are load jobs whose id is the caller's
/// deterministic <see cref="LoadRequest.JobId"/>, so BigQuery itself refuses a duplicate (409). Statements and queries
/// run through <c>jobs.query</c> with named parameters and a request id, which makes retrying them safe.
/// Errors surface as <see cref="WarehouseException"/> with BigQuery's reason and location.
/// </summary>
public sealed partial class BigQueryWarehouse : IWarehouse
{
    /// <summary>The public endpoint.</summary>
    public const string DefaultEndpoint = "https://bigquery.googleapis.com/bigquery/v2";

    private const string ServiceName = "BigQuery";
    private const int MaxRowsPerInsert = 500;
    private const int MaxParametersPerInsert = 9000;
    private const int WaitMilliseconds = 10_000;

    private readonly GoogleRestClient _client;
    private readonly string _project;
    private readonly string _location;
    private readonly string _base;
    private readonly TimeSpan _jobTimeout;

    /// <summary>Creates the warehouse. <paramref name="httpClient"/> is kept for its lifetime (register as a singleton).</summary>
    public BigQueryWarehouse(HttpClient httpClient, GcpOptions options, IAccessTokenSource tokenSource)
        : this(new GoogleRestClient(httpClient, tokenSource, Backoff.From(options), ServiceName), options)
    {
    }

    internal BigQueryWarehouse(GoogleRestClient client, GcpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _project = options.RequireProjectId();
        _location = options.EffectiveBigQueryLocation ?? throw new InvalidOperationException("Setting OpenTrace:BigQueryLocation or OpenTrace:Region is required.");
        _base = $"{DefaultEndpoint}/projects/{Uri.EscapeDataString(_project)}";
        _jobTimeout = options.JobTimeout;
    }

    /// <inheritdoc />
    public SqlDialect Dialect => SqlDialect.BigQuery;

    /// <inheritdoc />
    public async Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default)
    {
        CheckName(dataset, nameof(dataset));
        var body = new JsonObject
        {
            ["datasetReference"] = new JsonObject { ["projectId"] = _project, ["datasetId"] = dataset },
            ["location"] = _location,
        };
        var result = await CallAsync(HttpMethod.Post, $"{_base}/datasets", body, $"creating dataset {dataset}", cancellationToken);
        if (!result.IsSuccess && result.Status != HttpStatusCode.Conflict)
        {
            throw ToWarehouseException(result.Error!, $"creating dataset {dataset}");
        }
    }

    /// <inheritdoc />
    public Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default) =>
        EnsureTableCoreAsync(schema, expiration: null, cancellationToken);

    /// <summary><see cref="EnsureTableAsync"/>; a table it creates expires after <paramref name="expiration"/> (null: never).</summary>
    private async Task EnsureTableCoreAsync(TableSchema schema, TimeSpan? expiration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var existing = await GetTableJsonAsync(schema.Id, cancellationToken);
        if (existing is null)
        {
            var table = TableJson(schema);
            if (expiration is { } lifetime)
            {
                table["expirationTime"] = (DateTimeOffset.UtcNow + lifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            }

            var created = await CallAsync(HttpMethod.Post, $"{DatasetUrl(schema.Id.Dataset)}/tables", table, $"creating table {schema.Id}", cancellationToken);
            if (created.IsSuccess)
            {
                return;
            }

            if (created.Status != HttpStatusCode.Conflict)
            {
                throw ToWarehouseException(created.Error!, $"creating table {schema.Id}");
            }

            existing = await GetTableJsonAsync(schema.Id, cancellationToken); // created concurrently: add what it lacks
        }

        var fields = existing!.Value.TryGetProperty("schema", out var s) && s.TryGetProperty("fields", out var f)
            ? JsonNode.Parse(f.GetRawText())!.AsArray()
            : [];
        var have = new HashSet<string>(fields.Select(x => x!["name"]!.GetValue<string>()), StringComparer.OrdinalIgnoreCase);
        var missing = schema.Columns.Where(c => !have.Contains(c.Name)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        // BigQuery can only add NULLABLE or REPEATED columns to an existing table.
        foreach (var column in missing)
        {
            fields.Add(BigQueryTypes.ToField(column, forceNullable: true));
        }

        var patch = new JsonObject { ["schema"] = new JsonObject { ["fields"] = fields } };
        (await CallAsync(HttpMethod.Patch, TableUrl(schema.Id), patch, $"adding columns to {schema.Id}", cancellationToken)).ThrowIfFailed($"adding columns to {schema.Id}");
    }

    /// <inheritdoc />
    public async Task<TableSchema?> GetTableAsync(TableId table, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (await GetTableJsonAsync(table, cancellationToken) is not { } json)
        {
            return null;
        }

        var columns = json.TryGetProperty("schema", out var s) && s.TryGetProperty("fields", out var f)
            ? f.EnumerateArray().Select(BigQueryTypes.FromField).ToList()
            : [];
        var partition = json.TryGetProperty("timePartitioning", out var tp) && tp.TryGetProperty("field", out var pf) ? pf.GetString() : null;
        var cluster = json.TryGetProperty("clustering", out var cl) && cl.TryGetProperty("fields", out var cf)
            ? cf.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
        return new TableSchema(table, columns, partition, cluster, json.TryGetProperty("description", out var d) ? d.GetString() : null);
    }

    /// <inheritdoc />
    public async Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        var (rows, alreadyDone) = await RunLoadAsync(request, expiration: null, cancellationToken);
        return new LoadResult(request.JobId, alreadyDone ? 0 : rows, alreadyDone);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Load-then-merge: a load job (<see cref="StageRequest.JobId"/>) replaces the contents of a scratch table that
    /// expires after <see cref="StagingExpiry"/>, so one left behind by a crashed run goes away by itself. When the job
    /// id already ran, the rows it loaded are reported.
    /// </remarks>
    public async Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var load = new LoadRequest(request.Relation, request.Sources, request.JobId, request.Schema with { Id = request.Relation }, WriteMode.Truncate);
        var (rows, _) = await RunLoadAsync(load, StagingExpiry, cancellationToken);
        return new StagedParquet(request.Relation, rows);
    }

    /// <inheritdoc />
    public async Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(relation);
        CheckName(relation.Dataset, nameof(relation));
        CheckName(relation.Table, nameof(relation));
        var result = await CallAsync(HttpMethod.Delete, TableUrl(relation), null, $"deleting table {relation}", cancellationToken);
        if (!result.IsSuccess && result.Status != HttpStatusCode.NotFound)
        {
            throw ToWarehouseException(result.Error!, $"deleting table {relation}");
        }
    }

    /// <summary>How long a staged table lives when nobody drops it.</summary>
    public static TimeSpan StagingExpiry { get; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Runs the load job and waits for it. Returns the rows it loaded and whether the job id had already run (then the
    /// rows are those of that earlier run). <paramref name="expiration"/> is given to a table this call creates.
    /// </summary>
    private async Task<(long Rows, bool AlreadyDone)> RunLoadAsync(LoadRequest request, TimeSpan? expiration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Sources.Count == 0)
        {
            throw new ArgumentException($"Load {request.JobId} into {request.Destination} names no source objects.", nameof(request));
        }

        if (!JobIdPattern().IsMatch(request.JobId))
        {
            throw new ArgumentException($"'{request.JobId}' is not a valid BigQuery job id (letters, digits, '_' and '-', at most 1024).", nameof(request));
        }

        var schema = request.Schema.Id == request.Destination ? request.Schema : request.Schema with { Id = request.Destination };
        await EnsureTableCoreAsync(schema, expiration, cancellationToken);

        var load = new JsonObject
        {
            ["sourceUris"] = new JsonArray(request.Sources.Select(s => (JsonNode)s.Uri).ToArray()),
            ["sourceFormat"] = "PARQUET",
            ["destinationTable"] = TableReference(request.Destination),
            ["writeDisposition"] = request.Mode == WriteMode.Truncate ? "WRITE_TRUNCATE" : "WRITE_APPEND",
            ["createDisposition"] = "CREATE_IF_NEEDED",
            ["parquetOptions"] = new JsonObject { ["enableListInference"] = true },
        };
        if (request.Mode == WriteMode.Append)
        {
            load["schemaUpdateOptions"] = new JsonArray("ALLOW_FIELD_ADDITION");
        }

        AddLayout(load, schema);
        var job = new JsonObject
        {
            ["jobReference"] = new JsonObject { ["projectId"] = _project, ["jobId"] = request.JobId, ["location"] = _location },
            ["configuration"] = new JsonObject { ["load"] = load },
        };

        var what = $"loading {request.Sources.Count} Parquet object(s) into {request.Destination} (job {request.JobId})";
        var inserted = await CallAsync(HttpMethod.Post, $"{_base}/jobs", job, what, cancellationToken);
        if (!inserted.IsSuccess && inserted.Status == HttpStatusCode.Conflict)
        {
            // The job id ran before: BigQuery refused to run it again. Report it done, unless that earlier run failed.
            var earlier = await WaitForJobAsync(request.JobId, null, what, cancellationToken);
            if (JobError(earlier) is { } failed)
            {
                throw ToWarehouseException(failed,
                    $"an earlier run of load job {request.JobId} failed, so the job id cannot be reused; fix the cause and load with a new job id");
            }

            return (OutputRows(earlier), true);
        }

        var done = await WaitForJobAsync(request.JobId, inserted.ThrowIfFailed(what), what, cancellationToken);
        if (JobError(done) is { } error)
        {
            throw ToWarehouseException(error, what);
        }

        return (OutputRows(done), false);
    }

    private static long OutputRows(JsonElement job) =>
        job.TryGetProperty("statistics", out var stats) && stats.TryGetProperty("load", out var l) && l.TryGetProperty("outputRows", out var o)
            ? ParseLong(o)
            : 0;

    /// <summary>
    /// Appends rows with a parameterised <c>INSERT ... VALUES</c> through <c>jobs.query</c>. Unlike streaming inserts
    /// (<c>tabledata.insertAll</c>), rows are at once visible to DML (no streaming buffer blocks a later MERGE or
    /// DELETE), and the request id makes a retried call insert its rows exactly once.
    /// </summary>
    public async Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(rows);
        var columns = rows.SelectMany(r => r.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (rows.Count == 0 || columns.Count == 0)
        {
            return;
        }

        foreach (var column in columns)
        {
            CheckName(column, nameof(rows));
        }

        var perStatement = Math.Max(1, Math.Min(MaxRowsPerInsert, MaxParametersPerInsert / columns.Count));
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var sql = new StringBuilder($"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(c => $"`{c}`"))}) VALUES ");
            var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
            var end = Math.Min(rows.Count, start + perStatement);
            for (var r = start; r < end; r++)
            {
                sql.Append(r == start ? "(" : ", (");
                for (var c = 0; c < columns.Count; c++)
                {
                    sql.Append(c == 0 ? string.Empty : ", ");
                    if (!rows[r].TryGetValue(columns[c], out var value) || value is null)
                    {
                        sql.Append("NULL"); // a typed literal would be needed for a NULL parameter; NULL fits any column
                        continue;
                    }

                    var name = string.Create(CultureInfo.InvariantCulture, $"r{r - start}_{c}");
                    sql.Append('@').Append(name);
                    parameters[name] = value;
                }

                sql.Append(')');
            }

            await ExecuteAsync(sql.ToString(), parameters, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        var (first, _) = await RunQueryAsync(sql, parameters, maxResults: 0, cancellationToken);
        return first.TryGetProperty("numDmlAffectedRows", out var n) ? ParseLong(n) : 0;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WarehouseRow> QueryAsync(
        string sql, IReadOnlyDictionary<string, object?>? parameters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (page, job) = await RunQueryAsync(sql, parameters, maxResults: null, cancellationToken);
        if (!page.TryGetProperty("schema", out var schema))
        {
            yield break;
        }

        var fields = schema.GetProperty("fields").EnumerateArray().ToList();
        var columns = fields.Select(f => f.GetProperty("name").GetString()!).ToList();
        while (true)
        {
            if (page.TryGetProperty("rows", out var rows))
            {
                foreach (var row in rows.EnumerateArray())
                {
                    yield return new WarehouseRow(columns, BigQueryTypes.DecodeRow(row, fields));
                }
            }

            if (!page.TryGetProperty("pageToken", out var token) || job is null)
            {
                yield break;
            }

            page = await GetQueryResultsAsync(job, token.GetString(), cancellationToken);
        }
    }

    /// <summary>Runs SQL with <c>jobs.query</c> and waits until it completes; returns the first page and the job id.</summary>
    private async Task<(JsonElement Page, string? JobId)> RunQueryAsync(
        string sql, IReadOnlyDictionary<string, object?>? parameters, int? maxResults, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var body = new JsonObject
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            ["location"] = _location,
            ["requestId"] = Guid.NewGuid().ToString("N"),
            ["timeoutMs"] = WaitMilliseconds,
            ["formatOptions"] = new JsonObject { ["useInt64Timestamp"] = true },
        };
        if (maxResults is { } max)
        {
            body["maxResults"] = max;
        }

        if (parameters is { Count: > 0 })
        {
            body["parameterMode"] = "NAMED";
            body["queryParameters"] = new JsonArray(parameters.Select(p => (JsonNode)BigQueryTypes.Parameter(p.Key, p.Value)).ToArray());
        }

        var what = "running query " + Abbreviate(sql);
        var page = (await CallAsync(HttpMethod.Post, $"{_base}/queries", body, what, cancellationToken)).ThrowIfFailed(what);
        var jobId = page.TryGetProperty("jobReference", out var reference) && reference.TryGetProperty("jobId", out var id) ? id.GetString() : null;
        var deadline = DateTimeOffset.UtcNow + _jobTimeout;
        while (!(page.TryGetProperty("jobComplete", out var complete) && complete.GetBoolean()))
        {
            if (jobId is null || DateTimeOffset.UtcNow > deadline)
            {
                throw new WarehouseException($"BigQuery did not finish {what} within {_jobTimeout}; job {jobId} may still be running.", "timeout", null, transient: true);
            }

            page = await GetQueryResultsAsync(jobId, null, cancellationToken, maxResults);
        }

        return (page, jobId);
    }

    private async Task<JsonElement> GetQueryResultsAsync(string jobId, string? pageToken, CancellationToken cancellationToken, int? maxResults = null)
    {
        var url = new StringBuilder($"{_base}/queries/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(_location)}")
            .Append(CultureInfo.InvariantCulture, $"&timeoutMs={WaitMilliseconds}&formatOptions.useInt64Timestamp=true");
        if (maxResults is { } max)
        {
            url.Append(CultureInfo.InvariantCulture, $"&maxResults={max}");
        }

        if (pageToken is not null)
        {
            url.Append("&pageToken=").Append(Uri.EscapeDataString(pageToken));
        }

        var what = $"reading results of job {jobId}";
        return (await CallAsync(HttpMethod.Get, url.ToString(), null, what, cancellationToken)).ThrowIfFailed(what);
    }

    /// <summary>Polls <c>jobs.get</c> with growing pauses until the job is DONE.</summary>
    private async Task<JsonElement> WaitForJobAsync(string jobId, JsonElement? current, string what, CancellationToken cancellationToken)
    {
        var job = current;
        var delay = TimeSpan.FromMilliseconds(500);
        var deadline = DateTimeOffset.UtcNow + _jobTimeout;
        for (var poll = 0; ; poll++)
        {
            if (job is { } j && j.TryGetProperty("status", out var status) && status.TryGetProperty("state", out var state) && state.GetString() == "DONE")
            {
                return j;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new WarehouseException($"BigQuery job {jobId} did not finish within {_jobTimeout} ({what}); it may still be running.", "timeout", null, transient: true);
            }

            if (job is not null)
            {
                await _client.Backoff.Sleep(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 5000));
            }

            var url = $"{_base}/jobs/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(_location)}";
            job = (await CallAsync(HttpMethod.Get, url, null, what, cancellationToken)).ThrowIfFailed(what);
        }
    }

    private async Task<JsonElement?> GetTableJsonAsync(TableId table, CancellationToken cancellationToken)
    {
        CheckName(table.Dataset, nameof(table));
        CheckName(table.Table, nameof(table));
        var result = await CallAsync(HttpMethod.Get, TableUrl(table), null, $"reading table {table}", cancellationToken);
        return result.Status == HttpStatusCode.NotFound ? null : result.ThrowIfFailed($"reading table {table}");
    }

    /// <summary>Every BigQuery call made here is idempotent (ids, request ids or 409 handling), so all are retried.</summary>
    private async Task<JsonResult> CallAsync(HttpMethod method, string url, JsonNode? body, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.JsonAsync(method, url, body, idempotent: true, cancellationToken);
        }
        catch (TransientException e)
        {
            throw new WarehouseException($"BigQuery could not be reached while {what}: {e.Message}", "networkError", null, transient: true, e);
        }
    }

    private JsonObject TableJson(TableSchema schema)
    {
        var json = new JsonObject
        {
            ["tableReference"] = TableReference(schema.Id),
            ["schema"] = new JsonObject { ["fields"] = new JsonArray(schema.Columns.Select(c => (JsonNode)BigQueryTypes.ToField(c)).ToArray()) },
        };
        AddLayout(json, schema);
        if (schema.Description is not null)
        {
            json["description"] = schema.Description;
        }

        return json;
    }

    private static void AddLayout(JsonObject json, TableSchema schema)
    {
        if (schema.PartitionBy is { } partition)
        {
            json["timePartitioning"] = new JsonObject { ["type"] = "DAY", ["field"] = partition };
        }

        if (schema.ClusterBy is { Count: > 0 } cluster)
        {
            json["clustering"] = new JsonObject { ["fields"] = new JsonArray(cluster.Select(c => (JsonNode)c).ToArray()) };
        }
    }

    private JsonObject TableReference(TableId table) =>
        new() { ["projectId"] = _project, ["datasetId"] = table.Dataset, ["tableId"] = table.Table };

    private string DatasetUrl(string dataset) => $"{_base}/datasets/{Uri.EscapeDataString(dataset)}";

    private string TableUrl(TableId table) => $"{DatasetUrl(table.Dataset)}/tables/{Uri.EscapeDataString(table.Table)}";

    private string Quote(TableId table) => $"`{_project}.{table.Dataset}.{table.Table}`";

    private static GoogleApiError? JobError(JsonElement job) =>
        job.TryGetProperty("status", out var status) && status.TryGetProperty("errorResult", out var error)
            ? GoogleApiError.FromErrorElement(400, error)
            : null;

    internal static WarehouseException ToWarehouseException(GoogleApiError error, string what)
    {
        var location = error.Location;
        if (location is null or "q" or "query" && QueryPosition().Match(error.Message) is { Success: true } position)
        {
            location = "query " + position.Groups[1].Value; // "Syntax error: ... at [3:14]"
        }

        var where = location is null ? string.Empty : $" at {location}";
        return new WarehouseException($"BigQuery failed {what}: {error.Reason ?? error.Status ?? error.Code.ToString(CultureInfo.InvariantCulture)}{where}: {error.Message}",
            error.Reason, location, error.IsTransient);
    }

    private static long ParseLong(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetInt64() : long.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    private static void CheckName(string name, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameter);
        if (name.Contains('`', StringComparison.Ordinal) || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a valid BigQuery name: it may not contain '`' or '.'.", parameter);
        }
    }

    private static string Abbreviate(string sql)
    {
        var line = sql.ReplaceLineEndings(" ").Trim();
        return line.Length > 80 ? line[..80] + "..." : line;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,1024}$")]
    private static partial Regex JobIdPattern();

    [GeneratedRegex(@"\[(\d+:\d+)\]")]
    private static partial Regex QueryPosition();
}

/// <summary>BigQuery-specific handling of a <see cref="JsonResult"/>.</summary>
internal static class BigQueryResults
{
    /// <summary>The body, or a <see cref="WarehouseException"/> for an error answer.</summary>
    public static JsonElement ThrowIfFailed(this JsonResult result, string what) =>
        result.IsSuccess ? result.Body : throw BigQueryWarehouse.ToWarehouseException(result.Error!, what);
}
