namespace OpenTrace.Core.Storage;

/// <summary>
/// A bucket-and-object store with generations: Google Cloud Storage in the cloud, a folder per bucket locally.
/// Object names use '/' as the separator. Every write creates a new generation.
/// </summary>
public interface IObjectStore
{
    /// <summary>Returns the current metadata of an object, or null when the object does not exist.</summary>
    Task<ObjectInfo?> GetAsync(string bucket, string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens an object for sequential reading. With <paramref name="generation"/> null the live version is read;
    /// otherwise exactly that generation. Throws <see cref="ObjectNotFoundException"/> when it does not exist.
    /// The caller disposes the stream.
    /// </summary>
    Task<Stream> OpenReadAsync(string bucket, string name, long? generation = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> (read to its end) as a new generation of the object. The write is atomic:
    /// readers see the old object or the whole new one. Throws <see cref="PreconditionFailedException"/> when
    /// <see cref="ObjectWriteOptions.IfGenerationMatch"/> does not hold (0 means "only if absent").
    /// </summary>
    Task<ObjectInfo> UploadAsync(string bucket, string name, Stream content, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Lists live objects whose names start with <paramref name="prefix"/> (null: all), in name order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the live version of an object. Returns false when it did not exist. Throws
    /// <see cref="PreconditionFailedException"/> when <paramref name="ifGenerationMatch"/> is set and does not hold.
    /// </summary>
    Task<bool> DeleteAsync(string bucket, string name, long? ifGenerationMatch = null, CancellationToken cancellationToken = default);
}

/// <summary>Options for <see cref="IObjectStore.UploadAsync"/>. Every property defaults to "not set".</summary>
public sealed record ObjectWriteOptions
{
    /// <summary>MIME type stored with the object; null lets the store infer one from the name.</summary>
    public string? ContentType { get; init; }

    /// <summary>Write only when the live generation equals this value; 0 means "only when the object is absent"; null: unconditional.</summary>
    public long? IfGenerationMatch { get; init; }

    /// <summary>Custom metadata stored with the object; null: none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Shorthand for a create-only write (<c>ifGenerationMatch=0</c>).</summary>
    public static ObjectWriteOptions CreateOnly(string? contentType = null) => new() { IfGenerationMatch = 0, ContentType = contentType };
}

/// <summary>Metadata of one object generation, in the shape of the GCS object resource.</summary>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Name">Object name, '/'-separated.</param>
/// <param name="Generation">Generation of this version; strictly increases with each write.</param>
/// <param name="Metageneration">Metadata generation (1 for a fresh write).</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="ContentType">MIME type, or null when unknown.</param>
/// <param name="Created">Creation time of this generation (UTC).</param>
/// <param name="Updated">Last metadata update (UTC).</param>
/// <param name="Md5Hash">Base64 MD5 of the content, or null when the store does not keep one.</param>
/// <param name="Crc32c">Base64 big-endian CRC32C of the content, or null when the store does not keep one.</param>
/// <param name="Metadata">Custom metadata; empty when none.</param>
public sealed record ObjectInfo(
    string Bucket,
    string Name,
    long Generation,
    long Metageneration,
    long Size,
    string? ContentType,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    string? Md5Hash,
    string? Crc32c,
    IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The object's URI, <c>gs://bucket/name</c>.</summary>
    public string Uri => ObjectRef.ToUri(Bucket, Name);

    /// <summary>A reference to exactly this generation.</summary>
    public ObjectRef Ref => new(Bucket, Name, Generation);
}

/// <summary>A reference to an object, optionally pinned to one generation.</summary>
/// <param name="Bucket">Bucket name.</param>
/// <param name="Name">Object name.</param>
/// <param name="Generation">Generation, or null for the live version.</param>
public sealed record ObjectRef(string Bucket, string Name, long? Generation = null)
{
    /// <summary>The object's URI, <c>gs://bucket/name</c>.</summary>
    public string Uri => ToUri(Bucket, Name);

    /// <summary>Formats <c>gs://bucket/name</c>.</summary>
    public static string ToUri(string bucket, string name) => $"gs://{bucket}/{name}";

    /// <inheritdoc />
    public override string ToString() => Generation is null ? Uri : $"{Uri}#{Generation}";
}

/// <summary>The object (or the requested generation) does not exist.</summary>
public sealed class ObjectNotFoundException(string bucket, string name, long? generation = null)
    : Exception(generation is null ? $"Object {ObjectRef.ToUri(bucket, name)} does not exist." : $"Object {ObjectRef.ToUri(bucket, name)} generation {generation} does not exist.")
{
    /// <summary>Bucket name.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>Object name.</summary>
    public string Name { get; } = name;
}

/// <summary>A generation precondition did not hold: someone else wrote (or deleted) the object first.</summary>
public sealed class PreconditionFailedException(string bucket, string name, long? expectedGeneration, long? actualGeneration)
    : Exception($"Precondition failed for {ObjectRef.ToUri(bucket, name)}: expected generation {expectedGeneration?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "any"}, found {actualGeneration?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}.")
{
    /// <summary>Bucket name.</summary>
    public string Bucket { get; } = bucket;

    /// <summary>Object name.</summary>
    public string Name { get; } = name;

    /// <summary>The generation the caller required (0: absent).</summary>
    public long? ExpectedGeneration { get; } = expectedGeneration;

    /// <summary>The live generation found, or null when the object does not exist or is unknown.</summary>
    public long? ActualGeneration { get; } = actualGeneration;
}
