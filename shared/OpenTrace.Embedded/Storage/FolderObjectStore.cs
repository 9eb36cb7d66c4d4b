using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTrace.Core.Storage;

namespace OpenTrace.Embedded.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over local folders: bucket <c>b</c> is the folder <c>&lt;root&gt;/b</c> and object
/// <c>x/y.csv</c> the file <c>&lt;root&gt;/b/x/y.csv</c>, so users can drop files in by hand.
/// </summary>
/// <remarks>
/// Each bucket keeps its bookkeeping in the hidden folder <c>.opentrace</c>: temp files, sidecars with content type,
/// metadata and checksums, and the noncurrent versions of objects written through the store. A generation is the
/// file's last-write time in microseconds since the Unix epoch: writes through the store set it to a value past the
/// previous generation; a file dropped by hand keeps the time it was written, bumped past the last generation the
/// store knew for that name when needed.
/// </remarks>
public sealed class FolderObjectStore : IObjectStore, ILocalObjectFiles
{
    private const string HiddenFolder = ".opentrace";
    private const int CopyBufferSize = 128 * 1024;
    private const int MaxNameBytes = 1024;

    private static readonly IReadOnlyDictionary<string, string> NoMetadata = ReadOnlyDictionary<string, string>.Empty;

    private readonly ConcurrentDictionary<string, BucketLock> _locks = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Creates the store. Nothing is read or created on disk until the first call.</summary>
    /// <param name="root">The folder holding one folder per bucket (<c>&lt;home&gt;/buckets</c>).</param>
    /// <param name="logger">Logs failures of <see cref="ObjectFinalized"/> handlers; null logs nothing.</param>
    public FolderObjectStore(string root, ILogger<FolderObjectStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Raised after every successful <see cref="UploadAsync"/>, once the new generation is visible, on the writer's
    /// thread. The local host turns it into the finalize CloudEvent Cloud Storage would send. A handler that throws is
    /// logged and does not fail the write.
    /// </summary>
    public event EventHandler<ObjectFinalizedEventArgs>? ObjectFinalized;

    /// <summary>The folder holding the bucket folders.</summary>
    public string Root { get; }

    /// <summary>
    /// The local file of the live version of an object (it may not exist). The DuckDB warehouse reads Parquet from here.
    /// Throws <see cref="ArgumentException"/> for an invalid bucket or object name.
    /// </summary>
    public string GetLocalPath(string bucket, string name)
    {
        ValidateBucket(bucket);
        ValidateName(name);
        return LivePath(bucket, name);
    }

    /// <summary>
    /// The local file holding exactly <paramref name="source"/>: the live file when its generation matches or no
    /// generation is given, otherwise the kept noncurrent version. Throws <see cref="ObjectNotFoundException"/> when
    /// that generation (or, without one, the object) does not exist.
    /// </summary>
    public string GetLocalPath(ObjectRef source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var live = GetLocalPath(source.Bucket, source.Name);
        if (source.Generation is not { } generation)
        {
            return File.Exists(live) ? live : throw new ObjectNotFoundException(source.Bucket, source.Name);
        }

        if (ReadLive(source.Bucket, source.Name)?.Info.Generation == generation)
        {
            return live;
        }

        var version = VersionPath(source.Bucket, source.Name, generation);
        return File.Exists(version) ? version : throw new ObjectNotFoundException(source.Bucket, source.Name, generation);
    }

    /// <inheritdoc />
    public async Task<ObjectInfo?> GetAsync(string bucket, string name, CancellationToken cancellationToken = default)
    {
        ValidateBucket(bucket);
        ValidateName(name);
        var live = ReadLive(bucket, name);
        if (live is null || live.Remembered)
        {
            return live?.Info;
        }

        // Dropped or changed by hand, or a write is between its two renames: look again under the bucket lock and
        // remember what was seen, so that a later change by hand, even one keeping an older timestamp, gets a larger
        // generation than this one.
        try
        {
            using (await LockFor(bucket).AcquireAsync(cancellationToken))
            {
                live = ReadLive(bucket, name);
                if (live is { Remembered: false })
                {
                    ToSidecar(live, observed: true).Write(SidecarPath(bucket, name));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            live = ReadLive(bucket, name); // a read-only folder: the generation is still derived, just not remembered
        }

        return live?.Info;
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string bucket, string name, long? generation = null, CancellationToken cancellationToken = default)
    {
        ValidateBucket(bucket);
        ValidateName(name);
        cancellationToken.ThrowIfCancellationRequested();
        var path = LivePath(bucket, name);
        var handle = TryOpen(path);
        if (generation is null)
        {
            return handle is null ? Task.FromException<Stream>(new ObjectNotFoundException(bucket, name)) : Task.FromResult(AsStream(handle));
        }

        if (handle is not null)
        {
            // Decide from the open handle, so a concurrent overwrite cannot swap the content after the check.
            var live = Describe(bucket, name, RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle), ObjectSidecar.TryRead(SidecarPath(bucket, name)));
            if (live.Info.Generation == generation)
            {
                return Task.FromResult(AsStream(handle));
            }

            handle.Dispose();
        }

        // An overwrite links the old file into the versions folder before renaming the new one into place, so a
        // generation that was live when the handle above was opened is found here now.
        var version = TryOpen(VersionPath(bucket, name, generation.Value));
        return version is null ? Task.FromException<Stream>(new ObjectNotFoundException(bucket, name, generation)) : Task.FromResult(AsStream(version));
    }

    /// <inheritdoc />
    public async Task<ObjectInfo> UploadAsync(string bucket, string name, Stream content, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options = CheckWrite(bucket, name, options);
        var temp = NewTempPath(bucket);
        try
        {
            var (size, md5, crc32c) = await CopyToFileAsync(content, temp, cancellationToken);
            return await CommitAsync(bucket, name, temp, options, size, md5, crc32c, cancellationToken);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <inheritdoc />
    /// <remarks>The file is hard-linked into the bucket's temp folder, checksummed and flushed to disk, then committed as an upload is.</remarks>
    public async Task<ObjectInfo> UploadFileAsync(string bucket, string name, string path, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = CheckWrite(bucket, name, options);
        var temp = NewTempPath(bucket);
        if (!NativeFile.TryLink(path, temp))
        {
            await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, FileOptions.Asynchronous);
            return await UploadAsync(bucket, name, content, options, cancellationToken);
        }

        try
        {
            var (size, md5, crc32c) = await ChecksumFileAsync(temp, cancellationToken);
            return await CommitAsync(bucket, name, temp, options, size, md5, crc32c, cancellationToken);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    /// <inheritdoc />
    public bool TryLink(ObjectRef source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateBucket(source.Bucket);
        ValidateName(source.Name);
        string file;
        long size;
        long writeTicks;
        var live = ReadLive(source.Bucket, source.Name);
        if (live is not null && (source.Generation is null || source.Generation == live.Info.Generation))
        {
            (file, size, writeTicks) = (LivePath(source.Bucket, source.Name), live.Size, live.WriteTimeTicks);
        }
        else if (source.Generation is { } generation && new FileInfo(VersionPath(source.Bucket, source.Name, generation)) is { Exists: true } version)
        {
            (file, size, writeTicks) = (version.FullName, version.Length, version.LastWriteTimeUtc.Ticks);
        }
        else
        {
            return false;
        }

        if (!NativeFile.TryLink(file, path))
        {
            return false;
        }

        // The name may have been given to a newer generation between the look and the link (a newer file always has
        // a later write time): keep the link only when it is the file that was looked at.
        var linked = new FileInfo(path);
        if (linked.Length == size && linked.LastWriteTimeUtc.Ticks == writeTicks)
        {
            return true;
        }

        TryDelete(path);
        return false;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ValidateBucket(bucket);
        prefix ??= string.Empty;
        var bucketFolder = BucketPath(bucket);
        if (!Directory.Exists(bucketFolder))
        {
            yield break;
        }

        // Depth first over folders whose entries are sorted with '/' appended to folder names: this yields objects
        // in name order while holding only the entries of the folders on the current path.
        var pending = new Stack<IEnumerator<(string Name, FileSystemInfo Entry)>>();
        pending.Push(SortedEntries(bucketFolder, string.Empty, prefix).GetEnumerator());
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = pending.Peek();
            if (!folder.MoveNext())
            {
                pending.Pop().Dispose();
                continue;
            }

            var (entryName, entry) = folder.Current;
            if (entry is DirectoryInfo subfolder)
            {
                pending.Push(SortedEntries(subfolder.FullName, entryName, prefix).GetEnumerator());
                await Task.Yield(); // listing a large tree should not hold the caller's thread
                continue;
            }

            if (TryDescribe(bucket, entryName, (FileInfo)entry) is { } info)
            {
                yield return info;
            }
        }
    }

    private static List<(string Name, FileSystemInfo Entry)> SortedEntries(string folder, string relative, string prefix)
    {
        try
        {
            return new DirectoryInfo(folder).EnumerateFileSystemInfos()
                .Where(e => !e.Name.StartsWith('.'))
                .Select(e => (Name: relative + e.Name + (e is DirectoryInfo ? "/" : string.Empty), Entry: e))
                .Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal) || (e.Entry is DirectoryInfo && prefix.StartsWith(e.Name, StringComparison.Ordinal)))
                .OrderBy(e => e.Name, StringComparer.Ordinal)
                .ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return []; // removed while listing
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string bucket, string name, long? ifGenerationMatch = null, CancellationToken cancellationToken = default)
    {
        ValidateBucket(bucket);
        ValidateName(name);
        if (!Directory.Exists(BucketPath(bucket)))
        {
            return false;
        }

        using (await LockFor(bucket).AcquireAsync(cancellationToken))
        {
            var live = ReadLive(bucket, name);
            if (live is null)
            {
                return false;
            }

            if (ifGenerationMatch is { } expected && expected != live.Info.Generation)
            {
                throw new PreconditionFailedException(bucket, name, expected, live.Info.Generation);
            }

            // The deleted generation becomes noncurrent; its sidecar stays as the name's generation high-water mark.
            var version = VersionPath(bucket, name, live.Info.Generation);
            Directory.CreateDirectory(Path.GetDirectoryName(version)!);
            try
            {
                File.Move(LivePath(bucket, name), version, overwrite: true);
            }
            catch (FileNotFoundException)
            {
                return false; // removed by hand a moment ago
            }

            ToSidecar(live, observed: !live.Remembered).Write(SidecarPath(bucket, name));
            RemoveEmptyFolders(Path.GetDirectoryName(LivePath(bucket, name))!, BucketPath(bucket));
            return true;
        }
    }

    private ObjectInfo Commit(string bucket, string name, string temp, ObjectWriteOptions options, long size, string md5, string crc32c)
    {
        var livePath = LivePath(bucket, name);
        var sidecarPath = SidecarPath(bucket, name);
        for (var attempt = 0; ; attempt++)
        {
            var live = ReadLive(bucket, name);
            CheckPrecondition(bucket, name, options.IfGenerationMatch, live);

            var previous = Math.Max(live?.Info.Generation ?? 0, ObjectSidecar.TryRead(sidecarPath)?.Generation ?? 0);
            var generation = Math.Max(Micros(DateTime.UtcNow), previous + 1);
            File.SetLastWriteTimeUtc(temp, FromMicros(generation));
            var sidecar = new ObjectSidecar(
                generation,
                size,
                File.GetLastWriteTimeUtc(temp).Ticks, // what the file system kept, which a coarse one may have rounded
                options.ContentType ?? ContentTypes.FromName(name),
                new DateTimeOffset(FromMicros(generation), TimeSpan.Zero),
                md5,
                crc32c,
                options.Metadata is null ? null : new Dictionary<string, string>(options.Metadata, StringComparer.Ordinal),
                Observed: false);

            CreateParentFolder(bucket, name, livePath);
            bool placed;
            if (live is null)
            {
                placed = NativeFile.MoveNoReplace(temp, livePath);
            }
            else
            {
                var version = VersionPath(bucket, name, live.Info.Generation);
                Directory.CreateDirectory(Path.GetDirectoryName(version)!);
                try
                {
                    // Links the old file as a noncurrent version, then renames the new one over it.
                    File.Replace(temp, livePath, version, ignoreMetadataErrors: true);
                    placed = true;
                }
                catch (FileNotFoundException) when (File.Exists(temp))
                {
                    placed = false; // the live file was removed by hand meanwhile
                }
            }

            if (placed)
            {
                if (OperatingSystem.IsWindows())
                {
                    File.SetLastWriteTimeUtc(livePath, FromMicros(generation)); // ReplaceFile may keep the old times
                }

                sidecar.Write(sidecarPath);
                return ToInfo(bucket, name, sidecar);
            }

            if (attempt >= 3)
            {
                throw new IOException($"Could not write {ObjectRef.ToUri(bucket, name)}: its file keeps being changed by another program.");
            }
        }
    }

    private static void CheckPrecondition(string bucket, string name, long? ifGenerationMatch, LiveObject? live)
    {
        if (ifGenerationMatch is not { } expected)
        {
            return;
        }

        var actual = live?.Info.Generation;
        if (expected == 0 ? actual is not null : actual != expected)
        {
            throw new PreconditionFailedException(bucket, name, expected, actual);
        }
    }

    private void CreateParentFolder(string bucket, string name, string livePath)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(livePath)!);
        }
        catch (IOException ex)
        {
            throw new IOException(
                $"Cannot write {ObjectRef.ToUri(bucket, name)}: a folder store cannot hold an object whose name is a prefix folder of another (a file stands where the folder {Path.GetDirectoryName(livePath)} is needed).",
                ex);
        }
    }

