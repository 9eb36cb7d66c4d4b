using System.Text;
using OpenTrace.Core.Storage;
using OpenTrace.Embedded.Storage;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Storage;

public sealed class FolderObjectStoreTests : IDisposable
{
    private const string Bucket = "bronze";
    private readonly TempDirectory _home = new("opentrace-folder");
    private readonly FolderObjectStore _store;

    public FolderObjectStoreTests()
    {
        _store = new FolderObjectStore(_home.Combine("buckets"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Upload_WritesTheFileWhereTheNamePoints()
    {
        await PutAsync("olist/orders/2024/orders.csv", "id\n1\n");

        var path = _store.GetLocalPath(Bucket, "olist/orders/2024/orders.csv");

        Assert.Equal(_home.Combine("buckets", "bronze", "olist", "orders", "2024", "orders.csv"), path);
        Assert.Equal("id\n1\n", await File.ReadAllTextAsync(path, Ct));
    }

    [Fact]
    public async Task Upload_IsAtomic_ReadersSeeTheOldOrTheNewContent_NeverAMix()
    {
        const int size = 256 * 1024;
        await PutAsync("big.bin", new byte[size]);
        var path = _store.GetLocalPath(Bucket, "big.bin");
        using var writing = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var writer = Task.Run(async () =>
        {
            try
            {
                for (var i = 1; i <= 40; i++)
                {
                    await PutAsync("big.bin", Enumerable.Repeat((byte)i, size).ToArray());
                }
            }
            finally
            {
                await writing.CancelAsync();
            }
        }, Ct);
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            var reads = 0;
            do
            {
                byte[] content;
                if (r == 0)
                {
                    content = await File.ReadAllBytesAsync(path, Ct);
                }
                else
                {
                    await using var stream = await _store.OpenReadAsync(Bucket, "big.bin", cancellationToken: Ct);
                    using var buffer = new MemoryStream();
                    await stream.CopyToAsync(buffer, Ct);
                    content = buffer.ToArray();
                }

                Assert.Equal(size, content.Length);
                Assert.True(content.All(b => b == content[0]), "a reader saw parts of two writes");
                reads++;
            }
            while (!writing.IsCancellationRequested);

            return reads;
        }, Ct)).ToList();

        await writer;
        Assert.True((await Task.WhenAll(readers)).Sum() >= 2);
    }

