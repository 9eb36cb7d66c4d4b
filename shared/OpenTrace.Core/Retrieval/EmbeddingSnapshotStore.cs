using OpenTrace.Core.Storage;

namespace OpenTrace.Core.Retrieval;

/// <summary>A corpus's current embeddings snapshot as read from the lake.</summary>
/// <param name="Manifest">The manifest naming it.</param>
/// <param name="ManifestGeneration">The manifest object's generation (the precondition for replacing it).</param>
/// <param name="Snapshot">The snapshot's rows and vectors.</param>
public sealed record CurrentSnapshot(SnapshotManifest Manifest, long ManifestGeneration, EmbeddingSnapshot Snapshot);

/// <summary>
/// Reads and publishes a corpus's embeddings snapshots in the lake bucket (<see cref="SnapshotPaths"/>). Parquet
/// needs random access, so snapshots are spooled through a temporary file in both directions.
/// </summary>
/// <param name="store">The object store.</param>
/// <param name="bucket">The lake bucket.</param>
/// <param name="corpus">The corpus name, for example <c>olist</c>.</param>
public sealed class EmbeddingSnapshotStore(IObjectStore store, string bucket, string corpus)
{
    /// <summary>The lake bucket.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>The corpus name.</summary>
    public string Corpus { get; } = corpus;

    /// <summary><c>gs://&lt;bucket&gt;/embeddings/&lt;corpus&gt;/manifest.json</c>.</summary>
    public string ManifestUri => ObjectRef.ToUri(Bucket, SnapshotPaths.Manifest(Corpus));

    /// <summary>The manifest and its generation, or null when no snapshot was published yet.</summary>
    public Task<(SnapshotManifest Manifest, long Generation)?> ReadManifestAsync(CancellationToken cancellationToken = default) =>
        SnapshotManifest.ReadAsync(store, Bucket, Corpus, cancellationToken);

    /// <summary>The current snapshot, or null when none was published yet.</summary>
    public async Task<CurrentSnapshot?> ReadCurrentAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadManifestAsync(cancellationToken) is not { } current)
        {
            return null;
        }

        var snapshot = await ReadSnapshotAsync(current.Manifest.Snapshot, cancellationToken);
        if (snapshot.Model != current.Manifest.Model || snapshot.Dimensions != current.Manifest.Dimensions)
        {
            throw new OpenTraceException(
                $"The snapshot holds {snapshot.Dimensions}-value vectors of model '{snapshot.Model}' but the manifest says {current.Manifest.Dimensions} of '{current.Manifest.Model}'.",
                file: ObjectRef.ToUri(Bucket, current.Manifest.Snapshot), rule: "snapshot_manifest");
        }

        return new CurrentSnapshot(current.Manifest, current.Generation, snapshot);
    }

    /// <summary>Reads one snapshot object.</summary>
    public async Task<EmbeddingSnapshot> ReadSnapshotAsync(string name, CancellationToken cancellationToken = default)
    {
        var spool = Path.Combine(Path.GetTempPath(), $"opentrace-embeddings-{Guid.NewGuid():N}.parquet");
        try
        {
            await using (var source = await store.OpenReadAsync(Bucket, name, cancellationToken: cancellationToken))
            await using (var target = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await source.CopyToAsync(target, cancellationToken);
            }

            return EmbeddingSnapshot.ReadParquet(spool, ObjectRef.ToUri(Bucket, name));
        }
        finally
        {
            File.Delete(spool);
        }
    }

    /// <summary>
    /// Writes <paramref name="snapshot"/> as a new object (create-only) named after <paramref name="createdAt"/> and
    /// <paramref name="corpusHash"/>, then points the manifest at it, on the condition that the manifest is still at
    /// <paramref name="expectedManifestGeneration"/> (null: that there is none). Throws
    /// <see cref="TransientException"/> when another writer replaced the manifest first. Afterwards every snapshot
    /// object but the new one and <paramref name="previousSnapshot"/> (which a server may still be loading) is deleted.
    /// </summary>
    public async Task<SnapshotManifest> PublishAsync(
        EmbeddingSnapshot snapshot,
        string corpusHash,
        IReadOnlyDictionary<string, int> chunksBySource,
        DateTimeOffset createdAt,
        long? expectedManifestGeneration,
        string? previousSnapshot = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var name = SnapshotPaths.Snapshot(Corpus, createdAt, corpusHash);
        var spool = Path.Combine(Path.GetTempPath(), $"opentrace-embeddings-{Guid.NewGuid():N}.parquet");
        try
        {
            snapshot.WriteParquet(spool);
            await using var content = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
            try
            {
                await store.UploadAsync(Bucket, name, content, ObjectWriteOptions.CreateOnly("application/vnd.apache.parquet"), cancellationToken);
            }
            catch (PreconditionFailedException)
            {
                // The same name means the same instant and corpus: a retry of this very write already stored it.
            }
        }
        finally
        {
            File.Delete(spool);
        }

        var manifest = new SnapshotManifest(Corpus, name, snapshot.Model, snapshot.Dimensions, snapshot.Count, corpusHash, createdAt, chunksBySource);
        try
        {
            using var json = new MemoryStream(manifest.ToJson());
            await store.UploadAsync(Bucket, SnapshotPaths.Manifest(Corpus), json,
                new ObjectWriteOptions { IfGenerationMatch = expectedManifestGeneration ?? 0, ContentType = "application/json" }, cancellationToken);
        }
        catch (PreconditionFailedException ex)
        {
            throw new TransientException($"{ManifestUri} was replaced by another indexer while this one ran; run again to index on top of it.", ex);
        }

        await DeleteOldSnapshotsAsync(keep: [name, previousSnapshot], cancellationToken);
        return manifest;
    }

    private async Task DeleteOldSnapshotsAsync(IReadOnlyList<string?> keep, CancellationToken cancellationToken)
    {
        var old = new List<ObjectInfo>();
        await foreach (var info in store.ListAsync(Bucket, SnapshotPaths.SnapshotsPrefix(Corpus), cancellationToken))
        {
            if (!keep.Contains(info.Name))
            {
                old.Add(info);
            }
        }

        foreach (var info in old)
        {
            // Only this generation: a snapshot written again under the same name meanwhile stays.
            try
            {
                await store.DeleteAsync(Bucket, info.Name, info.Generation, cancellationToken);
            }
            catch (PreconditionFailedException)
            {
            }
        }
    }
}
