using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core;
using OpenTrace.Core.Storage;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp.Tests.Fakes;

namespace OpenTrace.Gcp.Tests.Storage;

public sealed class GcsObjectStoreTests : IAsyncLifetime
{
    private const string Bucket = "demo-lake";
    private const int Chunk = 256 * 1024;

    private readonly TestClients _clients = new();
    private FakeGcsServer _server = null!;
    private GcsObjectStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeGcsServer.StartAsync();
        var options = TestClients.Options(o => o.StorageEmulatorHost = _server.BaseUrl);
        _store = new GcsObjectStore(_clients.Rest(new SocketsHttpHandler(), options, "Cloud Storage", token: null), options);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Upload_SmallContent_GoesInOneMultipartRequestWithVerifiedChecksums()
    {
        var data = Encoding.UTF8.GetBytes("order_id,status\n1,delivered\n");

        var info = await _store.UploadAsync(Bucket, "olist/orders/a b.csv", new MemoryStream(data),
            new ObjectWriteOptions { Metadata = new Dictionary<string, string> { ["source"] = "test" } }, TestContext.Current.CancellationToken);

        Assert.Equal("text/csv", info.ContentType);
        Assert.Equal(data.Length, info.Size);
        Assert.Equal(ReferenceCrc32C.Base64(data), info.Crc32c);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), info.Md5Hash);
        Assert.Equal("test", info.Metadata["source"]);
        Assert.Equal(data, _server.Content(Bucket, "olist/orders/a b.csv"));
        Assert.Single(_server.Requests, r => r.StartsWith("POST /upload/storage/v1/b/demo-lake/o?uploadType=multipart", StringComparison.Ordinal));
        var fetched = await _store.GetAsync(Bucket, "olist/orders/a b.csv", TestContext.Current.CancellationToken);
        Assert.NotNull(fetched);
        Assert.Equal(info, fetched with { Metadata = info.Metadata });
        Assert.Contains("GET /storage/v1/b/demo-lake/o/olist%2Forders%2Fa%20b.csv", _server.Requests);
    }

    [Fact]
    public async Task OpenRead_StreamsLiveContent_AndAPinnedGenerationReadsTheOldVersion()
    {
        var first = _server.Put(Bucket, "x.txt", "one"u8.ToArray());
        _server.Put(Bucket, "x.txt", "two"u8.ToArray());

        Assert.Equal("two", await ReadAllAsync(await _store.OpenReadAsync(Bucket, "x.txt", cancellationToken: TestContext.Current.CancellationToken)));
        Assert.Equal("one", await ReadAllAsync(await _store.OpenReadAsync(Bucket, "x.txt", first, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task OpenRead_MissingObject_ThrowsObjectNotFound()
    {
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.OpenReadAsync(Bucket, "nope.csv", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("gs://demo-lake/nope.csv", e.Message, StringComparison.Ordinal);
        Assert.Null(await _store.GetAsync(Bucket, "nope.csv", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OpenRead_DataCorruptedInTransit_FailsTheChecksum()
    {
        _server.Put(Bucket, "data.parquet", RandomBytes(10_000, seed: 3));
        _server.CorruptDownloads = true;

        await using var stream = await _store.OpenReadAsync(Bucket, "data.parquet", cancellationToken: TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));
        Assert.Contains("Checksum mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_CreateOnlyOverAnExistingObject_ThrowsPreconditionFailedWithTheLiveGeneration()
    {
        var live = _server.Put(Bucket, "bronze/x.parquet", "old"u8.ToArray());

        var e = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            _store.UploadAsync(Bucket, "bronze/x.parquet", new MemoryStream("new"u8.ToArray()), ObjectWriteOptions.CreateOnly(), TestContext.Current.CancellationToken));

        Assert.Equal(0, e.ExpectedGeneration);
        Assert.Equal(live, e.ActualGeneration);
        Assert.Equal("old"u8.ToArray(), _server.Content(Bucket, "bronze/x.parquet"));
    }

    [Fact]
    public async Task Upload_IfGenerationMatchesTheLiveOne_ReplacesIt()
    {
        var live = _server.Put(Bucket, "state.json", "{}"u8.ToArray());

        var info = await _store.UploadAsync(Bucket, "state.json", new MemoryStream("{\"a\":1}"u8.ToArray()), new ObjectWriteOptions { IfGenerationMatch = live }, TestContext.Current.CancellationToken);

        Assert.True(info.Generation > live);
        Assert.Equal("application/json", info.ContentType);
    }

    [Fact]
    public async Task Upload_LargerThanOneChunk_SendsResumableChunksAndMatchesChecksums()
    {
        var data = RandomBytes((3 * Chunk) + 1234, seed: 1);

        var info = await _store.UploadAsync(Bucket, "lake/big.parquet", new ForwardOnlyStream(data), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(data, _server.Content(Bucket, "lake/big.parquet"));
        Assert.Equal(ReferenceCrc32C.Base64(data), info.Crc32c);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), info.Md5Hash);
        Assert.Single(_server.Requests, r => r.Contains("uploadType=resumable", StringComparison.Ordinal) && r.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal(4, _server.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Upload_ExactMultipleOfTheChunkSize_FinalisesWithAnEmptyRequest()
    {
        var data = RandomBytes(2 * Chunk, seed: 2);

        var info = await _store.UploadAsync(Bucket, "even.bin", new ForwardOnlyStream(data), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(data.Length, info.Size);
        Assert.Equal(ReferenceCrc32C.Base64(data), info.Crc32c);
        Assert.Equal(3, _server.Requests.Count(r => r.StartsWith("PUT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Upload_ConnectionKilledHalfWayThroughAChunk_ResumesFromThePersistedOffsetAndChecksumsMatch()
    {
        var options = TestClients.Options(o =>
        {
            o.StorageEmulatorHost = _server.BaseUrl;
            o.UploadChunkSize = 2 * Chunk;
        });
        var store = new GcsObjectStore(_clients.Rest(new SocketsHttpHandler(), options, "Cloud Storage", token: null), options);
        var data = RandomBytes((5 * Chunk) + 777, seed: 4);
        _server.KillNextChunkAfter(Chunk + (Chunk / 2)); // first chunk: 1.5 of its 2 units arrive, the service keeps 1

        var info = await store.UploadAsync(Bucket, "resumed.parquet", new ForwardOnlyStream(data), ObjectWriteOptions.CreateOnly(), TestContext.Current.CancellationToken);

        Assert.Equal(1, _server.KilledChunks);
        Assert.True(_server.StatusQueries >= 1, "the client must ask the session how much was persisted");
        Assert.Contains(_server.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal)); // resumed in the same session
        Assert.Equal(data, _server.Content(Bucket, "resumed.parquet"));
        Assert.Equal(ReferenceCrc32C.Base64(data), info.Crc32c);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), info.Md5Hash);
        await using var read = await store.OpenReadAsync(Bucket, "resumed.parquet", info.Generation, TestContext.Current.CancellationToken);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(Convert.ToBase64String(MD5.HashData(data)), Convert.ToBase64String(MD5.HashData(copy.ToArray())));
    }

    [Fact]
    public async Task Upload_ChunkAnswered503_AsksForStatusAndContinues()
    {
        var data = RandomBytes((2 * Chunk) + 10, seed: 5);
        _server.Fail("PUT", "/upload/", 503);

        var info = await _store.UploadAsync(Bucket, "retry.bin", new ForwardOnlyStream(data), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(ReferenceCrc32C.Base64(data), info.Crc32c);
        Assert.Equal(1, _server.StatusQueries);
        Assert.Single(_clients.Delays);
    }

    [Fact]
    public async Task List_PagesThroughEveryObjectUnderThePrefix_InNameOrder()
    {
        foreach (var name in new[] { "silver/c", "silver/a", "silver/e", "silver/b", "silver/d", "gold/z" })
        {
            _server.Put(Bucket, name, [1]);
        }

        _server.PageSize = 2;

        var names = new List<string>();
        await foreach (var o in _store.ListAsync(Bucket, "silver/", TestContext.Current.CancellationToken))
        {
            names.Add(o.Name);
        }

        Assert.Equal(["silver/a", "silver/b", "silver/c", "silver/d", "silver/e"], names);
        Assert.Equal(3, _server.Requests.Count(r => r.StartsWith("GET /storage/v1/b/demo-lake/o?", StringComparison.Ordinal)));
        Assert.Contains(_server.Requests, r => r.Contains("pageToken=silver%2Fd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_ReportsWhetherTheObjectExisted_AndHonoursTheGenerationPrecondition()
    {
        var live = _server.Put(Bucket, "q.csv", [1, 2]);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => _store.DeleteAsync(Bucket, "q.csv", live + 1, TestContext.Current.CancellationToken));
        Assert.True(await _store.DeleteAsync(Bucket, "q.csv", live, TestContext.Current.CancellationToken));
        Assert.False(await _store.DeleteAsync(Bucket, "q.csv", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Null(_server.Content(Bucket, "q.csv"));
    }

    [Fact]
    public async Task Get_ThrottledThenUnavailable_RetriesWithBackoffHonouringRetryAfter()
    {
        _server.Put(Bucket, "t.csv", [1]);
        _server.Fail("GET", "/o/t.csv", 429, retryAfterSeconds: 7);
        _server.Fail("GET", "/o/t.csv", 503);

        var info = await _store.GetAsync(Bucket, "t.csv", TestContext.Current.CancellationToken);

        Assert.NotNull(info);
        Assert.Equal(2, _clients.Delays.Count);
        Assert.Equal(TimeSpan.FromSeconds(7), _clients.Delays[0]);
    }

    [Fact]
    public async Task Upload_UnconditionalWriteAnswered503_IsNotRetried()
    {
        _server.Fail("POST", "/upload/", 503);

        await Assert.ThrowsAsync<TransientException>(() => _store.UploadAsync(Bucket, "u.csv", new MemoryStream([1]), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Single(_server.Requests);
        Assert.Empty(_clients.Delays);
    }

    [Fact]
    public async Task Upload_CreateOnlyWriteAnswered503_IsRetriedBecauseThePreconditionMakesItIdempotent()
    {
        _server.Fail("POST", "/upload/", 503);

        var info = await _store.UploadAsync(Bucket, "c.csv", new MemoryStream([1, 2, 3]), ObjectWriteOptions.CreateOnly(), TestContext.Current.CancellationToken);

        Assert.Equal(3, info.Size);
        Assert.Equal(2, _server.Requests.Count);
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync();
        }
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A stream that cannot seek, like a network or decompression stream.</summary>
    internal sealed class ForwardOnlyStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();

        public override long Position
        {
            get => base.Position;
            set => throw new NotSupportedException();
        }
    }
}
