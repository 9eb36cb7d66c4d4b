namespace OpenTrace.Core.Storage;

/// <summary>
/// Offered by an object store whose objects are files on this machine (the embedded folder store), so that work
/// needing a local file shares the store's file instead of copying the bytes through a stream. Use it through
/// <see cref="ObjectStoreFiles"/>, which falls back to <see cref="IObjectStore"/> streams for every other store.
/// </summary>
public interface ILocalObjectFiles
{
    /// <summary>
    /// Gives exactly <paramref name="source"/>'s content (the live version when its generation is null) a second name,
    /// <paramref name="path"/>, which must not exist, without copying it (a hard link). Returns false when that cannot
    /// be done here: another file system, no hard links, or the generation is gone or was replaced meanwhile. The file
    /// at <paramref name="path"/> is the object's own: read it and delete it, never change it.
    /// </summary>
    bool TryLink(ObjectRef source, string path);

    /// <summary>
    /// Writes the local file <paramref name="path"/> as a new generation, with the semantics of
    /// <see cref="IObjectStore.UploadAsync"/>, linking the file into the store when the file system allows rather
    /// than copying it. The file must not change afterwards; the caller may delete it.
    /// </summary>
    Task<ObjectInfo> UploadFileAsync(string bucket, string name, string path, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default);
}

/// <summary>Moves objects to and from local files, sharing the files of a store that keeps objects as files.</summary>
public static class ObjectStoreFiles
{
    private const int BufferSize = 1 << 16;

    /// <summary>
    /// Makes <paramref name="path"/> (which must not exist) hold <paramref name="source"/>'s content: a link to the
    /// store's file when the store offers <see cref="ILocalObjectFiles"/> and can link, else a downloaded copy. Throws
    /// <see cref="ObjectNotFoundException"/> when the object or generation does not exist.
    /// </summary>
    public static async Task DownloadToFileAsync(this IObjectStore store, ObjectRef source, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (store is ILocalObjectFiles local && local.TryLink(source, path))
        {
            return;
        }

        await using var content = await store.OpenReadAsync(source.Bucket, source.Name, source.Generation, cancellationToken);
        await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
        await content.CopyToAsync(target, cancellationToken);
    }

    /// <summary>
    /// Uploads the local file <paramref name="path"/> as <see cref="IObjectStore.UploadAsync"/> does with a stream;
    /// a store offering <see cref="ILocalObjectFiles"/> links the file in instead of copying it. The file must not
    /// change afterwards.
    /// </summary>
    public static async Task<ObjectInfo> UploadFromFileAsync(this IObjectStore store, string bucket, string name, string path, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (store is ILocalObjectFiles local)
        {
            return await local.UploadFileAsync(bucket, name, path, options, cancellationToken);
        }

        await using var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous);
        return await store.UploadAsync(bucket, name, content, options, cancellationToken);
    }
}
