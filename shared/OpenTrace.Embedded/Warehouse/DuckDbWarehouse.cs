using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using OpenTrace.Core;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Storage;

namespace OpenTrace.Embedded.Warehouse;

/// <summary>
/// <see cref="IWarehouse"/> over one DuckDB file. Datasets are schemas. Extension auto-install and auto-load are off,
/// so nothing is fetched from the network; Parquet, JSON and ICU are built in. The database opens on first use and
/// stays open until disposal; each operation runs on its own connection to it, so concurrent calls are safe.
/// Text is stored with FSST rather than dictionary compression (see <see cref="DisabledCompression"/>).
/// </summary>
public sealed partial class DuckDbWarehouse : IWarehouse, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// DuckDB's <c>disabled_compression_methods</c> for this warehouse. Bronze and silver text is mostly ids and
    /// timestamps, where dictionary compression never wins yet DuckDB weighs it for every segment of every load: about
    /// a fifth of a large load's time. FSST takes the few low-cardinality columns too, at some extra size.
    /// </summary>
    public const string DisabledCompression = "dictionary";

    private const int InsertChunkRows = 256;
    private const int ConflictAttempts = 4;

    private readonly FolderObjectStore? _objects;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _openGate = new(1, 1);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private readonly Lock _loadJobsLock = new();
    private readonly int? _threads;
    private DuckDBConnection? _root;
    private bool _jsonAvailable;
    private Task? _loadJobsReady;

    /// <summary>Creates the warehouse. Nothing is opened until the first call.</summary>
    /// <param name="databasePath">The DuckDB file (<c>&lt;home&gt;/warehouse.duckdb</c>); created on first use unless read-only.</param>
    /// <param name="objects">Resolves <see cref="LoadRequest.Sources"/> to local files; null when this warehouse never loads Parquet.</param>
    /// <param name="readOnly">Open the file read-only (for ad-hoc queries); it must exist then.</param>
    /// <param name="memoryLimit">DuckDB's <c>memory_limit</c> (for example <c>256MB</c>); null keeps DuckDB's default, 80% of RAM. Larger work spills to disk.</param>
    /// <param name="threads">DuckDB's <c>threads</c>; null keeps DuckDB's default, one per core.</param>
    public DuckDbWarehouse(string databasePath, FolderObjectStore? objects = null, bool readOnly = false, string? memoryLimit = null, int? threads = null)
    {
        if (threads is { } count)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(threads));
        }

        _threads = threads;
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        IsReadOnly = readOnly;
        _objects = objects;
        var builder = new DuckDBConnectionStringBuilder
        {
            DataSource = DatabasePath,
            AutoinstallKnownExtensions = false,
            AutoloadKnownExtensions = false,
        };
        if (readOnly)
        {
            builder.AccessMode = DuckDBAccessMode.ReadOnly;
        }

        if (!string.IsNullOrWhiteSpace(memoryLimit))
        {
            builder.MemoryLimit = memoryLimit;
        }

        _connectionString = builder.ConnectionString;
    }

    /// <summary><c>ops.load_jobs</c>: one row per Parquet load, keyed by job id, written in the load's transaction.</summary>
    public static TableId LoadJobs { get; } = new(Datasets.Ops, "load_jobs");

    /// <summary>The DuckDB file.</summary>
    public string DatabasePath { get; }

    /// <summary>True when the file is opened read-only.</summary>
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    public SqlDialect Dialect => SqlDialect.DuckDb;

    /// <summary>
    /// Opens an existing warehouse file read-only, now, so that a missing file or one locked by another process is
    /// reported at once (<see cref="WarehouseException"/>).
    /// </summary>
    public static async Task<DuckDbWarehouse> OpenReadOnlyAsync(string databasePath, CancellationToken cancellationToken = default)
    {
        var warehouse = new DuckDbWarehouse(databasePath, objects: null, readOnly: true, memoryLimit: null);
        try
        {
            await warehouse.EnsureOpenAsync(cancellationToken);
            return warehouse;
        }
        catch
        {
            await warehouse.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        await WithSchemaGateAsync(() => RunAsync(
            async connection =>
            {
                await ExecuteNonQueryAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {DuckDbSql.Quote(dataset)}", cancellationToken);
                return 0;
            },
            retryConflicts: true,
            cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default)
    {
        ValidateSchema(schema);
        await WithSchemaGateAsync(() => RunAsync(connection => EnsureTableCoreAsync(connection, schema, cancellationToken), retryConflicts: true, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public Task<TableSchema?> GetTableAsync(TableId table, CancellationToken cancellationToken = default)
    {
        ValidateTableId(table);
        return RunAsync(
            async connection =>
            {
                var columns = await ReadColumnsAsync(connection, table, cancellationToken);
                if (columns.Count == 0)
                {
                    return null;
                }

                return new TableSchema(table, columns, Description: await DescriptionAsync(connection, table, cancellationToken));
            },
            retryConflicts: false,
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.JobId, nameof(request));
        ValidateTableId(request.Destination);
        if (request.Sources.Count == 0)
        {
            throw new ArgumentException($"Load {request.JobId} names no source objects.", nameof(request));
        }

        var objects = _objects ?? throw new InvalidOperationException("This warehouse was created without an object store, so it cannot resolve Parquet sources.");
        var files = request.Sources.Select(source => ResolveSource(objects, request.JobId, source)).ToList();

        await EnsureLoadJobsTableAsync(cancellationToken);
        if (await IsJobDoneAsync(request.JobId, cancellationToken))
        {
            return new LoadResult(request.JobId, 0, AlreadyDone: true);
        }

        if (request.SourcesImmutable && await IsInPlaceTargetAsync(request.Destination, cancellationToken))
        {
            return await LoadInPlaceAsync(request, objects, cancellationToken);
        }

        await EnsureTableAsync(request.Schema with { Id = request.Destination }, cancellationToken);
        var source = DuckDbSql.ReadParquet(files);
        return await RunAsync(
            async connection =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                try
                {
                    if (await JobExistsAsync(connection, request.JobId, cancellationToken))
                    {
                        return new LoadResult(request.JobId, 0, AlreadyDone: true);
                    }

                    // The job row goes in first and commits with the rows: of two identical loads racing, the second
                    // fails at commit on the primary key and loads nothing.
                    await ExecuteNonQueryAsync(
                        connection,
                        $"INSERT INTO {DuckDbSql.Table(LoadJobs)} (job_id, destination, \"rows\", loaded_at) VALUES ($job, $destination, 0, $at)",
                        cancellationToken,
                        ("job", request.JobId),
                        ("destination", request.Destination.ToString()),
                        ("at", DateTime.UtcNow));
                    if (request.Mode == WriteMode.Truncate)
                    {
                        await ExecuteNonQueryAsync(connection, $"DELETE FROM {DuckDbSql.Table(request.Destination)}", cancellationToken);
                    }

                    var select = await LoadSelectListAsync(connection, source, request.Destination, cancellationToken);
                    long rows = await ExecuteNonQueryAsync(connection, $"INSERT INTO {DuckDbSql.Table(request.Destination)} BY NAME SELECT {select} FROM {source}", cancellationToken);
                    await ExecuteNonQueryAsync(connection, $"UPDATE {DuckDbSql.Table(LoadJobs)} SET \"rows\" = $rows WHERE job_id = $job", cancellationToken, ("rows", rows), ("job", request.JobId));
                    await transaction.CommitAsync(cancellationToken);
                    return new LoadResult(request.JobId, rows, AlreadyDone: false);
                }
                catch (DuckDBException)
                {
                    await transaction.DisposeAsync();
                    if (await IsJobDoneAsync(request.JobId, cancellationToken))
                    {
                        return new LoadResult(request.JobId, 0, AlreadyDone: true);
                    }

                    throw;
                }
            },
            retryConflicts: true,
            cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A view over <c>read_parquet</c> in the relation's schema: the statements that read it scan the files directly,
    /// so a MERGE costs one pass over the files instead of a load into a table and a second pass over that table.
    /// </remarks>
    public async Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateSchema(request.Schema with { Id = request.Relation });
        if (request.Sources.Count == 0)
        {
            throw new ArgumentException($"Staging {request.Relation} names no source objects.", nameof(request));
        }

        var objects = _objects ?? throw new InvalidOperationException("This warehouse was created without an object store, so it cannot resolve Parquet sources.");
        var source = DuckDbSql.ReadParquet(request.Sources.Select(s => ResolveSource(objects, request.JobId, s)));
        await EnsureDatasetAsync(request.Relation.Dataset, cancellationToken);
        var types = await RunAsync(connection => DescribeAsync(connection, source, cancellationToken), retryConflicts: false, cancellationToken);
        var projection = Projection(request.Schema.Columns, types);
        var relation = DuckDbSql.Table(request.Relation);
        await WithSchemaGateAsync(() => RunAsync(
            async connection =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                if ((await ReadColumnTypesAsync(connection, request.Relation, cancellationToken)).Count > 0 && !await IsViewAsync(connection, request.Relation, cancellationToken))
                {
                    await ExecuteNonQueryAsync(connection, $"DROP TABLE {relation}", cancellationToken); // a scratch table under that name, left by an older version
                }

                await ExecuteNonQueryAsync(connection, $"CREATE OR REPLACE VIEW {relation} AS SELECT {projection} FROM {source}", cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return 0;
            },
            retryConflicts: true,
            cancellationToken), cancellationToken);
        var rows = await RunAsync(async connection => Convert.ToInt64(await ScalarAsync(connection, $"SELECT count(*) FROM {source}", cancellationToken), System.Globalization.CultureInfo.InvariantCulture), retryConflicts: false, cancellationToken);
        return new StagedParquet(request.Relation, rows);
    }

    /// <inheritdoc />
    public async Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default)
    {
        ValidateTableId(relation);
        await WithSchemaGateAsync(() => RunAsync(
            async connection =>
            {
                if ((await ReadColumnTypesAsync(connection, relation, cancellationToken)).Count == 0)
                {
                    return 0;
                }

                var kind = await IsViewAsync(connection, relation, cancellationToken) ? "VIEW" : "TABLE";
                return await ExecuteNonQueryAsync(connection, $"DROP {kind} IF EXISTS {DuckDbSql.Table(relation)}", cancellationToken);
            },
            retryConflicts: true,
            cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default)
    {
        ValidateTableId(table);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        await RunAsync(
            async connection =>
            {
                var columns = await ReadColumnsAsync(connection, table, cancellationToken);
                if (columns.Count == 0)
                {
                    throw new WarehouseException($"Table {table} does not exist.", reason: "notFound", location: table.ToString());
                }

                // One column list for all rows (the union of their keys; a row without a key gets NULL there).
                var names = new List<string>();
                foreach (var key in rows.SelectMany(r => r.Keys))
                {
                    var column = columns.FirstOrDefault(c => string.Equals(c.Name, key, StringComparison.OrdinalIgnoreCase))
                        ?? throw new WarehouseException($"Table {table} has no column '{key}'. Its columns: {string.Join(", ", columns.Select(c => c.Name))}.", reason: "invalid", location: $"{table}.{key}");
                    if (!names.Contains(column.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        names.Add(column.Name);
                    }
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                for (var first = 0; first < rows.Count; first += InsertChunkRows)
                {
                    var chunk = rows.Skip(first).Take(InsertChunkRows).ToList();
                    await InsertChunkAsync(connection, table, names, chunk, first, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return 0;
            },
            retryConflicts: true,
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var (text, bound) = Prepare(sql, parameters);

        // Not retried here: a statement list may have committed part of its work before a conflict.
        return RunAsync(async connection => (long)await ExecuteNonQueryAsync(connection, text, cancellationToken, bound), retryConflicts: false, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<WarehouseRow> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        var (text, bound) = Prepare(sql, parameters);
        await using var connection = await ConnectAsync(cancellationToken);
        await using var command = CreateCommand(connection, text, bound);
        command.UseStreamingMode = true; // rows are produced as they are read, never the whole result at once
        await using var cancel = cancellationToken.Register(command.Cancel);
        await using var reader = await Translate(() => command.ExecuteReaderAsync(cancellationToken), cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        while (await Translate(() => reader.ReadAsync(cancellationToken), cancellationToken))
        {
            var values = new object?[columns.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = DuckDbValues.Read(reader, i);
            }

            yield return new WarehouseRow(columns, values);
        }
    }

    /// <summary>Closes the database; the file lock is released once the last operation's connection closes.</summary>
    public void Dispose()
    {
        _root?.Dispose();
        _root = null;
        _openGate.Dispose();
        _schemaGate.Dispose();
    }

    /// <inheritdoc cref="Dispose" />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<int> EnsureTableCoreAsync(DuckDBConnection connection, TableSchema schema, CancellationToken cancellationToken)
    {
        var table = DuckDbSql.Table(schema.Id);
        var existing = await ReadColumnsAsync(connection, schema.Id, cancellationToken);
        var statements = new List<string>();
        if (existing.Count == 0)
        {
            statements.Add($"CREATE SCHEMA IF NOT EXISTS {DuckDbSql.Quote(schema.Id.Dataset)}");
            var columns = schema.Columns.Select(c => $"{DuckDbSql.Quote(c.Name)} {DuckDbSql.TypeOf(c, _jsonAvailable)}{(c.Nullable ? string.Empty : " NOT NULL")}");
            statements.Add($"CREATE TABLE IF NOT EXISTS {table} ({string.Join(", ", columns)})");
            if (schema.Description is not null)
            {
                statements.Add($"COMMENT ON TABLE {table} IS {DuckDbSql.Literal(schema.Description)}");
            }

            statements.AddRange(schema.Columns.Where(c => c.Description is not null).Select(c => ColumnComment(table, c)));
        }
        else if (await IsInPlaceAsync(connection, schema.Id, cancellationToken))
        {
            var columns = WithAddedColumns(existing, schema.Columns);
            if (columns.Count == existing.Count)
            {
                return 0;
            }

            await using var viewTransaction = await connection.BeginTransactionAsync(cancellationToken);
            await ReplaceViewAsync(connection, schema.Id, columns, await DescriptionAsync(connection, schema.Id, cancellationToken), cancellationToken);
            await viewTransaction.CommitAsync(cancellationToken);
            return 1;
        }
        else
        {
            // Added columns are nullable whatever the schema says: the rows already there have no value for them.
            foreach (var column in schema.Columns.Where(c => !existing.Any(e => string.Equals(e.Name, c.Name, StringComparison.OrdinalIgnoreCase))))
            {
                statements.Add($"ALTER TABLE {table} ADD COLUMN {DuckDbSql.Quote(column.Name)} {DuckDbSql.TypeOf(column, _jsonAvailable)}");
                if (column.Description is not null)
                {
                    statements.Add(ColumnComment(table, column));
                }
            }
        }

        if (statements.Count == 0)
        {
            return 0;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var statement in statements)
        {
            await ExecuteNonQueryAsync(connection, statement, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return statements.Count;
    }

    private static string ColumnComment(string table, ColumnSchema column) =>
        $"COMMENT ON COLUMN {table}.{DuckDbSql.Quote(column.Name)} IS {DuckDbSql.Literal(column.Description!)}";

    private async Task InsertChunkAsync(DuckDBConnection connection, TableId table, List<string> names, List<IReadOnlyDictionary<string, object?>> chunk, int firstRow, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"INSERT INTO {DuckDbSql.Table(table)} ({string.Join(", ", names.Select(DuckDbSql.Quote))}) VALUES ");
        var parameters = new List<(string Name, object Value)>(chunk.Count * names.Count);
        for (var r = 0; r < chunk.Count; r++)
        {
            var row = new Dictionary<string, object?>(chunk[r], StringComparer.OrdinalIgnoreCase);
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < names.Count; c++)
            {
                var name = FormattableString.Invariant($"p{r}_{c}");
                sql.Append(c == 0 ? "$" : ", $").Append(name);
                var location = $"{table}.{names[c]} (row {firstRow + r + 1})";
                parameters.Add((name, DuckDbValues.ToParameter(row.GetValueOrDefault(names[c]), location)));
            }

            sql.Append(')');
        }

        try
        {
            await ExecuteNonQueryAsync(connection, sql.ToString(), cancellationToken, [.. parameters]);
        }
        catch (DuckDBException ex) when (!IsConflict(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw new WarehouseException(
                $"Appending rows {firstRow + 1}-{firstRow + chunk.Count} to {table} failed: {ex.Message}",
                reason: ReasonOf(ex.Message),
                location: table.ToString(),
                inner: ex);
        }
    }

    private string ResolveSource(FolderObjectStore objects, string jobId, ObjectRef source)
    {
        try
        {
            return objects.GetLocalPath(source);
        }
        catch (ObjectNotFoundException ex)
        {
            throw new WarehouseException($"Load {jobId}: {ex.Message}", reason: "notFound", location: source.ToString(), inner: ex);
        }
    }

    private Task EnsureLoadJobsTableAsync(CancellationToken cancellationToken)
    {
        lock (_loadJobsLock)
        {
            if (_loadJobsReady is null || _loadJobsReady.IsFaulted || _loadJobsReady.IsCanceled)
            {
                _loadJobsReady = WithSchemaGateAsync(
                    () => RunAsync(
                        async connection =>
                        {
                            await ExecuteNonQueryAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {DuckDbSql.Quote(LoadJobs.Dataset)}", cancellationToken);
                            await ExecuteNonQueryAsync(
                                connection,
                                $"CREATE TABLE IF NOT EXISTS {DuckDbSql.Table(LoadJobs)} (job_id VARCHAR PRIMARY KEY, destination VARCHAR NOT NULL, \"rows\" BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL)",
                                cancellationToken);
                            return await ExecuteNonQueryAsync(
                                connection,
                                $"CREATE TABLE IF NOT EXISTS {DuckDbSql.Table(TableFiles)} (destination VARCHAR NOT NULL, path VARCHAR NOT NULL, job_id VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL, PRIMARY KEY (destination, path))",
                                cancellationToken);
                        },
                        retryConflicts: true,
                        cancellationToken),
                    cancellationToken);
            }

            return _loadJobsReady;
        }
    }

    private Task<bool> IsJobDoneAsync(string jobId, CancellationToken cancellationToken) =>
        RunAsync(connection => JobExistsAsync(connection, jobId, cancellationToken), retryConflicts: false, cancellationToken);

    private static async Task<bool> JobExistsAsync(DuckDBConnection connection, string jobId, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, $"SELECT count(*) FROM {DuckDbSql.Table(LoadJobs)} WHERE job_id = $job", cancellationToken, ("job", jobId)) is long and > 0;

    /// <summary>
    /// The select list of a load: every column of the files by name, except that an instant (TIMESTAMP WITH TIME ZONE,
    /// how Parquet's UTC timestamps read) bound for a TIMESTAMP column is converted by arithmetic instead of a cast that
    /// looks the session's time zone up for every value (which is UTC here, so the result is the same).
    /// </summary>
    private static async Task<string> LoadSelectListAsync(DuckDBConnection connection, string source, TableId destination, CancellationToken cancellationToken)
    {
        var types = await DescribeAsync(connection, source, cancellationToken);
        var target = await ReadColumnTypesAsync(connection, destination, cancellationToken);
        return string.Join(", ", types.Select(column =>
        {
            var name = DuckDbSql.Quote(column.Key);
            return target.TryGetValue(column.Key, out var targetType) && DuckDbSql.Convert(name, column.Value, targetType) is var value && value != name
                ? $"{value} AS {name}"
                : name;
        }));
    }

    /// <summary>
    /// A select list giving <paramref name="columns"/> from a source of the given column <paramref name="types"/>: a
    /// column the source lacks is NULL of its type; the others convert as <see cref="DuckDbSql.Convert"/> does.
    /// </summary>
    private string Projection(IEnumerable<ColumnSchema> columns, Dictionary<string, string> types) =>
        string.Join(", ", columns.Select(column =>
        {
            var target = DuckDbSql.TypeOf(column, _jsonAvailable);
            var present = types.Keys.FirstOrDefault(name => string.Equals(name, column.Name, StringComparison.OrdinalIgnoreCase));
            var value = present is null ? $"CAST(NULL AS {target})" : DuckDbSql.Convert(DuckDbSql.Quote(present), types[present], target);
            return $"{value} AS {DuckDbSql.Quote(column.Name)}";
        }));

    /// <summary>Column names and DuckDB types of what <paramref name="source"/> returns, in order.</summary>
    private static async Task<Dictionary<string, string>> DescribeAsync(DuckDBConnection connection, string source, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(connection, $"DESCRIBE SELECT * FROM {source}", []);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }

    /// <summary>Column names and DuckDB types of a table or view; empty when there is none.</summary>
    private static async Task<Dictionary<string, string>> ReadColumnTypesAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(
            connection,
            "SELECT column_name, data_type FROM duckdb_columns() WHERE lower(schema_name) = lower($schema) AND lower(table_name) = lower($table)",
            [("schema", table.Dataset), ("table", table.Table)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync(cancellationToken))
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }

    private static async Task<bool> IsViewAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, "SELECT count(*) FROM duckdb_views() WHERE lower(schema_name) = lower($schema) AND lower(view_name) = lower($table)", cancellationToken, ("schema", table.Dataset), ("table", table.Table)) is long and > 0;

    private static async Task<List<ColumnSchema>> ReadColumnsAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken)
    {
        await using var command = CreateCommand(
            connection,
            "SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns() WHERE lower(schema_name) = lower($schema) AND lower(table_name) = lower($table) ORDER BY column_index",
            [("schema", table.Dataset), ("table", table.Table)]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = new List<ColumnSchema>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var (type, repeated, precision, scale) = DuckDbSql.ParseType(reader.GetString(1));
            columns.Add(new ColumnSchema(
                reader.GetString(0),
                type,
                Nullable: reader.GetBoolean(2),
                Repeated: repeated,
                Precision: precision,
                Scale: scale,
                Description: reader.IsDBNull(3) ? null : NullIfEmpty(reader.GetString(3))));
        }

        return columns;
    }

    private static (string Sql, (string Name, object Value)[] Parameters) Prepare(string sql, IReadOnlyDictionary<string, object?>? parameters)
    {
        var text = DuckDbSql.RewriteParameters(sql, out var names);
        var given = parameters is null
            ? new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, object?>(parameters, StringComparer.OrdinalIgnoreCase);
        var bound = names.Select(name => given.TryGetValue(name, out var value)
            ? (name, DuckDbValues.ToParameter(value, "@" + name))
            : throw new WarehouseException($"The SQL uses the parameter @{name}, but no value was given for it.", reason: "invalidQuery", location: "@" + name)).ToArray();
        return (text, bound);
    }

    private async Task<T> RunAsync<T>(Func<DuckDBConnection, Task<T>> operation, bool retryConflicts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await ConnectAsync(cancellationToken);
            try
            {
                return await operation(connection);
            }
            catch (DuckDBException ex) when (retryConflicts && IsConflict(ex) && attempt < ConflictAttempts)
            {
                // another connection changed the same table or catalog entry first; the transaction was rolled back
                await Task.Delay(Random.Shared.Next(5, 25 * attempt), cancellationToken);
            }
            catch (DuckDBException ex)
            {
                throw ToWarehouseException(ex, cancellationToken);
            }
        }
    }

    private async Task<T> Translate<T>(Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await operation();
        }
        catch (DuckDBException ex)
        {
            throw ToWarehouseException(ex, cancellationToken);
        }
    }

    private async Task<DuckDBConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await EnsureOpenAsync(cancellationToken);

        // The open root connection keeps the database instance alive; DuckDB.NET shares it with this connection.
        var connection = new DuckDBConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (DuckDBException ex)
        {
            await connection.DisposeAsync();
            throw ToWarehouseException(ex, cancellationToken);
        }
    }

    private async Task EnsureOpenAsync(CancellationToken cancellationToken)
    {
        if (_root is not null)
        {
            return;
        }

        await _openGate.WaitAsync(cancellationToken);
        try
        {
            if (_root is not null)
            {
                return;
            }

            if (IsReadOnly && !File.Exists(DatabasePath))
            {
                throw new WarehouseException($"There is no warehouse at {DatabasePath} yet: nothing has been loaded into it.", reason: "notFound", location: DatabasePath);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            var root = new DuckDBConnection(_connectionString);
            try
            {
                await root.OpenAsync(cancellationToken);

                // TIMESTAMP columns hold UTC: instants arriving as TIMESTAMPTZ (Parquet, parameters) convert in UTC,
                // whatever the machine's time zone.
                await ExecuteNonQueryAsync(root, "SET GLOBAL TimeZone = 'UTC'", cancellationToken);

                // Rows carry their own order (_row_number); not preserving insertion order lets large loads stream
                // instead of buffering, which is what keeps a big load inside the memory limit.
                await ExecuteNonQueryAsync(root, "SET GLOBAL preserve_insertion_order = false", cancellationToken);
                await ExecuteNonQueryAsync(root, $"SET GLOBAL disabled_compression_methods = '{DisabledCompression}'", cancellationToken);

                // In-place tables name their files relative to the database's folder, so the home can move.
                if (FilesByRelativePath)
                {
                    await ExecuteNonQueryAsync(root, $"SET GLOBAL file_search_path = {DuckDbSql.Literal(DatabaseFolder)}", cancellationToken);
                }

                if (_threads is { } threads)
                {
                    await ExecuteNonQueryAsync(root, string.Create(CultureInfo.InvariantCulture, $"SET GLOBAL threads = {threads}"), cancellationToken);
                }

                _jsonAvailable = await ScalarAsync(root, "SELECT count(*) FROM duckdb_extensions() WHERE extension_name = 'json' AND loaded", cancellationToken) is long and > 0;
            }
            catch (DuckDBException ex)
            {
                await root.DisposeAsync();
                throw ToWarehouseException(ex, cancellationToken);
            }

            _root = root;
        }
        finally
        {
            _openGate.Release();
        }
    }

    private async Task WithSchemaGateAsync(Func<Task<int>> operation, CancellationToken cancellationToken)
    {
        // Catalog changes from several connections at once conflict in DuckDB; this process makes them one at a time.
        await _schemaGate.WaitAsync(cancellationToken);
        try
        {
            await operation();
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private static async Task<int> ExecuteNonQueryAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = CreateCommand(connection, sql, parameters);
        await using var cancel = cancellationToken.Register(command.Cancel);
        return Math.Max(await command.ExecuteNonQueryAsync(cancellationToken), 0);
    }

    private static async Task<object?> ScalarAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = CreateCommand(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static DuckDBCommand CreateCommand(DuckDBConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(new DuckDBParameter(name, value));
        }

        return command;
    }

    private Exception ToWarehouseException(DuckDBException ex, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return new OperationCanceledException("The warehouse operation was cancelled.", ex, cancellationToken);
        }

        var message = ex.Message.StartsWith("DuckDBOpen failed: ", StringComparison.Ordinal) ? ex.Message["DuckDBOpen failed: ".Length..] : ex.Message;
        if (message.Contains("Could not set lock on file", StringComparison.Ordinal))
        {
            return new WarehouseException(
                $"The warehouse {DatabasePath} is locked: another opentrace process is using it. Stop that process, or run the command through it, and try again. ({message})",
                reason: "locked",
                location: DatabasePath,
                transient: true,
                inner: ex);
        }

        return new WarehouseException(message, ReasonOf(message), location: null, transient: IsConflict(ex), inner: ex);
    }

    private static bool IsConflict(DuckDBException ex) =>
        ex.Message.Contains("conflict", StringComparison.OrdinalIgnoreCase) && !ex.Message.Contains("constraint", StringComparison.OrdinalIgnoreCase);

    /// <summary>DuckDB's error class ("Catalog", "Binder", "Parser", "Conversion", ...), or null.</summary>
    private static string? ReasonOf(string message)
    {
        var match = ErrorClass().Match(message);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void ValidateTableId(TableId table)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrEmpty(table.Dataset, nameof(table));
        ArgumentException.ThrowIfNullOrEmpty(table.Table, nameof(table));
    }

    private static void ValidateSchema(TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ValidateTableId(schema.Id);
        if (schema.Columns.Count == 0)
        {
            throw new ArgumentException($"Table {schema.Id} has no columns.", nameof(schema));
        }

        var duplicate = schema.Columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Table {schema.Id} defines column '{duplicate.Key}' more than once.", nameof(schema));
        }
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z ]*?) Error:")]
    private static partial Regex ErrorClass();
}
