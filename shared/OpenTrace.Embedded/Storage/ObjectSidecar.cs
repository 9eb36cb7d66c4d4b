using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTrace.Embedded.Storage;

/// <summary>
/// What the store remembers about the live file of an object, kept in the bucket's hidden folder. It applies only
/// while the file still has the recorded size and last-write time; a file changed by hand no longer matches, and its
/// generation is then derived from its last-write time, bumped past <see cref="Generation"/>.
/// After a delete the sidecar stays as the object's generation high-water mark.
/// </summary>
internal sealed record ObjectSidecar(
    long Generation,
    long Size,
    long WriteTimeTicks,
    string? ContentType,
    DateTimeOffset Created,
    string? Md5Hash,
    string? Crc32c,
    Dictionary<string, string>? Metadata,
    bool Observed)
{
    public static ObjectSidecar? TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonSerializer.Deserialize(stream, SidecarJson.Default.ObjectSidecar);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException or UnauthorizedAccessException)
        {
            return null; // absent, or torn by a crash: the file's own timestamps still give a generation
        }
    }

    /// <summary>Writes the sidecar atomically (temp file in the same folder, then rename over the old one).</summary>
    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, SidecarJson.Default.ObjectSidecar));
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ObjectSidecar))]
internal sealed partial class SidecarJson : JsonSerializerContext;
