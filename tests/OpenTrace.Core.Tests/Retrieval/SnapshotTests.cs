using System.Text.Json;
using OpenTrace.Core.Retrieval;
using OpenTrace.Testing;
using ParquetSharp;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class SnapshotTests
{
    private const string Lake = "lake";
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Snapshot_RoundTripsThroughParquet_WithTheDocumentedColumns()
    {
        var chunks = (await Corpus.DocChunksAsync()).Take(5).Append(IndexTests.Review("r1", "o1", 2, "Veio com defeito")).ToList();
        var embedder = new HashingTextEmbedder();
        var vectors = (await embedder.EmbedAsync(chunks.Select(c => c.EmbeddingText).ToList(), EmbeddingPurpose.RetrievalDocument, TestContext.Current.CancellationToken)).SelectMany(v => v).ToArray();
        var snapshot = new EmbeddingSnapshot(embedder.ModelId, embedder.Dimensions, chunks, chunks.Select(c => c.ContentHash).ToList(), vectors);
        using var temp = new TempDirectory();
        var path = temp.Combine("s.parquet");

        snapshot.WriteParquet(path);
        var read = EmbeddingSnapshot.ReadParquet(path);

        Assert.Equal(embedder.ModelId, read.Model);
        Assert.Equal(384, read.Dimensions);
        Assert.Equal(chunks, read.Chunks, ChunkComparer.Instance);
        Assert.Equal(snapshot.ContentHashes, read.ContentHashes);
        Assert.Equal(vectors, read.Vectors);
        using var file = new ParquetFileReader(path);
        Assert.Equal(
            ["chunk_id", "document", "heading", "text", "lineage_id", "metadata", "content_hash", "model", "vector"],
            Enumerable.Range(0, file.FileMetaData.Schema.GroupNode.FieldCount).Select(i => file.FileMetaData.Schema.GroupNode.Field(i).Name));
        Assert.Equal("opentrace-hashing-v1-384", file.FileMetaData.KeyValueMetadata["opentrace.model"]);
    }

    [Fact]
    public void ReadParquet_OfAnotherFile_NamesTheFileAndRule()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("other.parquet");
        using (var writer = new ParquetFileWriter(path, [new Column<string>("x")]))
        {
            using var group = writer.AppendRowGroup();
            using var column = group.NextColumn().LogicalWriter<string>();
            column.WriteBatch(["a"]);
            writer.Close();
        }

        var e = Assert.Throws<OpenTraceException>(() => EmbeddingSnapshot.ReadParquet(path, "gs://lake/embeddings/olist/snapshots/x.parquet"));
        Assert.Equal("gs://lake/embeddings/olist/snapshots/x.parquet", e.File);
        Assert.Equal("snapshot_format", e.Rule);
    }

    [Fact]
    public async Task Indexer_FirstRun_EmbedsEveryChunk_PublishesSnapshotAndManifest()
    {
        var store = new InMemoryObjectStore();
        var embedder = new CountingEmbedder(new HashingTextEmbedder());
        var docs = await Corpus.DocChunksAsync();
        var indexer = new EmbeddingIndexer(store, Lake, "olist", embedder, [new ListSource("docs", docs)], new ManualClock(Start));

        var result = await indexer.RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.False(result.Unchanged);
        Assert.Equal((docs.Count, docs.Count, 0, 0), (result.Chunks, result.Embedded, result.Reused, result.Removed));
        Assert.Equal(docs.Count, embedder.Embedded.Count);
        Assert.StartsWith("embeddings/olist/snapshots/20240601T100000000Z-", result.Snapshot, StringComparison.Ordinal);
        Assert.EndsWith(".parquet", result.Snapshot, StringComparison.Ordinal);
        var manifest = JsonDocument.Parse(store.Content(Lake, "embeddings/olist/manifest.json")).RootElement;
        Assert.Equal(result.Snapshot, manifest.GetProperty("snapshot").GetString());
        Assert.Equal("opentrace-hashing-v1-384", manifest.GetProperty("model").GetString());
        Assert.Equal(384, manifest.GetProperty("dimensions").GetInt32());
        Assert.Equal(docs.Count, manifest.GetProperty("chunks_by_source").GetProperty("docs").GetInt32());

        var current = await new EmbeddingSnapshotStore(store, Lake, "olist").ReadCurrentAsync(TestContext.Current.CancellationToken);
        Assert.Equal(docs.Select(d => d.ChunkId), current!.Snapshot.Chunks.Select(c => c.ChunkId));
    }

    [Fact]
    public async Task Indexer_SecondRun_EmbedsOnlyChangedAndNewChunks_AndDropsRemovedOnes()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(Start);
        var docs = await Corpus.DocChunksAsync();
        await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", docs)], clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        var changed = docs.Skip(2).ToList(); // two chunks removed
        changed[0] = changed[0] with { Text = changed[0].Text + " Edited." };
        changed.Add(IndexTests.Review("r9", "o9", 4, "Muito bom"));
        var embedder = new CountingEmbedder(new HashingTextEmbedder());
        clock.Now = Start.AddHours(1);

        var result = await new EmbeddingIndexer(store, Lake, "olist", embedder, [new ListSource("docs", changed)], clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, embedder.Embedded.Count); // the edited chunk and the new review
        Assert.Equal((changed.Count, 2, changed.Count - 2, 3), (result.Chunks, result.Embedded, result.Reused, result.Removed));
        var current = (await new EmbeddingSnapshotStore(store, Lake, "olist").ReadCurrentAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal(result.Snapshot, current.Manifest.Snapshot);
        Assert.Equal(changed.Select(c => c.ChunkId), current.Snapshot.Chunks.Select(c => c.ChunkId));
        var fresh = new HashingTextEmbedder();
        for (var row = 0; row < current.Snapshot.Count; row++)
        {
            Assert.Equal(fresh.Embed(changed[row].EmbeddingText), current.Snapshot.Vector(row).ToArray()); // reused vectors sit on the right rows
        }
    }

    [Fact]
    public async Task Indexer_KeepsTheCurrentAndThePreviousSnapshot_AndDeletesOlderOnes()
    {
        var store = new InMemoryObjectStore();
        var docs = (await Corpus.DocChunksAsync()).Take(8).ToList();
        var names = new List<string>();
        for (var run = 0; run < 4; run++)
        {
            var chunks = docs.Take(5 + run).ToList();
            var result = await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", chunks)], new ManualClock(Start.AddHours(run)))
                .RunAsync(cancellationToken: TestContext.Current.CancellationToken);
            names.Add(result.Snapshot);
        }

        var left = new List<string>();
        await foreach (var info in store.ListAsync(Lake, "embeddings/olist/snapshots/", TestContext.Current.CancellationToken))
        {
            left.Add(info.Name);
        }

        Assert.Equal(names[^2..], left);
    }

    [Fact]
    public async Task Indexer_NothingChanged_WritesNothing()
    {
        var store = new InMemoryObjectStore();
        var docs = await Corpus.DocChunksAsync();
        var first = await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", docs)], new ManualClock(Start)).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        var uploads = store.Uploads;
        var embedder = new CountingEmbedder(new HashingTextEmbedder());

        var again = await new EmbeddingIndexer(store, Lake, "olist", embedder, [new ListSource("docs", docs)], new ManualClock(Start.AddDays(1))).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(again.Unchanged);
        Assert.Equal(first.Snapshot, again.Snapshot);
        Assert.Empty(embedder.Embedded);
        Assert.Equal(uploads, store.Uploads);
    }

    [Fact]
    public async Task Indexer_AnotherModel_ReembedsEverything()
    {
        var store = new InMemoryObjectStore();
        var docs = (await Corpus.DocChunksAsync()).Take(10).ToList();
        await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", docs)], new ManualClock(Start)).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        var embedder = new CountingEmbedder(new HashingTextEmbedder(256));

        var result = await new EmbeddingIndexer(store, Lake, "olist", embedder, [new ListSource("docs", docs)], new ManualClock(Start.AddHours(1))).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((10, 0, 10), (result.Embedded, result.Reused, result.Removed));
        Assert.Equal(10, embedder.Embedded.Count);
        Assert.Equal(256, (await new EmbeddingSnapshotStore(store, Lake, "olist").ReadCurrentAsync(TestContext.Current.CancellationToken))!.Snapshot.Dimensions);
    }

    [Fact]
    public async Task Indexer_DuplicateChunkIdsAcrossSources_FailNamingBoth()
    {
        var chunk = IndexTests.Review("r1", "o1", 3, "Ok");
        var indexer = new EmbeddingIndexer(new InMemoryObjectStore(), Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", [chunk]), new ListSource("reviews", [chunk])]);

        var e = await Assert.ThrowsAsync<OpenTraceException>(() => indexer.RunAsync(cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("review/r1/o1", e.Message, StringComparison.Ordinal);
        Assert.Contains("docs and reviews", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_WhenTheManifestMovedMeanwhile_IsTransientAndKeepsTheWinner()
    {
        var store = new InMemoryObjectStore();
        var snapshots = new EmbeddingSnapshotStore(store, Lake, "olist");
        var chunk = IndexTests.Review("r1", "o1", 3, "Ok");
        var snapshot = new EmbeddingSnapshot("m", 2, [chunk], [chunk.ContentHash], [1f, 0f]);
        var winner = await snapshots.PublishAsync(snapshot, "aaaa", new Dictionary<string, int>(), Start, null, cancellationToken: TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<TransientException>(() => snapshots.PublishAsync(snapshot, "bbbb", new Dictionary<string, int>(), Start.AddSeconds(1), null, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(winner.Snapshot, (await snapshots.ReadManifestAsync(TestContext.Current.CancellationToken))!.Value.Manifest.Snapshot);
    }

    [Fact]
    public void Manifest_NotJson_NamesTheObject()
    {
        var e = Assert.Throws<OpenTraceException>(() => SnapshotManifest.Parse(System.Text.Encoding.UTF8.GetBytes("{not json"), "gs://lake/embeddings/olist/manifest.json"));

        Assert.Equal("gs://lake/embeddings/olist/manifest.json", e.File);
    }

    [Fact]
    public async Task IndexSource_LoadsOnce_RefreshesAfterTheIntervalWhenANewSnapshotExists_AndServesTheOldOneOnErrors()
    {
        var store = new InMemoryObjectStore();
        var clock = new ManualClock(Start);
        var docs = (await Corpus.DocChunksAsync()).Take(6).ToList();
        await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", docs)], clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var source = new SnapshotIndexSource(store, Lake, "olist", TimeSpan.FromMinutes(1), clock);

        var first = await source.GetIndexAsync(TestContext.Current.CancellationToken);
        var reads = store.Reads;
        Assert.Same(first, await source.GetIndexAsync(TestContext.Current.CancellationToken));
        Assert.Equal(reads, store.Reads);

        clock.Now = Start.AddSeconds(30);
        await new EmbeddingIndexer(store, Lake, "olist", new HashingTextEmbedder(), [new ListSource("docs", docs.Take(4).ToList())], clock).RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Same(first, await source.GetIndexAsync(TestContext.Current.CancellationToken)); // within the interval

        clock.Now = Start.AddMinutes(2);
        var second = await source.GetIndexAsync(TestContext.Current.CancellationToken);
        Assert.Equal(4, second.Count);

        clock.Now = Start.AddMinutes(4);
        store.FailNext = new TransientException("storage unavailable");
        Assert.Same(second, await source.GetIndexAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IndexSource_WithoutSnapshot_ThrowsNoSnapshotNamingTheManifest()
    {
        using var source = new SnapshotIndexSource(new InMemoryObjectStore(), Lake, "olist", TimeSpan.FromMinutes(1));

        var e = await Assert.ThrowsAsync<NoSnapshotException>(async () => await source.GetIndexAsync(TestContext.Current.CancellationToken));

        Assert.Equal("gs://lake/embeddings/olist/manifest.json", e.ManifestUri);
    }

    private sealed class ChunkComparer : IEqualityComparer<CorpusChunk>
    {
        public static readonly ChunkComparer Instance = new();

        public bool Equals(CorpusChunk? x, CorpusChunk? y) =>
            x!.ChunkId == y!.ChunkId && x.Document == y.Document && x.Heading == y.Heading && x.Text == y.Text && x.LineageId == y.LineageId
            && x.Metadata.OrderBy(m => m.Key).SequenceEqual(y.Metadata.OrderBy(m => m.Key));

        public int GetHashCode(CorpusChunk obj) => obj.ChunkId.GetHashCode(StringComparison.Ordinal);
    }
}
