using System.Runtime.CompilerServices;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Retrieval;

/// <summary>An object store in memory with generations and the create-only / generation-match preconditions.</summary>
internal sealed class InMemoryObjectStore : IObjectStore
{
    private readonly Dictionary<(string Bucket, string Name), (byte[] Content, ObjectInfo Info)> _objects = [];
    private readonly Lock _lock = new();
    private long _generation = 1000;

    public int Uploads { get; private set; }

    public int Reads { get; private set; }

    /// <summary>When set, the next call throws it (then clears).</summary>
    public Exception? FailNext { get; set; }

    public Task<ObjectInfo?> GetAsync(string bucket, string name, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            return Task.FromResult(_objects.TryGetValue((bucket, name), out var o) ? o.Info : null);
        }
    }

    public Task<Stream> OpenReadAsync(string bucket, string name, long? generation = null, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            Reads++;
            if (!_objects.TryGetValue((bucket, name), out var o) || (generation is not null && generation != o.Info.Generation))
            {
                throw new ObjectNotFoundException(bucket, name, generation);
            }

            return Task.FromResult<Stream>(new MemoryStream(o.Content, writable: false));
        }
    }

    public async Task<ObjectInfo> UploadAsync(string bucket, string name, Stream content, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        lock (_lock)
        {
            var live = _objects.TryGetValue((bucket, name), out var o) ? o.Info.Generation : (long?)null;
            if (options?.IfGenerationMatch is { } expected && expected != (live ?? 0))
            {
                throw new PreconditionFailedException(bucket, name, expected, live);
            }

            var now = DateTimeOffset.UtcNow;
            var info = new ObjectInfo(bucket, name, ++_generation, 1, buffer.Length, options?.ContentType, now, now, null, null, new Dictionary<string, string>());
            _objects[(bucket, name)] = (buffer.ToArray(), info);
            Uploads++;
            return info;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        List<ObjectInfo> infos;
        lock (_lock)
        {
            infos = _objects.Where(o => o.Key.Bucket == bucket && (prefix is null || o.Key.Name.StartsWith(prefix, StringComparison.Ordinal)))
                .Select(o => o.Value.Info).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        }

        foreach (var info in infos)
        {
            yield return info;
        }
    }

    public Task<bool> DeleteAsync(string bucket, string name, long? ifGenerationMatch = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var live = _objects.TryGetValue((bucket, name), out var o) ? o.Info.Generation : (long?)null;
            if (ifGenerationMatch is { } expected && expected != live)
            {
                throw new PreconditionFailedException(bucket, name, expected, live);
            }

            return Task.FromResult(_objects.Remove((bucket, name)));
        }
    }

    public byte[] Content(string bucket, string name)
    {
        lock (_lock)
        {
            return _objects[(bucket, name)].Content;
        }
    }

    private void ThrowIfFailing()
    {
        if (FailNext is { } failure)
        {
            FailNext = null;
            throw failure;
        }
    }
}

/// <summary>A warehouse holding one table's rows: answers GetTable and every query with them, recording the SQL.</summary>
internal sealed class RowsWarehouse(TableId table, IReadOnlyList<WarehouseRow>? rows) : IWarehouse
{
    public List<string> Queries { get; } = [];

    public SqlDialect Dialect => SqlDialect.DuckDb;

    public Task<TableSchema?> GetTableAsync(TableId id, CancellationToken cancellationToken = default) =>
        Task.FromResult(rows is not null && id == table ? new TableSchema(table, []) : null);

    public async IAsyncEnumerable<WarehouseRow> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Queries.Add(sql);
        await Task.Yield();
        foreach (var row in rows ?? [])
        {
            yield return row;
        }
    }

    public Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>A review row as silver holds it.</summary>
    public static WarehouseRow Review(string reviewId, string orderId, long? score, string? title, string? message, string lineageId) =>
        new(["review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "lineage_id"],
            [reviewId, orderId, score, title, message, lineageId]);
}

/// <summary>Wraps an embedder, counting the texts it is asked to embed.</summary>
internal sealed class CountingEmbedder(ITextEmbedder inner) : ITextEmbedder
{
    public List<string> Embedded { get; } = [];

    public string ModelId => inner.ModelId;

    public int Dimensions => inner.Dimensions;

    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken = default)
    {
        Embedded.AddRange(texts);
        return inner.EmbedAsync(texts, purpose, cancellationToken);
    }
}

/// <summary>A chunk source over a fixed list.</summary>
internal sealed class ListSource(string name, IReadOnlyList<CorpusChunk> chunks) : ICorpusSource
{
    public string Name => name;

    public async IAsyncEnumerable<CorpusChunk> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var chunk in chunks)
        {
            yield return chunk;
        }
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
