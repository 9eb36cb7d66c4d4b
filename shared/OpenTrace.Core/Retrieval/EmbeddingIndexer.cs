using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Storage;

namespace OpenTrace.Core.Retrieval;

/// <summary>Where an indexing run is.</summary>
/// <param name="Stage"><c>read</c>, <c>embed</c> or <c>publish</c>.</param>
/// <param name="Done">Units done (chunks read, texts embedded).</param>
/// <param name="Total">Units in the stage, or null when not known yet.</param>
public sealed record EmbeddingProgress(string Stage, int Done, int? Total);

/// <summary>What an indexing run did.</summary>
/// <param name="Snapshot">Object name of the current snapshot (the new one, or the unchanged one).</param>
/// <param name="Chunks">Chunks in the corpus.</param>
/// <param name="Embedded">Chunks whose vector was computed in this run (new or changed text; identical texts are sent once).</param>
/// <param name="Reused">Chunks whose vector was taken from the previous snapshot.</param>
/// <param name="Removed">Distinct texts of the previous snapshot no longer in the corpus.</param>
/// <param name="Unchanged">True when the corpus equals the current snapshot, so nothing was written.</param>
/// <param name="Model">The embedding model.</param>
/// <param name="ChunksBySource">Chunks per source (<c>docs</c>, <c>reviews</c>).</param>
public sealed record EmbeddingIndexResult(
    string Snapshot,
    int Chunks,
    int Embedded,
    int Reused,
    int Removed,
    bool Unchanged,
    string Model,
    IReadOnlyDictionary<string, int> ChunksBySource);

/// <summary>
/// Builds a corpus's embeddings snapshot incrementally: reads every chunk from the sources, reuses the vector of
/// every chunk whose content hash (and model) is in the current snapshot, embeds only new or changed texts, drops
/// chunks that are gone, and publishes a new snapshot plus manifest. When nothing changed it writes nothing.
/// The Features function and <c>opentrace features</c> / <c>demo</c> call <see cref="RunAsync"/>.
/// </summary>
public sealed class EmbeddingIndexer
{
    /// <summary>Texts handed to the embedder per call (adapters split further by their own limits).</summary>
    public const int EmbedBatch = 500;

    private readonly EmbeddingSnapshotStore _snapshots;
    private readonly ITextEmbedder _embedder;
    private readonly IReadOnlyList<ICorpusSource> _sources;
    private readonly TimeProvider _time;

