using System.Globalization;
using DuckDB.NET.Data;
using OpenTrace.Core;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Storage;

namespace OpenTrace.Embedded.Warehouse;

/// <summary>
/// In-place tables: a load of immutable Parquet objects (<see cref="LoadRequest.SourcesImmutable"/>) into a table that
/// is not a copied one gives the warehouse a hard link to each file, kept in <see cref="TableFilesPath"/>, and makes the
/// table a view over all of its files. Nothing is copied, so a load costs a footer read instead of a pass over the
/// rows; the links are the warehouse's own, so the rows stay when the lake object is deleted or replaced.
/// </summary>
public sealed partial class DuckDbWarehouse
{
    /// <summary><c>ops.table_files</c>: the Parquet files an in-place table reads, one row per file, keyed by table and path.</summary>
    public static TableId TableFiles { get; } = new(Datasets.Ops, "table_files");

    /// <summary>
    /// The folder holding the in-place tables' files, beside the database file: <c>&lt;home&gt;/warehouse.files</c>
    /// for <c>&lt;home&gt;/warehouse.duckdb</c>, one folder per dataset and table below it.
    /// </summary>
    public string TableFilesPath => Path.Combine(DatabaseFolder, Path.GetFileNameWithoutExtension(DatabasePath) + ".files");

    private string DatabaseFolder => Path.GetDirectoryName(DatabasePath)!;

    /// <summary>
    /// DuckDB's <c>file_search_path</c> is a comma-separated list, so a database folder with a comma in its path cannot
    /// be one; the views then name their files by full path (and stop working when the folder moves).
    /// </summary>
    private bool FilesByRelativePath => !DatabaseFolder.Contains(',', StringComparison.Ordinal);

    private async Task<bool> IsInPlaceTargetAsync(TableId table, CancellationToken cancellationToken) =>
        await RunAsync(
            async connection => (await ReadColumnTypesAsync(connection, table, cancellationToken)).Count == 0 || await IsViewAsync(connection, table, cancellationToken),
            retryConflicts: false,
            cancellationToken);

