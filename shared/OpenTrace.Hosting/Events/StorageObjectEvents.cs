using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using OpenTrace.Core.Storage;

namespace OpenTrace.Hosting.Events;

/// <summary>
/// Builds Cloud Storage object CloudEvents in the shape Eventarc delivers them: source
/// <c>//storage.googleapis.com/projects/_/buckets/BUCKET</c>, subject <c>objects/NAME</c>, JSON data holding the
/// object resource. Hosts that raise storage events themselves (the local runtime) use it.
/// </summary>
public static class StorageObjectEvents
{
    private static readonly JsonSerializerOptions DataOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The CloudEvent source for objects in <paramref name="bucket"/>.</summary>
    public static Uri Source(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return new Uri($"//storage.googleapis.com/projects/_/buckets/{bucket}", UriKind.RelativeOrAbsolute);
    }

    /// <summary>The CloudEvent subject for the object <paramref name="name"/>.</summary>
    public static string Subject(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return $"objects/{name}";
    }

    /// <summary>The object resource GCS puts in an event's data, for an object of an object store.</summary>
    public static StorageObjectData DataFor(ObjectInfo obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new StorageObjectData
        {
            Bucket = obj.Bucket,
            Name = obj.Name,
            Generation = obj.Generation,
            Metageneration = obj.Metageneration,
            ContentType = obj.ContentType,
            Size = obj.Size.ToString(CultureInfo.InvariantCulture),
            Md5Hash = obj.Md5Hash,
            Crc32c = obj.Crc32c,
            TimeCreated = obj.Created,
            Updated = obj.Updated,
            StorageClass = "STANDARD",
            Metadata = obj.Metadata.Count == 0 ? null : obj.Metadata.ToDictionary(StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// An <c>google.cloud.storage.object.v1.finalized</c> event for <paramref name="data"/> (bucket, name and
    /// generation required); the data gets GCS's <c>kind</c> and <c>id</c> when absent. <paramref name="id"/> null: <c>bucket/name/generation</c>, so a re-sent event for the same
    /// object version carries the same id. The time is <c>updated</c>, else <c>timeCreated</c>, else now.
    /// </summary>
    public static CloudEvent CreateFinalized(StorageObjectData data, string? id = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (string.IsNullOrEmpty(data.Bucket) || string.IsNullOrEmpty(data.Name) || data.Generation is null)
        {
            throw new ArgumentException("A storage event needs the object's bucket, name and generation.", nameof(data));
        }

        var objectId = string.Create(CultureInfo.InvariantCulture, $"{data.Bucket}/{data.Name}/{data.Generation}");
        var resource = JsonSerializer.SerializeToNode(data, DataOptions)!.AsObject();
        resource["kind"] ??= "storage#object";
        resource["id"] ??= objectId;
        return new CloudEvent
        {
            Id = id ?? objectId,
            Type = StorageObjectData.FinalizedEventType,
            Source = Source(data.Bucket),
            Subject = Subject(data.Name),
            Time = data.Updated ?? data.TimeCreated ?? DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(resource),
        };
    }
}
