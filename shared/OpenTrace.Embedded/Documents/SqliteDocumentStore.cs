using Microsoft.Data.Sqlite;
using OpenTrace.Core;
using OpenTrace.Core.Documents;

namespace OpenTrace.Embedded.Documents;

/// <summary>
/// <see cref="IDocumentStore"/> over one SQLite file in WAL mode: a single table keyed by collection and id, fields
/// as type-tagged JSON, create and update times in microseconds. Safe for concurrent callers in this process and in
/// others sharing the file: every write is one statement or one immediate transaction, and preconditions sit in the
/// statements' WHERE clauses. A document whose <see cref="TtlField"/> (<c>expire_at</c>) holds a past instant reads as
/// absent and does not block a create, as the Firestore adapter treats documents its TTL policy has yet to delete.
/// </summary>
public sealed class SqliteDocumentStore : IDocumentStore, IDisposable
{
    /// <summary>The timestamp field after which a document reads as absent (Firestore's TTL policy field).</summary>
    public const string TtlField = "expire_at";

    private const int MaxIdBytes = 1500;
    private const int BusyTimeoutMilliseconds = 10_000;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private static readonly object Configured = new();

    private readonly SemaphoreSlim _initializeGate = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentBag<ReadSession> _readers = [];
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();
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
        var session = await RentReaderAsync(cancellationToken);
        try
        {
            var command = session.Get;
            command.Parameters[0].Value = collection;
            command.Parameters[1].Value = id;
            StoredDocument? document = null;
            await using (var reader = await ExecuteAsync(() => command.ExecuteReaderAsync(cancellationToken)))
            {
                if (await reader.ReadAsync(cancellationToken))
                {
                    document = Unexpired(new StoredDocument(collection, id, DocumentFieldCodec.Deserialize(reader.GetFieldValue<byte[]>(0)), DocumentFieldCodec.FromMicros(reader.GetInt64(1)), DocumentFieldCodec.FromMicros(reader.GetInt64(2))));
                }
            }

            _readers.Add(session);
            return document;
        }
        catch
        {
            session.Dispose();
            throw;
        }
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
        var session = await RentReaderAsync(cancellationToken);
        try
        {
            var command = session.GetMany;
            command.Parameters[0].Value = collection;
            command.Parameters[1].Value = System.Text.Json.JsonSerializer.Serialize(ids);
            await using (var reader = await ExecuteAsync(() => command.ExecuteReaderAsync(cancellationToken)))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetString(0);
                    if (Unexpired(new StoredDocument(collection, id, DocumentFieldCodec.Deserialize(reader.GetFieldValue<byte[]>(1)), DocumentFieldCodec.FromMicros(reader.GetInt64(2)), DocumentFieldCodec.FromMicros(reader.GetInt64(3)))) is { } document)
                    {
                        found[id] = document;
                    }
                }
            }

            _readers.Add(session);
        }
        catch
        {
            session.Dispose();
            throw;
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
            ON CONFLICT (collection, id) DO UPDATE SET fields = excluded.fields, create_time = excluded.create_time, update_time = max(excluded.update_time, documents.update_time + 1)
              WHERE json_extract(documents.fields, '$.' || $ttlField || '.t') <= $clock
            RETURNING create_time, update_time
            """,
            ("$collection", collection),
            ("$id", id),
            ("$fields", json),
            ("$now", NextMicros()),
            ("$ttlField", TtlField),
            ("$clock", DocumentFieldCodec.ToMicros(_time.GetUtcNow())));
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
        while (_readers.TryTake(out var session))
        {
            session.Dispose();
        }

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _initializeGate.Dispose();
    }

    /// <summary>
    /// An open connection with the reads prepared, from the store's own pool. Reads are the serving path: reusing a
    /// connection and its prepared statements saves the pool lookup and a statement compile per read. WAL readers
    /// hold no lock between statements, so idle sessions do not block writers.
    /// </summary>
    private async Task<ReadSession> RentReaderAsync(CancellationToken cancellationToken)
    {
        if (_readers.TryTake(out var session))
        {
            return session;
        }

        var connection = await OpenAsync(cancellationToken);
        try
        {
            return new ReadSession(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The document, or null when its <see cref="TtlField"/> is past.</summary>
    private StoredDocument? Unexpired(StoredDocument document) =>
        document.Fields.TryGetValue(TtlField, out var value) && value is DateTimeOffset expiry && expiry <= _time.GetUtcNow() ? null : document;

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

                // The pool hands back the same native connection, which keeps its settings: set them once per native
                // connection, not on every open (two statements per read on the serving path otherwise).
                if (connection.Handle is not { } handle || _configured.TryGetValue(handle, out _))
                {
                    return 0;
                }

                await using var pragmas = Command(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL;");
                var result = await pragmas.ExecuteNonQueryAsync(cancellationToken);
                _configured.AddOrUpdate(handle, Configured);
                return result;
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

    /// <summary>A connection kept open with the two reads prepared.</summary>
    private sealed class ReadSession : IDisposable
    {
        private readonly SqliteConnection _connection;

        public ReadSession(SqliteConnection connection)
        {
            _connection = connection;
            Get = Prepare("SELECT fields, create_time, update_time FROM documents WHERE collection = $collection AND id = $id", "$collection", "$id");
            GetMany = Prepare("SELECT id, fields, create_time, update_time FROM documents WHERE collection = $collection AND id IN (SELECT value FROM json_each($ids))", "$collection", "$ids");
        }

        public SqliteCommand Get { get; }

        public SqliteCommand GetMany { get; }

        public void Dispose()
        {
            Get.Dispose();
            GetMany.Dispose();
            _connection.Dispose();
        }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, SqliteType.Text));
            }

            command.Prepare();
            return command;
        }
    }
}
