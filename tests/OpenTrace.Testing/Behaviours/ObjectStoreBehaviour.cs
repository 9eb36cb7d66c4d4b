using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Storage;

namespace OpenTrace.Testing.Behaviours;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, whatever it talks to. Derive a test class per adapter and implement
/// <see cref="CreateStoreAsync"/>; every fact here then runs against that adapter. The facts rely only on what the port
/// promises: generations are compared for order, never for value, and no local path is touched. Each test writes
/// under its own <see cref="Prefix"/>, so one server or emulator can be shared by all tests.
/// </summary>
public abstract class ObjectStoreBehaviour : PortBehaviour<IObjectStore>
{
    /// <summary>The bucket the tests write into. The adapter must be able to write there (create it in the factory if needed).</summary>
    protected virtual string Bucket => "behaviour";

    /// <summary>A name prefix unique to this test, ending in '/'.</summary>
    protected string Prefix { get; } = $"behaviour-{Guid.NewGuid():N}/";

    [Fact]
    public async Task Upload_ThenGet_ReturnsTheWrittenGeneration()
    {
        var written = await PutAsync("a.csv", "id,name\n1,ann\n");

        var read = await Store.GetAsync(Bucket, Prefix + "a.csv", Ct);

        Assert.NotNull(read);
        Assert.Equal(Bucket, read.Bucket);
        Assert.Equal(Prefix + "a.csv", read.Name);
        Assert.Equal(written.Generation, read.Generation);
        Assert.Equal(14, read.Size);
        Assert.Equal(written.Size, read.Size);
        Assert.NotEqual(0, read.Generation);
    }

    [Fact]
    public async Task Upload_ThenOpenRead_ReturnsTheExactBytes()
    {
        var content = new byte[300_000];
        new Random(7).NextBytes(content);
        content.AsSpan(1000, 5000).Clear(); // runs of zeros survive too

        await PutAsync("blob.bin", content);

        Assert.Equal(content, await ReadAsync("blob.bin"));
    }

    [Fact]
    public async Task Upload_EmptyContent_CreatesAnEmptyObject()
    {
        var written = await PutAsync("empty.csv", []);

        Assert.Equal(0, written.Size);
        Assert.Empty(await ReadAsync("empty.csv"));
        Assert.Equal(0, (await Store.GetAsync(Bucket, Prefix + "empty.csv", Ct))?.Size);
    }

    [Fact]
    public async Task Upload_ReportsTheChecksumsOfTheContent()
    {
        // Known vectors: MD5 and CRC32C (big-endian, base64, as GCS reports them) of "123456789".
        var written = await PutAsync("check.txt", "123456789");
        var read = await Store.GetAsync(Bucket, Prefix + "check.txt", Ct);

        Assert.NotNull(read);
        Assert.True(written.Md5Hash is not null || written.Crc32c is not null, "the store reports no checksum at all");
        if (written.Md5Hash is not null)
        {
            Assert.Equal("JfnnlDI7RTiF9RgfG2JNCw==", written.Md5Hash);
            Assert.Equal(written.Md5Hash, read.Md5Hash);
        }

        if (written.Crc32c is not null)
        {
            Assert.Equal("4waSgw==", written.Crc32c);
            Assert.Equal(written.Crc32c, read.Crc32c);
        }
    }

    [Fact]
    public async Task Upload_LargerContent_ReportsItsMd5()
    {
        var content = new byte[1_000_003];
        new Random(11).NextBytes(content);

        var written = await PutAsync("large.bin", content);

        if (written.Md5Hash is not null)
        {
            Assert.Equal(Convert.ToBase64String(MD5.HashData(content)), written.Md5Hash);
        }

        Assert.Equal(content.Length, written.Size);
        Assert.Equal(content, await ReadAsync("large.bin"));
    }

