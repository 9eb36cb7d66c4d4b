using Microsoft.Data.Sqlite;
using OpenTrace.Core;
using OpenTrace.Core.Documents;

namespace OpenTrace.Embedded.Documents;

/// <summary>
/// <see cref="IDocumentStore"/> over one SQLite file in WAL mode: a single table keyed by collection and id, fields
/// as type-tagged JSON, create and update times in microseconds. Safe for concurrent callers in this process and in
/// others sharing the file: every write is one statement or one immediate transaction, and preconditions sit in the
/// statements' WHERE clauses.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore, IDisposable
{
    private const int MaxIdBytes = 1500;
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private volatile bool _initialized;
    private long _lastMicros;

    /// <summary>Creates the store. The file is created and opened on first use.</summary>
    /// <param name="path">The SQLite file (<c>&lt;home&gt;/online.sqlite</c>).</param>
    /// <param name="time">The clock for create and update times; null uses the system clock.</param>
    public SqliteDocumentStore(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DatabasePath = Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
    }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        ValidateKey(collection, id);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT fields, create_time, update_time FROM documents WHERE collection = $collection AND id = $id", ("$collection", collection), ("$id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredDocument(collection, id, DocumentFieldCodec.Deserialize(reader.GetString(0)), DocumentFieldCodec.FromMicros(reader.GetInt64(1)), DocumentFieldCodec.FromMicros(reader.GetInt64(2)))
            : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredDocument?>> GetManyAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            ValidateKey(collection, id);
        }

        if (ids.Count == 0)
        {
            return [];
        }

        var found = new Dictionary<string, StoredDocument>(StringComparer.Ordinal);
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await using var command = Command(
                connection,
                "SELECT id, fields, create_time, update_time FROM documents WHERE collection = $collection AND id IN (SELECT value FROM json_each($ids))",
                ("$collection", collection),
                ("$ids", System.Text.Json.JsonSerializer.Serialize(ids)));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetString(0);
                found[id] = new StoredDocument(collection, id, DocumentFieldCodec.Deserialize(reader.GetString(1)), DocumentFieldCodec.FromMicros(reader.GetInt64(2)), DocumentFieldCodec.FromMicros(reader.GetInt64(3)));
            }
        }

        return ids.Select(id => found.GetValueOrDefault(id)).ToList();
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> CreateAsync(string collection, string id, IReadOnlyDictionary<string, object?> fields, CancellationToken cancellationToken = default)
    {
        ValidateKey(collection, id);
        var json = DocumentFieldCodec.Serialize(fields);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(
            connection,
            """
            INSERT INTO documents (collection, id, fields, create_time, update_time) VALUES ($collection, $id, $fields, $now, $now)
            ON CONFLICT (collection, id) DO NOTHING
            RETURNING create_time, update_time
            """,
            ("$collection", collection),
            ("$id", id),
            ("$fields", json),
            ("$now", NextMicros()));
        return await ReadWrittenAsync(command, collection, id, json, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> ReplaceAsync(string collection, string id, IReadOnlyDictionary<string, object?> fields, DateTimeOffset ifUpdateTime, CancellationToken cancellationToken = default)
    {
        ValidateKey(collection, id);
        var json = DocumentFieldCodec.Serialize(fields);
        await using var connection = await OpenAsync(cancellationToken);

        // max(..., update_time + 1): a later update time even when the clock has not moved (or another process's is behind).
        await using var command = Command(
            connection,
            """
            UPDATE documents SET fields = $fields, update_time = max($now, update_time + 1)
            WHERE collection = $collection AND id = $id AND update_time = $ifUpdateTime
            RETURNING create_time, update_time
            """,
            ("$collection", collection),
            ("$id", id),
            ("$fields", json),
            ("$now", NextMicros()),
            ("$ifUpdateTime", DocumentFieldCodec.ToMicros(ifUpdateTime)));
        return await ReadWrittenAsync(command, collection, id, json, cancellationToken);
    }

    /// <inheritdoc />
    public async Task WriteBatchAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken); // BEGIN IMMEDIATE
        foreach (var write in writes)
        {
            // Checked inside the transaction: a bad write part-way rolls back the writes before it.
            ArgumentNullException.ThrowIfNull(write, nameof(writes));
            ValidateKey(write.Collection, write.Id);
            await using var command = write.Fields is null
                ? Command(connection, "DELETE FROM documents WHERE collection = $collection AND id = $id", ("$collection", write.Collection), ("$id", write.Id))
                : Command(
                    connection,
                    """
                    INSERT INTO documents (collection, id, fields, create_time, update_time) VALUES ($collection, $id, $fields, $now, $now)
                    ON CONFLICT (collection, id) DO UPDATE SET fields = excluded.fields, update_time = max(excluded.update_time, documents.update_time + 1)
                    """,
                    ("$collection", write.Collection),
                    ("$id", write.Id),
                    ("$fields", DocumentFieldCodec.Serialize(write.Fields)),
                    ("$now", NextMicros()));
            command.Transaction = transaction;
            await ExecuteAsync(() => command.ExecuteNonQueryAsync(cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        ValidateKey(collection, id);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM documents WHERE collection = $collection AND id = $id", ("$collection", collection), ("$id", id));
        return await ExecuteAsync(() => command.ExecuteNonQueryAsync(cancellationToken)) > 0;
    }

    /// <summary>Closes the pooled connections to the file.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _initializeGate.Dispose();
    }

    private async Task<StoredDocument?> ReadWrittenAsync(SqliteCommand command, string collection, string id, string json, CancellationToken cancellationToken)
    {
        await using var reader = await ExecuteAsync(() => command.ExecuteReaderAsync(cancellationToken));
        return await reader.ReadAsync(cancellationToken)
            ? new StoredDocument(collection, id, DocumentFieldCodec.Deserialize(json), DocumentFieldCodec.FromMicros(reader.GetInt64(0)), DocumentFieldCodec.FromMicros(reader.GetInt64(1)))
            : null;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await ExecuteAsync(async () =>
            {
                await connection.OpenAsync(cancellationToken);
                await using var pragmas = Command(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;");
                return await pragmas.ExecuteNonQueryAsync(cancellationToken);
            });
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializeGate.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = Command(
                connection,
                $"""
                PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS documents (
                    collection TEXT NOT NULL,
                    id TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    create_time INTEGER NOT NULL,
                    update_time INTEGER NOT NULL,
                    PRIMARY KEY (collection, id)
                ) WITHOUT ROWID;
                """);
            await ExecuteAsync(() => command.ExecuteNonQueryAsync(cancellationToken));
            _initialized = true;
        }
        finally
        {
            _initializeGate.Release();
        }
    }

    /// <summary>Microseconds from the clock, always past the last value handed out by this store.</summary>
    private long NextMicros()
    {
        var now = DocumentFieldCodec.ToMicros(_time.GetUtcNow());
        while (true)
        {
            var last = Interlocked.Read(ref _lastMicros);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref _lastMicros, next, last) == last)
            {
                return next;
            }
        }
    }

    private async Task<T> ExecuteAsync<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new TransientException($"The document store {DatabasePath} stayed busy for {BusyTimeoutMilliseconds / 1000} s: {ex.Message}", ex);
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    /// <summary>The rules Firestore applies to collection and document ids, so that both stores accept the same keys.</summary>
    private static void ValidateKey(string collection, string id)
    {
        ValidateSegment(collection, nameof(collection));
        ValidateSegment(id, nameof(id));
    }

    private static void ValidateSegment(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Contains('/') || value is "." or ".." || System.Text.Encoding.UTF8.GetByteCount(value) > MaxIdBytes)
        {
            throw new ArgumentException($"Invalid {parameter} '{value}': it must not contain '/', be '.' or '..', or exceed {MaxIdBytes} bytes.", parameter);
        }
    }
}
