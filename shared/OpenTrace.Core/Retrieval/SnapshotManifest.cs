using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTrace.Core.Storage;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Object names of a corpus's embeddings in the lake bucket:
/// <c>embeddings/&lt;corpus&gt;/manifest.json</c> names the current snapshot,
/// <c>embeddings/&lt;corpus&gt;/snapshots/&lt;yyyyMMddTHHmmssfffZ&gt;-&lt;corpus hash&gt;.parquet</c> are the snapshots
/// (written create-only, never overwritten; the current and the previous one are kept, older ones deleted).
/// </summary>
public static class SnapshotPaths
{
    /// <summary><c>embeddings/&lt;corpus&gt;/manifest.json</c>.</summary>
    public static string Manifest(string corpus) => $"{Prefix(corpus)}manifest.json";

    /// <summary><c>embeddings/&lt;corpus&gt;/snapshots/</c>.</summary>
    public static string SnapshotsPrefix(string corpus) => $"{Prefix(corpus)}snapshots/";

    /// <summary>A new snapshot's name: its creation time (UTC, milliseconds) and the first 12 characters of the corpus hash.</summary>
    public static string Snapshot(string corpus, DateTimeOffset createdAt, string corpusHash)
    {
        ArgumentException.ThrowIfNullOrEmpty(corpusHash);
        var stamp = createdAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        return $"{SnapshotsPrefix(corpus)}{stamp}-{corpusHash[..Math.Min(12, corpusHash.Length)]}.parquet";
    }

    private static string Prefix(string corpus)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(corpus);
        if (corpus.Contains('/', StringComparison.Ordinal) || corpus.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Corpus name '{corpus}' must not contain '/' or '..'.", nameof(corpus));
        }

        return $"{LakePaths.EmbeddingsPrefix}{corpus}/";
    }
}

/// <summary>
/// The manifest naming a corpus's current embeddings snapshot (<c>embeddings/&lt;corpus&gt;/manifest.json</c>).
/// Replaced with a generation precondition, so two indexers racing cannot both win.
/// </summary>
/// <param name="Corpus">Corpus name, for example <c>olist</c>.</param>
/// <param name="Snapshot">Object name of the current snapshot in the same bucket.</param>
/// <param name="Model">Embedding model of its vectors.</param>
/// <param name="Dimensions">Values per vector.</param>
/// <param name="Chunks">Rows in the snapshot.</param>
/// <param name="CorpusHash">Hash over the model and every chunk (id, content hash, lineage, metadata); equal hashes mean an equal snapshot.</param>
/// <param name="CreatedAt">When the snapshot was written (UTC).</param>
/// <param name="ChunksBySource">Rows per source (<c>docs</c>, <c>reviews</c>).</param>
public sealed record SnapshotManifest(
    string Corpus,
    string Snapshot,
    string Model,
    int Dimensions,
    int Chunks,
    string CorpusHash,
    DateTimeOffset CreatedAt,
    IReadOnlyDictionary<string, int> ChunksBySource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The manifest as UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Parses a manifest; throws <see cref="OpenTraceException"/> naming <paramref name="uri"/> when it is not one.</summary>
    public static SnapshotManifest Parse(ReadOnlySpan<byte> json, string uri)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<SnapshotManifest>(json, Json);
            return manifest is { Snapshot.Length: > 0, Model.Length: > 0, Dimensions: > 0 }
                ? manifest
                : throw new OpenTraceException("The manifest lacks snapshot, model or dimensions.", file: uri, rule: "snapshot_manifest");
        }
        catch (JsonException ex)
        {
            throw new OpenTraceException($"The manifest is not valid JSON: {ex.Message}", file: uri, rule: "snapshot_manifest", inner: ex);
        }
    }

    /// <summary>
    /// Reads the corpus's manifest with its object generation, or null when there is none yet.
    /// </summary>
    public static async Task<(SnapshotManifest Manifest, long Generation)?> ReadAsync(IObjectStore store, string bucket, string corpus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var name = SnapshotPaths.Manifest(corpus);
        var info = await store.GetAsync(bucket, name, cancellationToken);
        if (info is null)
        {
            return null;
        }

        try
        {
            await using var stream = await store.OpenReadAsync(bucket, name, info.Generation, cancellationToken);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return (Parse(buffer.ToArray(), ObjectRef.ToUri(bucket, name)), info.Generation);
        }
        catch (ObjectNotFoundException)
        {
            return null; // replaced or deleted between the two calls; the caller treats it as absent and retries later
        }
    }
}