    [Fact]
    public async Task Upload_WhenTheContentFailsHalfWay_LeavesNothingBehind()
    {
        await Assert.ThrowsAsync<IOException>(() => _store.UploadAsync(Bucket, "broken.csv", new FailingStream(100_000), cancellationToken: Ct));

        Assert.Null(await _store.GetAsync(Bucket, "broken.csv", Ct));
        Assert.False(File.Exists(_store.GetLocalPath(Bucket, "broken.csv")));
        Assert.DoesNotContain(Directory.EnumerateFiles(_home.Combine("buckets", Bucket), "*", SearchOption.AllDirectories), f => !f.EndsWith("lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HiddenFilesAndFolders_AreNeverListed()
    {
        await PutAsync("olist/orders.csv", "x");
        var bucket = _home.Combine("buckets", Bucket);
        Directory.CreateDirectory(Path.Combine(bucket, ".hidden"));
        await File.WriteAllTextAsync(Path.Combine(bucket, ".hidden", "x.csv"), "x", Ct);
        await File.WriteAllTextAsync(Path.Combine(bucket, "olist", ".orders.csv.part"), "x", Ct);

        var names = await ListNamesAsync(null);

        Assert.Equal(["olist/orders.csv"], names);
        Assert.True(Directory.Exists(Path.Combine(bucket, ".opentrace")), "the store keeps its bookkeeping in the bucket's hidden folder");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/a.csv")]
    [InlineData("a//b.csv")]
    [InlineData("a/")]
    [InlineData("a\\b.csv")]
    [InlineData("../a.csv")]
    [InlineData("a/../b.csv")]
    [InlineData("a/./b.csv")]
    [InlineData(".hidden.csv")]
    [InlineData("a/.opentrace/meta/x")]
    public async Task InvalidOrHiddenNames_AreRejected(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.UploadAsync(Bucket, name, new MemoryStream([1]), cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync(Bucket, name, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.OpenReadAsync(Bucket, name, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(Bucket, name, cancellationToken: Ct));
        Assert.Throws<ArgumentException>(() => _store.GetLocalPath(Bucket, name));
    }

    [Fact]
    public async Task AFileDroppedByHand_HasAGeneration_AndAContentTypeFromItsExtension()
    {
        var path = Drop("olist/customers.csv", "id\n1\n");

        var info = await _store.GetAsync(Bucket, "olist/customers.csv", Ct);

        Assert.NotNull(info);
        Assert.True(info.Generation > 0);
        Assert.Equal("text/csv", info.ContentType);
        Assert.Equal(5, info.Size);
        Assert.Empty(info.Metadata);
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(path)), info.Created);
        Assert.Equal(info.Generation, Assert.Single(await ListAsync()).Generation);
        await using var stream = await _store.OpenReadAsync(Bucket, "olist/customers.csv", info.Generation, Ct);
        Assert.Equal("id\n1\n", await new StreamReader(stream).ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task AFileOverwrittenByHand_GetsALargerGeneration_EvenWhenItKeepsAnOlderTimestamp()
    {
        var path = Drop("orders.csv", "v1");
        var first = await _store.GetAsync(Bucket, "orders.csv", Ct);

        await File.WriteAllTextAsync(path, "v2 longer", Ct);
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)); // copied with its old timestamp
        var second = await _store.GetAsync(Bucket, "orders.csv", Ct);
        await File.WriteAllTextAsync(path, "v3", Ct);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        var third = await _store.GetAsync(Bucket, "orders.csv", Ct);

        Assert.True(second!.Generation > first!.Generation, $"{second.Generation} is not after {first.Generation}");
        Assert.True(third!.Generation > second.Generation, $"{third.Generation} is not after {second.Generation}");
        Assert.Equal(third.Generation, (await _store.GetAsync(Bucket, "orders.csv", Ct))!.Generation);
    }

    [Fact]
    public async Task AnObjectOverwrittenByHand_GetsALargerGeneration_AndLosesTheMetadataOfTheWrittenOne()
    {
        var written = await PutAsync("x.csv", "v1", new ObjectWriteOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["k"] = "v" } });
        var path = _store.GetLocalPath(Bucket, "x.csv");

        await File.WriteAllTextAsync(path, "changed by hand", Ct);
        File.SetLastWriteTimeUtc(path, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var info = await _store.GetAsync(Bucket, "x.csv", Ct);

        Assert.NotNull(info);
        Assert.True(info.Generation > written.Generation);
        Assert.Equal("text/csv", info.ContentType);
        Assert.Empty(info.Metadata);
        Assert.Null(info.Md5Hash);
        Assert.Equal(15, info.Size);
    }

    [Fact]
    public async Task OlderGenerations_StayReadable_AfterOverwritesAndADelete()
    {
        var v1 = await PutAsync("o.csv", "one");
        var v2 = await PutAsync("o.csv", "two");
        var v3 = await PutAsync("o.csv", "three");

        await _store.DeleteAsync(Bucket, "o.csv", cancellationToken: Ct);

        Assert.Null(await _store.GetAsync(Bucket, "o.csv", Ct));
        Assert.Equal("one", await ReadAsync("o.csv", v1.Generation));
        Assert.Equal("two", await ReadAsync("o.csv", v2.Generation));
        Assert.Equal("three", await ReadAsync("o.csv", v3.Generation));
        Assert.Equal("two", await File.ReadAllTextAsync(_store.GetLocalPath(v2.Ref), Ct));
        Assert.Throws<ObjectNotFoundException>(() => _store.GetLocalPath(new ObjectRef(Bucket, "o.csv")));
    }

    [Fact]
    public async Task OverwritingAFileDroppedByHand_KeepsItAsANoncurrentGeneration()
    {
        Drop("d.csv", "dropped");
        var dropped = await _store.GetAsync(Bucket, "d.csv", Ct);

        var written = await PutAsync("d.csv", "written", new ObjectWriteOptions { IfGenerationMatch = dropped!.Generation });

        Assert.True(written.Generation > dropped.Generation);
        Assert.Equal("dropped", await ReadAsync("d.csv", dropped.Generation));
        Assert.Equal("written", await ReadAsync("d.csv"));
    }

    [Fact]
    public async Task CreateOnly_OverAFileDroppedByHand_ThrowsPreconditionFailed()
    {
        Drop("hand.csv", "by hand");

        await Assert.ThrowsAsync<PreconditionFailedException>(() => PutAsync("hand.csv", "by store", ObjectWriteOptions.CreateOnly()));

        Assert.Equal("by hand", await ReadAsync("hand.csv"));
    }

    [Fact]
    public async Task TwoStoresOnOneFolder_ConcurrentCreateOnlyWrites_ExactlyOneWins()
    {
        // Two stores over the same folder stand for two processes (the host and a CLI command).
        var other = new FolderObjectStore(_home.Combine("buckets"));
        FolderObjectStore[] stores = [_store, other];

        var outcomes = await Concurrently.RunAsync(12, i =>
            stores[i % 2].UploadAsync(Bucket, "once.csv", new MemoryStream(Encoding.UTF8.GetBytes($"writer {i}")), ObjectWriteOptions.CreateOnly(), Ct));

        var winner = Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<PreconditionFailedException>(o.Error));
        Assert.Equal($"writer {winner.Index}", await ReadAsync("once.csv"));
    }

    [Fact]
    public async Task ConditionalOverwritesReachingTheCommitTogether_ExactlyOneWins()
    {
        var live = await PutAsync("lease.csv", "v0");
        var other = new FolderObjectStore(_home.Combine("buckets"));
        FolderObjectStore[] stores = [_store, other];

        for (var round = 1; round <= 5; round++)
        {
            // Every writer's content ends only when all writers have sent theirs, so they all commit at once.
            var allSent = new Countdown(8);
            var expected = live.Generation;
            var outcomes = await Concurrently.RunAsync(8, i => stores[i % 2].UploadAsync(
                Bucket, "lease.csv", new GatedStream(Encoding.UTF8.GetBytes($"round {round} writer {i}"), allSent), new ObjectWriteOptions { IfGenerationMatch = expected }, Ct));

            var winner = Assert.Single(outcomes, o => o.Succeeded);
            Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<PreconditionFailedException>(o.Error));
            Assert.Equal($"round {round} writer {winner.Index}", await ReadAsync("lease.csv"));
            live = winner.Result!;
        }
    }

    [Fact]
    public async Task ObjectFinalized_IsRaisedOncePerSuccessfulWrite_WithTheWrittenGeneration()
    {
        var seen = new List<ObjectInfo>();
        _store.ObjectFinalized += (_, e) => seen.Add(e.Object);
        _store.ObjectFinalized += (_, _) => throw new InvalidOperationException("a broken subscriber does not fail the write");

        var first = await PutAsync("lake/bronze/a.parquet", "1", ObjectWriteOptions.CreateOnly());
        await Assert.ThrowsAsync<PreconditionFailedException>(() => PutAsync("lake/bronze/a.parquet", "2", ObjectWriteOptions.CreateOnly()));
        var second = await PutAsync("lake/bronze/a.parquet", "3");

        Assert.Equal([first, second], seen);
    }

    [Fact]
    public async Task Delete_RemovesFoldersLeftEmpty()
    {
        await PutAsync("a/b/c.csv", "x");

        await _store.DeleteAsync(Bucket, "a/b/c.csv", cancellationToken: Ct);

        Assert.False(Directory.Exists(_home.Combine("buckets", Bucket, "a")));
        await PutAsync("a", "now a file");
        Assert.Equal("now a file", await ReadAsync("a"));
    }

    [Fact]
    public async Task AnObjectNamedLikeTheFolderOfAnother_IsRefusedWithAClearError()
    {
        await PutAsync("a", "file");

        var error = await Assert.ThrowsAsync<IOException>(() => PutAsync("a/b.csv", "x"));

        Assert.Contains("gs://bronze/a/b.csv", error.Message);
    }

    [Fact]
    public async Task GetLocalPath_ForAGenerationThatNeverExisted_ThrowsObjectNotFound()
    {
        var written = await PutAsync("g.csv", "x");

        Assert.Throws<ObjectNotFoundException>(() => _store.GetLocalPath(new ObjectRef(Bucket, "g.csv", written.Generation - 1)));
        Assert.Equal(_store.GetLocalPath(Bucket, "g.csv"), _store.GetLocalPath(written.Ref));
    }

    private Task<ObjectInfo> PutAsync(string name, string content, ObjectWriteOptions? options = null) =>
        PutAsync(name, Encoding.UTF8.GetBytes(content), options);

    private Task<ObjectInfo> PutAsync(string name, byte[] content, ObjectWriteOptions? options = null) =>
        _store.UploadAsync(Bucket, name, new MemoryStream(content), options, Ct);

    private async Task<string> ReadAsync(string name, long? generation = null)
    {
        await using var stream = await _store.OpenReadAsync(Bucket, name, generation, Ct);
        return await new StreamReader(stream).ReadToEndAsync(Ct);
    }

    private string Drop(string name, string content)
    {
        var path = _home.Combine("buckets", Bucket, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<List<ObjectInfo>> ListAsync()
    {
        var found = new List<ObjectInfo>();
        await foreach (var item in _store.ListAsync(Bucket, cancellationToken: Ct))
        {
            found.Add(item);
        }

        return found;
    }

    private async Task<List<string>> ListNamesAsync(string? prefix)
    {
        var names = new List<string>();
        await foreach (var item in _store.ListAsync(Bucket, prefix, Ct))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>Gives its bytes, then holds back the end of the stream until every writer sharing the countdown got there.</summary>
    private sealed class GatedStream(byte[] content, Countdown allSent) : ReadOnlyStream
    {
        private int _given;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_given == content.Length)
            {
                await allSent.SignalAndWaitAsync(cancellationToken);
                return 0;
            }

            var n = Math.Min(buffer.Length, content.Length - _given);
            content.AsMemory(_given, n).CopyTo(buffer);
            _given += n;
            return n;
        }
    }

    /// <summary>Completes when every participant has signalled, without blocking a thread.</summary>
    private sealed class Countdown(int participants)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _remaining = participants;

        public Task SignalAndWaitAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                _all.SetResult();
            }

            return _all.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Gives some bytes, then fails as a broken upload would.</summary>
    private sealed class FailingStream(int failAfter) : ReadOnlyStream
    {
        private int _given;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= failAfter)
            {
                throw new IOException("The connection was reset.");
            }

            var n = Math.Min(count, failAfter - _given);
            Array.Fill(buffer, (byte)'x', offset, n);
            _given += n;
            return n;
        }
    }

    /// <summary>A forward-only readable stream: the members a test stream does not need.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
