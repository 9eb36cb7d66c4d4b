using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Storage;

namespace OpenTrace.Core.Retrieval;

/// <summary>Supplies the index searches run against.</summary>
public interface IRetrievalIndexSource
{
    /// <summary>The current index; loads it on first use. Throws <see cref="NoSnapshotException"/> when there is nothing to load.</summary>
    ValueTask<RetrievalIndex> GetIndexAsync(CancellationToken cancellationToken = default);
}

/// <summary>No embeddings snapshot has been published for the corpus yet. The serve API answers 503.</summary>
public sealed class NoSnapshotException(string manifestUri)
    : Exception($"No embeddings snapshot yet: {manifestUri} does not exist. Build one with the features function (cloud) or 'opentrace features' / 'opentrace qa' (local).")
{
    /// <summary>The manifest that was looked for.</summary>
    public string ManifestUri { get; } = manifestUri;
}

/// <summary>An index that never changes (tests, one-shot CLI runs).</summary>
/// <param name="index">The index.</param>
public sealed class FixedIndexSource(RetrievalIndex index) : IRetrievalIndexSource
{
    /// <inheritdoc />
    public ValueTask<RetrievalIndex> GetIndexAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(index);
}

/// <summary>
/// The serving index: the corpus's current snapshot from the lake, loaded on first use and kept in memory. At most
/// once per refresh interval a request checks the manifest's generation (one metadata call) and, when a newer
/// snapshot was published, loads it while the old index keeps answering. If that check fails, the loaded index
/// goes on serving and the failure is logged.
/// </summary>
public sealed class SnapshotIndexSource : IRetrievalIndexSource, IDisposable
{
    private readonly IObjectStore _store;
    private readonly EmbeddingSnapshotStore _snapshots;
    private readonly TimeSpan _refresh;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile Loaded? _current;

    /// <summary>Creates the source; nothing is read until the first <see cref="GetIndexAsync"/>.</summary>
    /// <param name="store">The object store.</param>
    /// <param name="lakeBucket">The lake bucket.</param>
    /// <param name="corpus">The corpus name.</param>
    /// <param name="refreshInterval">How often to look for a newer snapshot.</param>
    /// <param name="time">Clock; null uses the system clock.</param>
    /// <param name="logger">Where refresh failures go; null discards them.</param>
    public SnapshotIndexSource(IObjectStore store, string lakeBucket, string corpus, TimeSpan refreshInterval, TimeProvider? time = null, ILogger<SnapshotIndexSource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _snapshots = new EmbeddingSnapshotStore(store, lakeBucket, corpus);
        _refresh = refreshInterval;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public async ValueTask<RetrievalIndex> GetIndexAsync(CancellationToken cancellationToken = default)
    {
        var current = _current;
        if (current is not null)
        {
            // While one request refreshes, the others go on with the loaded index.
            if (_time.GetUtcNow() < current.NextCheck || !await _loading.WaitAsync(0, cancellationToken))
            {
                return current.Index;
            }
        }
        else
        {
            await _loading.WaitAsync(cancellationToken);
        }

        try
        {
            current = _current;
            if (current is not null && _time.GetUtcNow() < current.NextCheck)
            {
                return current.Index;
            }

            try
            {
                var info = await _store.GetAsync(_snapshots.Bucket, SnapshotPaths.Manifest(_snapshots.Corpus), cancellationToken);
                if (current is not null && info?.Generation == current.Generation)
                {
                    _current = current with { NextCheck = _time.GetUtcNow() + _refresh };
                    return current.Index;
                }

                var loaded = await _snapshots.ReadCurrentAsync(cancellationToken) ?? throw new NoSnapshotException(_snapshots.ManifestUri);
                var index = loaded.Snapshot.ToIndex(loaded.Manifest.Snapshot);
                _current = new Loaded(index, loaded.ManifestGeneration, _time.GetUtcNow() + _refresh);
                return index;
            }
            catch (Exception ex) when (current is not null && ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Could not refresh the embeddings index from {Manifest}; serving snapshot {Snapshot}.", _snapshots.ManifestUri, current.Index.Snapshot);
                _current = current with { NextCheck = _time.GetUtcNow() + _refresh };
                return current.Index;
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _loading.Dispose();

    private sealed record Loaded(RetrievalIndex Index, long Generation, DateTimeOffset NextCheck);
}