    /// <summary>Creates the indexer.</summary>
    /// <param name="store">The object store holding the lake bucket.</param>
    /// <param name="lakeBucket">The lake bucket.</param>
    /// <param name="corpus">Corpus name (the folder under <c>embeddings/</c>), for example <c>olist</c>.</param>
    /// <param name="embedder">The embedder for new and changed chunks.</param>
    /// <param name="sources">Where chunks come from; chunk ids must be unique across them.</param>
    /// <param name="time">Clock for snapshot names; null uses the system clock.</param>
    public EmbeddingIndexer(IObjectStore store, string lakeBucket, string corpus, ITextEmbedder embedder, IReadOnlyList<ICorpusSource> sources, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(sources);
        _snapshots = new EmbeddingSnapshotStore(store, lakeBucket, corpus);
        _embedder = embedder;
        _sources = sources;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Runs one incremental indexing pass. <paramref name="progress"/> (null: none) hears each stage.</summary>
    public async Task<EmbeddingIndexResult> RunAsync(IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var chunks = new List<CorpusChunk>();
        var bySource = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            var count = 0;
            await foreach (var chunk in source.ReadChunksAsync(cancellationToken))
            {
                if (!seen.TryAdd(chunk.ChunkId, source.Name))
                {
                    throw new OpenTraceException($"Chunk id '{chunk.ChunkId}' appears twice (sources {seen[chunk.ChunkId]} and {source.Name}).", file: chunk.Document, rule: "unique_chunk_id");
                }

                chunks.Add(chunk);
                count++;
                if (chunks.Count % 1000 == 0)
                {
                    progress?.Report(new EmbeddingProgress("read", chunks.Count, null));
                }
            }

            bySource[source.Name] = count;
        }

        progress?.Report(new EmbeddingProgress("read", chunks.Count, chunks.Count));

        var hashes = chunks.Select(c => c.ContentHash).ToList();
        var corpusHash = CorpusHash(_embedder.ModelId, _embedder.Dimensions, chunks, hashes);
        var current = await _snapshots.ReadCurrentAsync(cancellationToken);
        if (current is not null && current.Manifest.CorpusHash == corpusHash)
        {
            return new EmbeddingIndexResult(current.Manifest.Snapshot, chunks.Count, 0, chunks.Count, 0, true, _embedder.ModelId, bySource);
        }

        // Vectors that can be reused: same text, same model, same size.
        var previous = new Dictionary<string, int>(StringComparer.Ordinal);
        if (current is not null && current.Snapshot.Model == _embedder.ModelId && current.Snapshot.Dimensions == _embedder.Dimensions)
        {
            for (var row = 0; row < current.Snapshot.Count; row++)
            {
                previous.TryAdd(current.Snapshot.ContentHashes[row], row);
            }
        }

        var dimensions = _embedder.Dimensions;
        var vectors = new float[checked(chunks.Count * dimensions)];
        var pending = new Dictionary<string, List<int>>(StringComparer.Ordinal); // content hash → rows needing it
        var reused = 0;
        for (var row = 0; row < chunks.Count; row++)
        {
            if (previous.TryGetValue(hashes[row], out var from))
            {
                current!.Snapshot.Vector(from).CopyTo(vectors.AsSpan(row * dimensions, dimensions));
                reused++;
            }
            else
            {
                (pending.TryGetValue(hashes[row], out var rows) ? rows : pending[hashes[row]] = []).Add(row);
            }
        }

        var texts = pending.Select(p => (Hash: p.Key, Text: chunks[p.Value[0]].EmbeddingText, Rows: p.Value)).ToList();
        for (var start = 0; start < texts.Count; start += EmbedBatch)
        {
            progress?.Report(new EmbeddingProgress("embed", start, texts.Count));
            var batch = texts.GetRange(start, Math.Min(EmbedBatch, texts.Count - start));
            var embedded = await _embedder.EmbedAsync(batch.Select(b => b.Text).ToList(), EmbeddingPurpose.RetrievalDocument, cancellationToken);
            if (embedded.Count != batch.Count)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The embedder {_embedder.ModelId} returned {embedded.Count} vectors for {batch.Count} texts."));
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var vector = embedded[i];
                if (vector.Length != dimensions)
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The embedder {_embedder.ModelId} returned {vector.Length} values; it declares {dimensions}."));
                }

                VectorIndex.Normalise(vector);
                foreach (var row in batch[i].Rows)
                {
                    vector.CopyTo(vectors.AsSpan(row * dimensions, dimensions));
                }
            }
        }

        progress?.Report(new EmbeddingProgress("embed", texts.Count, texts.Count));
        // Texts of the previous snapshot that are gone (all of them when the model changed and nothing was reusable).
        var now = hashes.ToHashSet(StringComparer.Ordinal);
        var removed = current is null ? 0 : current.Snapshot.ContentHashes.Distinct(StringComparer.Ordinal).Count(h => previous.Count == 0 || !now.Contains(h));

        progress?.Report(new EmbeddingProgress("publish", 0, 1));
        var snapshot = new EmbeddingSnapshot(_embedder.ModelId, dimensions, chunks, hashes, vectors);
        var manifest = await _snapshots.PublishAsync(snapshot, corpusHash, bySource, _time.GetUtcNow(), current?.ManifestGeneration, current?.Manifest.Snapshot, cancellationToken);
        progress?.Report(new EmbeddingProgress("publish", 1, 1));
        return new EmbeddingIndexResult(manifest.Snapshot, chunks.Count, chunks.Count - reused, reused, removed, false, _embedder.ModelId, bySource);
    }

    /// <summary>A hash over the model and every chunk's id, content hash, lineage and metadata, in order.</summary>
    internal static string CorpusHash(string model, int dimensions, IReadOnlyList<CorpusChunk> chunks, IReadOnlyList<string> hashes)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string value)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(value));
            sha.AppendData("\u001f"u8);
        }

        Add(model);
        Add(dimensions.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            Add(c.ChunkId);
            Add(hashes[i]);
            Add(c.Document);
            Add(c.LineageId);
            foreach (var (key, value) in c.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                Add(key);
                Add(value);
            }
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset()[..16]);
    }
}
