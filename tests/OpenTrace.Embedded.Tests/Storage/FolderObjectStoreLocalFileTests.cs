using System.Text;
using OpenTrace.Core.Storage;
using OpenTrace.Embedded.Storage;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Storage;

public sealed class FolderObjectStoreLocalFileTests : IDisposable
{
    private const string Bucket = "lake";
    private readonly TempDirectory _home = new("opentrace-folder-files");
    private readonly FolderObjectStore _store;

    public FolderObjectStoreLocalFileTests()
    {
        _store = new FolderObjectStore(_home.Combine("buckets"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task UploadFromFile_StoresTheContentWithTheSameChecksumsAsAStreamUpload_AndOutlivesTheLocalFile()
    {
        var local = LocalFile("a.parquet", "parquet bytes");
        var finalized = new List<ObjectInfo>();
        _store.ObjectFinalized += (_, e) => finalized.Add(e.Object);

        var fromFile = await _store.UploadFromFileAsync(Bucket, "bronze/x/a.parquet", local, ObjectWriteOptions.CreateOnly("application/vnd.apache.parquet"), Ct);
        var fromStream = await _store.UploadAsync(Bucket, "bronze/x/b.parquet", new MemoryStream(Encoding.UTF8.GetBytes("parquet bytes")), cancellationToken: Ct);
        File.Delete(local);

        Assert.Equal(fromStream.Md5Hash, fromFile.Md5Hash);
        Assert.Equal(fromStream.Crc32c, fromFile.Crc32c);
        Assert.Equal(13, fromFile.Size);
        Assert.Equal("application/vnd.apache.parquet", fromFile.ContentType);
        Assert.Equal(fromFile, await _store.GetAsync(Bucket, "bronze/x/a.parquet", Ct));
        Assert.Equal("parquet bytes", await File.ReadAllTextAsync(_store.GetLocalPath(Bucket, "bronze/x/a.parquet"), Ct));
        Assert.Equal([fromFile.Uri, fromStream.Uri], finalized.Select(o => o.Uri));
    }

    [Fact]
    public async Task UploadFromFile_CreateOnlyOverAnExistingObject_IsRefusedAndKeepsTheLocalFile()
    {
        await _store.UploadFromFileAsync(Bucket, "a.parquet", LocalFile("first", "one"), ObjectWriteOptions.CreateOnly(), Ct);
        var second = LocalFile("second", "two");

        await Assert.ThrowsAsync<PreconditionFailedException>(() => _store.UploadFromFileAsync(Bucket, "a.parquet", second, ObjectWriteOptions.CreateOnly(), Ct));

        Assert.Equal("two", await File.ReadAllTextAsync(second, Ct));
        Assert.Equal("one", await File.ReadAllTextAsync(_store.GetLocalPath(Bucket, "a.parquet"), Ct));
    }

    [Fact]
    public async Task DownloadToFile_LiveAndNoncurrentGenerations_GiveExactlyThatContent()
    {
        var first = await _store.UploadAsync(Bucket, "a.parquet", new MemoryStream("one"u8.ToArray()), cancellationToken: Ct);
        var second = await _store.UploadAsync(Bucket, "a.parquet", new MemoryStream("two"u8.ToArray()), cancellationToken: Ct);

        await _store.DownloadToFileAsync(second.Ref, _home.Combine("live"), Ct);
        await _store.DownloadToFileAsync(first.Ref, _home.Combine("old"), Ct);
        await _store.DownloadToFileAsync(new ObjectRef(Bucket, "a.parquet"), _home.Combine("latest"), Ct);
        File.Delete(_home.Combine("live"));

        Assert.Equal("one", await File.ReadAllTextAsync(_home.Combine("old"), Ct));
        Assert.Equal("two", await File.ReadAllTextAsync(_home.Combine("latest"), Ct));
        Assert.Equal("two", await File.ReadAllTextAsync(_store.GetLocalPath(Bucket, "a.parquet"), Ct));
    }

    [Fact]
    public async Task DownloadToFile_GenerationThatNeverExisted_ThrowsNotFound_AndLeavesNoFile()
    {
        var written = await _store.UploadAsync(Bucket, "a.parquet", new MemoryStream("one"u8.ToArray()), cancellationToken: Ct);

        Assert.False(_store.TryLink(written.Ref with { Generation = written.Generation + 1 }, _home.Combine("x")));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => _store.DownloadToFileAsync(written.Ref with { Generation = written.Generation + 1 }, _home.Combine("x"), Ct));
        Assert.False(File.Exists(_home.Combine("x")));
    }

    [Fact]
    public async Task TryLink_FileReplacedByHandWithAnotherWriteTime_IsRefused()
    {
        var written = await _store.UploadAsync(Bucket, "a.parquet", new MemoryStream("one"u8.ToArray()), cancellationToken: Ct);
        var live = _store.GetLocalPath(Bucket, "a.parquet");
        File.Delete(live);
        await File.WriteAllTextAsync(live, "two", Ct);

        Assert.False(_store.TryLink(written.Ref, _home.Combine("x")));
        Assert.False(File.Exists(_home.Combine("x")));
    }

    private string LocalFile(string name, string content)
    {
        var path = _home.Combine(name);
        File.WriteAllText(path, content);
        return path;
    }
}