    [Fact]
    public async Task Upload_WithContentTypeAndMetadata_RoundTripsThem()
    {
        var metadata = new Dictionary<string, string> { ["source"] = "crm export", ["owner"] = "Zoë Ångström", ["empty"] = "" };

        await PutAsync("meta.dat", "x", new ObjectWriteOptions { ContentType = "text/csv", Metadata = metadata });
        var read = await Store.GetAsync(Bucket, Prefix + "meta.dat", Ct);
        var listed = await ListAsync(Prefix + "meta");

        Assert.NotNull(read);
        Assert.Equal("text/csv", read.ContentType);
        Assert.Equal(metadata.OrderBy(p => p.Key), read.Metadata.OrderBy(p => p.Key));
        var single = Assert.Single(listed);
        Assert.Equal("text/csv", single.ContentType);
        Assert.Equal(metadata.OrderBy(p => p.Key), single.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Overwrite_ReplacesTheMetadataWithTheNewWritesMetadata()
    {
        await PutAsync("m.txt", "1", new ObjectWriteOptions { ContentType = "text/plain", Metadata = new Dictionary<string, string> { ["a"] = "1" } });
        await PutAsync("m.txt", "2", new ObjectWriteOptions { ContentType = "text/csv", Metadata = new Dictionary<string, string> { ["b"] = "2" } });

        var read = await Store.GetAsync(Bucket, Prefix + "m.txt", Ct);

        Assert.NotNull(read);
        Assert.Equal("text/csv", read.ContentType);
        Assert.Equal([new KeyValuePair<string, string>("b", "2")], read.Metadata);
    }

    [Fact]
    public async Task Get_MissingObject_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Bucket, Prefix + "missing.csv", Ct));
    }

    [Fact]
    public async Task OpenRead_MissingObject_ThrowsObjectNotFound()
    {
        var error = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(Bucket, Prefix + "missing.csv", cancellationToken: Ct));

        Assert.Equal(Prefix + "missing.csv", error.Name);
    }

    [Fact]
    public async Task OpenRead_PinnedToTheLiveGeneration_ReturnsItsContent()
    {
        var written = await PutAsync("pinned.txt", "pinned content");

        Assert.Equal("pinned content", await ReadTextAsync("pinned.txt", written.Generation));
    }

    [Fact]
    public async Task OpenRead_GenerationLaterThanAnyWrite_ThrowsObjectNotFound()
    {
        var written = await PutAsync("g.txt", "x");

        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(Bucket, Prefix + "g.txt", written.Generation + 1, Ct));
    }

    [Fact]
    public async Task Overwrite_GivesStrictlyLargerGenerations_AndTheNewContent()
    {
        var first = await PutAsync("o.txt", "one");
        var second = await PutAsync("o.txt", "two");
        var third = await PutAsync("o.txt", "three");

        Assert.True(second.Generation > first.Generation, $"{second.Generation} is not after {first.Generation}");
        Assert.True(third.Generation > second.Generation, $"{third.Generation} is not after {second.Generation}");
        Assert.Equal("three", await ReadTextAsync("o.txt"));
        Assert.Equal(third.Generation, (await Store.GetAsync(Bucket, Prefix + "o.txt", Ct))?.Generation);
    }

    [Fact]
    public async Task CreateOnly_WhenAbsent_Writes()
    {
        var written = await PutAsync("new.txt", "created", ObjectWriteOptions.CreateOnly());

        Assert.Equal("created", await ReadTextAsync("new.txt"));
        Assert.Equal(written.Generation, (await Store.GetAsync(Bucket, Prefix + "new.txt", Ct))?.Generation);
    }

    [Fact]
    public async Task CreateOnly_WhenPresent_ThrowsPreconditionFailed_AndKeepsTheContent()
    {
        var original = await PutAsync("exists.txt", "original");

        var error = await Assert.ThrowsAsync<PreconditionFailedException>(() => PutAsync("exists.txt", "second", ObjectWriteOptions.CreateOnly()));

        Assert.Equal(0, error.ExpectedGeneration);
        Assert.Equal("original", await ReadTextAsync("exists.txt"));
        Assert.Equal(original.Generation, (await Store.GetAsync(Bucket, Prefix + "exists.txt", Ct))?.Generation);
    }

    [Fact]
    public async Task IfGenerationMatch_LiveGeneration_Writes()
    {
        var first = await PutAsync("cas.txt", "v1");

        var second = await PutAsync("cas.txt", "v2", new ObjectWriteOptions { IfGenerationMatch = first.Generation });

        Assert.True(second.Generation > first.Generation);
        Assert.Equal("v2", await ReadTextAsync("cas.txt"));
    }

    [Fact]
    public async Task IfGenerationMatch_StaleGeneration_ThrowsPreconditionFailed_AndKeepsTheContent()
    {
        var first = await PutAsync("stale.txt", "v1");
        await PutAsync("stale.txt", "v2");

        await Assert.ThrowsAsync<PreconditionFailedException>(() => PutAsync("stale.txt", "v3", new ObjectWriteOptions { IfGenerationMatch = first.Generation }));

        Assert.Equal("v2", await ReadTextAsync("stale.txt"));
    }

    [Fact]
    public async Task IfGenerationMatch_OnMissingObject_ThrowsPreconditionFailed()
    {
        var other = await PutAsync("other.txt", "x");

        await Assert.ThrowsAsync<PreconditionFailedException>(() => PutAsync("absent.txt", "v1", new ObjectWriteOptions { IfGenerationMatch = other.Generation }));

        Assert.Null(await Store.GetAsync(Bucket, Prefix + "absent.txt", Ct));
    }

    [Fact]
    public async Task ConcurrentCreateOnlyWrites_ExactlyOneWins()
    {
        var outcomes = await Concurrently.RunAsync(8, i => PutAsync("race.txt", $"writer {i}", ObjectWriteOptions.CreateOnly()));

        var winner = Assert.Single(outcomes, o => o.Succeeded);
        Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<PreconditionFailedException>(o.Error));
        Assert.Equal($"writer {winner.Index}", await ReadTextAsync("race.txt"));
        Assert.Equal(winner.Result!.Generation, (await Store.GetAsync(Bucket, Prefix + "race.txt", Ct))?.Generation);
    }

    [Fact]
    public async Task ConcurrentConditionalOverwrites_ExactlyOneWinsEachRound()
    {
        var live = await PutAsync("cas-race.txt", "v0");

        // Several rounds, because a check-then-write race shows only when the writers reach the store together.
        for (var round = 1; round <= 5; round++)
        {
            var expected = live.Generation;
            var outcomes = await Concurrently.RunAsync(8, i => PutAsync("cas-race.txt", $"round {round} writer {i}", new ObjectWriteOptions { IfGenerationMatch = expected }));

            var winner = Assert.Single(outcomes, o => o.Succeeded);
            Assert.All(outcomes.Where(o => !o.Succeeded), o => Assert.IsType<PreconditionFailedException>(o.Error));
            Assert.Equal($"round {round} writer {winner.Index}", await ReadTextAsync("cas-race.txt"));
            live = winner.Result!;
        }
    }

    [Fact]
    public async Task List_WithPrefix_ReturnsOnlyMatchingObjects_InNameOrder()
    {
        string[] names = ["b", "ab", "a/c/d", "a.txt", "a/b"];
        foreach (var name in names)
        {
            await PutAsync(name, name);
        }

        await Store.UploadAsync(Bucket, Prefix.TrimEnd('/') + "-sibling/a", new MemoryStream([1]), cancellationToken: Ct);

        Assert.Equal(["a.txt", "a/b", "a/c/d", "ab", "b"], (await ListAsync(Prefix)).Select(o => o.Name[Prefix.Length..]));
        Assert.Equal(["a.txt", "a/b", "a/c/d", "ab"], (await ListAsync(Prefix + "a")).Select(o => o.Name[Prefix.Length..]));
        Assert.Equal(["a/b", "a/c/d"], (await ListAsync(Prefix + "a/")).Select(o => o.Name[Prefix.Length..]));
        Assert.Empty(await ListAsync(Prefix + "zzz"));
    }

    [Fact]
    public async Task List_ReportsTheSameGenerationsAndSizesAsGet()
    {
        await PutAsync("x/1.csv", "one");
        await PutAsync("x/2.csv", "second");
        await PutAsync("x/2.csv", "second!");

        foreach (var listed in await ListAsync(Prefix))
        {
            var read = await Store.GetAsync(Bucket, listed.Name, Ct);
            Assert.NotNull(read);
            Assert.Equal(read.Generation, listed.Generation);
            Assert.Equal(read.Size, listed.Size);
        }

        Assert.Equal(2, (await ListAsync(Prefix)).Count);
    }

    [Fact]
    public async Task Delete_Existing_ReturnsTrue_AndTheObjectIsGone()
    {
        await PutAsync("gone.txt", "x");

        Assert.True(await Store.DeleteAsync(Bucket, Prefix + "gone.txt", cancellationToken: Ct));

        Assert.Null(await Store.GetAsync(Bucket, Prefix + "gone.txt", Ct));
        Assert.Empty(await ListAsync(Prefix));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.OpenReadAsync(Bucket, Prefix + "gone.txt", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_Missing_ReturnsFalse()
    {
        Assert.False(await Store.DeleteAsync(Bucket, Prefix + "never.txt", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_WithStaleGeneration_ThrowsPreconditionFailed_AndKeepsTheObject()
    {
        var first = await PutAsync("d.txt", "v1");
        await PutAsync("d.txt", "v2");

        await Assert.ThrowsAsync<PreconditionFailedException>(() => Store.DeleteAsync(Bucket, Prefix + "d.txt", first.Generation, Ct));

        Assert.Equal("v2", await ReadTextAsync("d.txt"));
    }

    [Fact]
    public async Task Delete_WithLiveGeneration_Deletes()
    {
        var written = await PutAsync("d2.txt", "v1");

        Assert.True(await Store.DeleteAsync(Bucket, Prefix + "d2.txt", written.Generation, Ct));

        Assert.Null(await Store.GetAsync(Bucket, Prefix + "d2.txt", Ct));
    }

    [Fact]
    public async Task Recreate_AfterDelete_IsAllowedAsCreateOnly_AndGetsALargerGeneration()
    {
        var first = await PutAsync("again.txt", "v1");
        await Store.DeleteAsync(Bucket, Prefix + "again.txt", cancellationToken: Ct);

        var second = await PutAsync("again.txt", "v2", ObjectWriteOptions.CreateOnly());

        Assert.True(second.Generation > first.Generation);
        Assert.Equal("v2", await ReadTextAsync("again.txt"));
    }

    /// <summary>Writes <paramref name="content"/> (UTF-8) to <see cref="Prefix"/> + <paramref name="name"/>.</summary>
    protected Task<ObjectInfo> PutAsync(string name, string content, ObjectWriteOptions? options = null) =>
        PutAsync(name, Encoding.UTF8.GetBytes(content), options);

    /// <summary>Writes <paramref name="content"/> to <see cref="Prefix"/> + <paramref name="name"/>.</summary>
    protected Task<ObjectInfo> PutAsync(string name, byte[] content, ObjectWriteOptions? options = null) =>
        Store.UploadAsync(Bucket, Prefix + name, new MemoryStream(content), options, Ct);

    /// <summary>Reads <see cref="Prefix"/> + <paramref name="name"/> (a generation, or the live one) to the end.</summary>
    protected async Task<byte[]> ReadAsync(string name, long? generation = null)
    {
        await using var stream = await Store.OpenReadAsync(Bucket, Prefix + name, generation, Ct);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }

    /// <summary>Reads <see cref="Prefix"/> + <paramref name="name"/> as UTF-8 text.</summary>
    protected async Task<string> ReadTextAsync(string name, long? generation = null) =>
        Encoding.UTF8.GetString(await ReadAsync(name, generation));

    /// <summary>Lists the bucket under <paramref name="prefix"/> into a list.</summary>
    protected async Task<List<ObjectInfo>> ListAsync(string prefix)
    {
        var found = new List<ObjectInfo>();
        await foreach (var item in Store.ListAsync(Bucket, prefix, Ct))
        {
            found.Add(item);
        }

        return found;
    }
}