    private static ObjectWriteOptions CheckWrite(string bucket, string name, ObjectWriteOptions? options)
    {
        ValidateBucket(bucket);
        ValidateName(name);
        options ??= new ObjectWriteOptions();
        if (options.IfGenerationMatch is < 0)
        {
            throw new ArgumentException("IfGenerationMatch must be 0 (absent) or a generation.", nameof(options));
        }

        return options;
    }

    private string NewTempPath(string bucket)
    {
        var tempFolder = Path.Combine(HiddenPath(bucket), "tmp");
        Directory.CreateDirectory(tempFolder);
        return Path.Combine(tempFolder, $"{Guid.NewGuid():N}.tmp");
    }

    private async Task<ObjectInfo> CommitAsync(string bucket, string name, string temp, ObjectWriteOptions options, long size, string md5, string crc32c, CancellationToken cancellationToken)
    {
        ObjectInfo written;
        using (await LockFor(bucket).AcquireAsync(cancellationToken))
        {
            written = Commit(bucket, name, temp, options, size, md5, crc32c);
        }

        RaiseFinalized(written);
        return written;
    }

    /// <summary>Checksums a file written elsewhere and makes sure its content is on disk before it is renamed into place.</summary>
    private static async Task<(long Size, string Md5, string Crc32c)> ChecksumFileAsync(string path, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc = new Crc32C();
        long size = 0;
        var buffer = new byte[CopyBufferSize];
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan))
        {
            int read;
            while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
            {
                md5.AppendData(buffer, 0, read);
                crc.Append(buffer.AsSpan(0, read));
                size += read;
            }

            file.Flush(flushToDisk: true); // the rename must not reach the disk before the content does
        }

        return (size, Convert.ToBase64String(md5.GetHashAndReset()), crc.ToBase64());
    }

    private static async Task<(long Size, string Md5, string Crc32c)> CopyToFileAsync(Stream content, string path, CancellationToken cancellationToken)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var crc = new Crc32C();
        long size = 0;
        var buffer = new byte[CopyBufferSize];
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                md5.AppendData(chunk.Span);
                crc.Append(chunk.Span);
                await file.WriteAsync(chunk, cancellationToken);
                size += read;
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true); // the rename must not reach the disk before the content does
        }

        return (size, Convert.ToBase64String(md5.GetHashAndReset()), crc.ToBase64());
    }

    private void RaiseFinalized(ObjectInfo written)
    {
        var handlers = ObjectFinalized;
        if (handlers is null)
        {
            return;
        }

        var args = new ObjectFinalizedEventArgs(written);
        foreach (var handler in handlers.GetInvocationList().Cast<EventHandler<ObjectFinalizedEventArgs>>())
        {
            try
            {
                handler(this, args);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A handler of the finalize notification for {Uri} failed", written.Uri);
            }
        }
    }

    private LiveObject? ReadLive(string bucket, string name)
    {
        var file = new FileInfo(LivePath(bucket, name));
        return file.Exists
            ? Describe(bucket, name, file.Length, file.LastWriteTimeUtc, ObjectSidecar.TryRead(SidecarPath(bucket, name)))
            : null;
    }

    private ObjectInfo? TryDescribe(string bucket, string name, FileInfo file)
    {
        try
        {
            return Describe(bucket, name, file.Length, file.LastWriteTimeUtc, ObjectSidecar.TryRead(SidecarPath(bucket, name))).Info;
        }
        catch (FileNotFoundException)
        {
            return null; // deleted while listing
        }
    }

    private static LiveObject Describe(string bucket, string name, long size, DateTime writeTimeUtc, ObjectSidecar? sidecar)
    {
        if (sidecar is not null && sidecar.Size == size && sidecar.WriteTimeTicks == writeTimeUtc.Ticks)
        {
            return new LiveObject(ToInfo(bucket, name, sidecar), size, writeTimeUtc.Ticks, Remembered: true);
        }

        var generation = Math.Max(Micros(writeTimeUtc), 1);
        if (sidecar is not null)
        {
            generation = Math.Max(generation, sidecar.Generation + 1);
        }

        var written = new DateTimeOffset(writeTimeUtc, TimeSpan.Zero);
        var info = new ObjectInfo(bucket, name, generation, 1, size, ContentTypes.FromName(name), written, written, null, null, NoMetadata);
        return new LiveObject(info, size, writeTimeUtc.Ticks, Remembered: false);
    }

    private static ObjectInfo ToInfo(string bucket, string name, ObjectSidecar sidecar) => new(
        bucket,
        name,
        sidecar.Generation,
        Metageneration: 1,
        sidecar.Size,
        sidecar.ContentType,
        sidecar.Created,
        sidecar.Created,
        sidecar.Md5Hash,
        sidecar.Crc32c,
        sidecar.Metadata is { Count: > 0 } metadata ? new ReadOnlyDictionary<string, string>(metadata) : NoMetadata);

    private static ObjectSidecar ToSidecar(LiveObject live, bool observed) => new(
        live.Info.Generation,
        live.Size,
        live.WriteTimeTicks,
        live.Info.ContentType,
        live.Info.Created,
        live.Info.Md5Hash,
        live.Info.Crc32c,
        live.Info.Metadata.Count == 0 ? null : new Dictionary<string, string>(live.Info.Metadata, StringComparer.Ordinal),
        observed);

    private static Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null; // UnauthorizedAccess: the path is a folder (an object name that is only a prefix)
        }
    }

    private static Stream AsStream(Microsoft.Win32.SafeHandles.SafeFileHandle handle) =>
        new FileStream(handle, FileAccess.Read, CopyBufferSize, isAsync: true);

    private static void RemoveEmptyFolders(string folder, string stopAt)
    {
        while (folder.Length > stopAt.Length && folder.StartsWith(stopAt, StringComparison.Ordinal))
        {
            try
            {
                Directory.Delete(folder); // only succeeds when empty
            }
            catch (IOException)
            {
                return;
            }

            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    private BucketLock LockFor(string bucket) =>
        _locks.GetOrAdd(bucket, b => new BucketLock(Path.Combine(HiddenPath(b), "lock")));

    private string BucketPath(string bucket) => Path.Combine(Root, bucket);

    private string HiddenPath(string bucket) => Path.Combine(Root, bucket, HiddenFolder);

    private string LivePath(string bucket, string name) => Path.Combine(BucketPath(bucket), ToRelativePath(name));

    private string SidecarPath(string bucket, string name) => Path.Combine(HiddenPath(bucket), "meta", ToRelativePath(name) + ".json");

    // "<name>.v/<generation>": the ".v" keeps the versions of "a" apart from those of "a/b" in any case.
    private string VersionPath(string bucket, string name, long generation) =>
        Path.Combine(HiddenPath(bucket), "versions", ToRelativePath(name) + ".v", generation.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string ToRelativePath(string name) =>
        Path.DirectorySeparatorChar == '/' ? name : name.Replace('/', Path.DirectorySeparatorChar);

    private static long Micros(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;

    private static DateTime FromMicros(long micros) => DateTime.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    private static void ValidateBucket(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        if (bucket.StartsWith('.') || bucket.AsSpan().IndexOfAny("/\\\0") >= 0)
        {
            throw new ArgumentException($"Invalid bucket name '{bucket}': it must not start with '.' or contain '/', '\\' or NUL.", nameof(bucket));
        }
    }

    /// <summary>Rejects names that cannot map safely to a relative path, and hidden names.</summary>
    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = null;
        if (name.Length == 0)
        {
            problem = "it is empty";
        }
        else if (name[0] == '/')
        {
            problem = "it starts with '/'";
        }
        else if (name.AsSpan().IndexOfAny("\\\0\r\n") >= 0)
        {
            problem = "it contains a backslash, NUL or a line break";
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            problem = $"it is longer than {MaxNameBytes} bytes";
        }
        else
        {
            foreach (var segment in name.Split('/'))
            {
                if (segment.Length == 0)
                {
                    problem = "it has an empty segment ('//' or a trailing '/')";
                    break;
                }

                if (segment[0] == '.')
                {
                    problem = $"its segment '{segment}' starts with '.' ('..' and hidden names are not objects)";
                    break;
                }
            }
        }

        if (problem is not null)
        {
            throw new ArgumentException($"Invalid object name '{name}': {problem}.", nameof(name));
        }
    }

    private sealed record LiveObject(ObjectInfo Info, long Size, long WriteTimeTicks, bool Remembered);
}

/// <summary>Carries the object a write through <see cref="FolderObjectStore"/> has just made live.</summary>
/// <param name="obj">The new generation's metadata.</param>
public sealed class ObjectFinalizedEventArgs(ObjectInfo obj) : EventArgs
{
    /// <summary>The new generation's metadata, as <see cref="FolderObjectStore.UploadAsync"/> returned it.</summary>
    public ObjectInfo Object { get; } = obj;
}