    /// <summary>
    /// Loads in place. In-place loads run one at a time in this process (under the schema gate: they are catalog
    /// changes, and cost a footer read each), so two deliveries of one file never share a file name half-way.
    /// </summary>
    private async Task<LoadResult> LoadInPlaceAsync(LoadRequest request, FolderObjectStore objects, CancellationToken cancellationToken)
    {
        await _schemaGate.WaitAsync(cancellationToken);
        var linked = new List<(string Full, string Named)>();
        var committed = false;
        try
        {
            if (await IsJobDoneAsync(request.JobId, cancellationToken))
            {
                return new LoadResult(request.JobId, 0, AlreadyDone: true);
            }

            var folder = Path.Combine(TableFilesPath, request.Destination.Dataset, request.Destination.Table);
            Directory.CreateDirectory(folder);
            for (var i = 0; i < request.Sources.Count; i++)
            {
                var full = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{FileNameOf(request.JobId)}-{i}.parquet"));
                await KeepFileAsync(objects, request.JobId, request.Sources[i], full, cancellationToken);
                linked.Add((full, FilesByRelativePath ? Path.GetRelativePath(DatabaseFolder, full).Replace('\\', '/') : full));
            }

            var files = DuckDbSql.ReadParquet(linked.Select(l => l.Full));
            var (types, rows) = await RunAsync(
                async connection => (await DescribeAsync(connection, files, cancellationToken), Convert.ToInt64(await ScalarAsync(connection, $"SELECT count(*) FROM {files}", cancellationToken), CultureInfo.InvariantCulture)),
                retryConflicts: false,
                cancellationToken);
            var replaced = await RunAsync(
                async connection =>
                {
                    var existing = await ReadColumnsAsync(connection, request.Destination, cancellationToken);
                    var columns = WithAddedColumns(existing, request.Schema.Columns);
                    var stray = types.Keys.FirstOrDefault(name => !columns.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)));
                    if (stray is not null)
                    {
                        throw new WarehouseException(
                            $"Load {request.JobId}: the files have a column '{stray}' that {request.Destination} does not have and its schema does not declare; nothing was loaded.",
                            reason: "invalid",
                            location: $"{request.Destination}.{stray}");
                    }

                    var description = existing.Count == 0 ? request.Schema.Description : await DescriptionAsync(connection, request.Destination, cancellationToken);
                    await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                    await ExecuteNonQueryAsync(
                        connection,
                        $"INSERT INTO {DuckDbSql.Table(LoadJobs)} (job_id, destination, \"rows\", loaded_at) VALUES ($job, $destination, $rows, $at)",
                        cancellationToken,
                        ("job", request.JobId),
                        ("destination", request.Destination.ToString()),
                        ("rows", rows),
                        ("at", DateTime.UtcNow));
                    var before = await FilesOfAsync(connection, request.Destination, cancellationToken);
                    if (request.Mode == WriteMode.Truncate)
                    {
                        await ExecuteNonQueryAsync(connection, $"DELETE FROM {DuckDbSql.Table(TableFiles)} WHERE destination = $destination", cancellationToken, ("destination", request.Destination.ToString()));
                    }

                    foreach (var (_, named) in linked)
                    {
                        await ExecuteNonQueryAsync(
                            connection,
                            $"INSERT INTO {DuckDbSql.Table(TableFiles)} (destination, path, job_id, added_at) VALUES ($destination, $path, $job, $at)",
                            cancellationToken,
                            ("destination", request.Destination.ToString()),
                            ("path", named),
                            ("job", request.JobId),
                            ("at", DateTime.UtcNow));
                    }

                    await ReplaceViewAsync(connection, request.Destination, columns, description, cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return request.Mode == WriteMode.Truncate ? before : [];
                },
                retryConflicts: true,
                cancellationToken);
            committed = true;
            foreach (var named in replaced)
            {
                TryDelete(Path.Combine(DatabaseFolder, named)); // truncated: no longer read by the view
            }

            return new LoadResult(request.JobId, rows, AlreadyDone: false);
        }
        finally
        {
            if (!committed)
            {
                foreach (var (full, _) in linked)
                {
                    TryDelete(full);
                }
            }

            _schemaGate.Release();
        }
    }

    /// <summary>Makes <paramref name="path"/> hold the source object: a hard link to the store's file, else a copy.</summary>
    private static async Task KeepFileAsync(FolderObjectStore objects, string jobId, ObjectRef source, string path, CancellationToken cancellationToken)
    {
        TryDelete(path); // left by an attempt that stopped before its commit; the job has not run
        try
        {
            await objects.DownloadToFileAsync(source, path, cancellationToken);
        }
        catch (ObjectNotFoundException ex)
        {
            throw new WarehouseException($"Load {jobId}: {ex.Message}", reason: "notFound", location: source.ToString(), inner: ex);
        }
    }

    /// <summary>
    /// Defines an in-place table's view over all its files with <paramref name="columns"/>: a column no file has reads
    /// as NULL; instants convert as a load converts them. Comments are set again (replacing a view drops them).
    /// </summary>
    private async Task ReplaceViewAsync(DuckDBConnection connection, TableId table, IReadOnlyList<ColumnSchema> columns, string? description, CancellationToken cancellationToken)
    {
        var source = DuckDbSql.ReadParquet(await FilesOfAsync(connection, table, cancellationToken));
        var projection = Projection(columns, await DescribeAsync(connection, source, cancellationToken));
        var view = DuckDbSql.Table(table);
        await ExecuteNonQueryAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {DuckDbSql.Quote(table.Dataset)}", cancellationToken);
        await ExecuteNonQueryAsync(connection, $"CREATE OR REPLACE VIEW {view} AS SELECT {projection} FROM {source}", cancellationToken);
        if (description is not null)
        {
            await ExecuteNonQueryAsync(connection, $"COMMENT ON VIEW {view} IS {DuckDbSql.Literal(description)}", cancellationToken);
        }

        foreach (var column in columns.Where(c => c.Description is not null))
        {
            await ExecuteNonQueryAsync(connection, ColumnComment(view, column), cancellationToken);
        }
    }

    /// <summary>The files an in-place table reads, in the order they were loaded, as the view names them.</summary>
    private static async Task<List<string>> FilesOfAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        await using var command = CreateCommand(connection, $"SELECT path FROM {DuckDbSql.Table(TableFiles)} WHERE destination = $destination ORDER BY added_at, path", [("destination", table.ToString())]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            files.Add(reader.GetString(0));
        }

        return files;
    }

    /// <summary>True when <paramref name="table"/> is an in-place table (a view with files in <see cref="TableFiles"/>).</summary>
    private static async Task<bool> IsInPlaceAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken) =>
        await IsViewAsync(connection, table, cancellationToken)
        && await ScalarAsync(connection, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = $schema AND table_name = $table", cancellationToken, ("schema", TableFiles.Dataset), ("table", TableFiles.Table)) is long and > 0
        && await ScalarAsync(connection, $"SELECT count(*) FROM {DuckDbSql.Table(TableFiles)} WHERE destination = $destination", cancellationToken, ("destination", table.ToString())) is long and > 0;

    /// <summary>The table's (or view's) comment, or null.</summary>
    private static async Task<string?> DescriptionAsync(DuckDBConnection connection, TableId table, CancellationToken cancellationToken) =>
        NullIfEmpty(await ScalarAsync(
            connection,
            "SELECT comment FROM duckdb_tables() WHERE lower(schema_name) = lower($schema) AND lower(table_name) = lower($table)"
            + " UNION ALL SELECT comment FROM duckdb_views() WHERE lower(schema_name) = lower($schema) AND lower(view_name) = lower($table)",
            cancellationToken,
            ("schema", table.Dataset),
            ("table", table.Table)) as string);

    /// <summary><paramref name="existing"/> followed by the columns of <paramref name="wanted"/> it lacks (added columns are nullable).</summary>
    private static List<ColumnSchema> WithAddedColumns(IReadOnlyList<ColumnSchema> existing, IReadOnlyList<ColumnSchema> wanted) =>
        existing.Count == 0
            ? [.. wanted]
            : [.. existing, .. wanted.Where(c => !existing.Any(e => string.Equals(e.Name, c.Name, StringComparison.OrdinalIgnoreCase))).Select(c => c with { Nullable = true })];

    /// <summary>
    /// A job id as part of a file name: itself when it is only letters, digits, '-' and '_'; otherwise those characters
    /// with the rest as '_', and a hash of the id so that two ids never share a name.
    /// </summary>
    private static string FileNameOf(string jobId)
    {
        if (jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return jobId;
        }

        var safe = new string(jobId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(jobId));
        return $"{safe}-{Convert.ToHexStringLower(hash, 0, 6)}";
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // a file still open elsewhere goes when it closes; nothing refers to it
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
