using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTrace.Hosting.Events;

/// <summary>
/// The data of a Cloud Storage object CloudEvent (<c>google.cloud.storage.object.v1.finalized</c> and friends):
/// the GCS object resource as Eventarc delivers it. 64-bit numbers arrive as JSON strings and are accepted
/// as strings or numbers.
/// </summary>
public sealed class StorageObjectData
{
    /// <summary>The CloudEvent type of an object-finalize event.</summary>
    public const string FinalizedEventType = "google.cloud.storage.object.v1.finalized";

    /// <summary>Bucket holding the object.</summary>
    [JsonPropertyName("bucket")]
    public string? Bucket { get; set; }

    /// <summary>Object name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Content generation.</summary>
    [JsonPropertyName("generation")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public long? Generation { get; set; }

    /// <summary>Metadata generation.</summary>
    [JsonPropertyName("metageneration")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString)]
    public long? Metageneration { get; set; }

    /// <summary>MIME type, or null.</summary>
    [JsonPropertyName("contentType")]
    public string? ContentType { get; set; }

    /// <summary>Size in bytes, as the decimal string GCS sends.</summary>
    [JsonPropertyName("size")]
    [JsonConverter(typeof(StringOrNumberConverter))]
    public string? Size { get; set; }

    /// <summary>Base64 MD5 of the content, or null (composite objects have none).</summary>
    [JsonPropertyName("md5Hash")]
    public string? Md5Hash { get; set; }

    /// <summary>Base64 big-endian CRC32C of the content.</summary>
    [JsonPropertyName("crc32c")]
    public string? Crc32c { get; set; }

    /// <summary>Creation time.</summary>
    [JsonPropertyName("timeCreated")]
    public DateTimeOffset? TimeCreated { get; set; }

    /// <summary>Last metadata update time.</summary>
    [JsonPropertyName("updated")]
    public DateTimeOffset? Updated { get; set; }

    /// <summary>Storage class, e.g. STANDARD.</summary>
    [JsonPropertyName("storageClass")]
    public string? StorageClass { get; set; }

    /// <summary>Object id, <c>bucket/name/generation</c>.</summary>
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    /// <summary>Custom metadata, or null.</summary>
    [JsonPropertyName("metadata")]
    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>Size as a number, or null when absent or not a number.</summary>
    [JsonIgnore]
    public long? SizeBytes => long.TryParse(Size, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private sealed class StringOrNumberConverter : JsonConverter<string?>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => reader.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : reader.GetDouble().ToString("R", CultureInfo.InvariantCulture),
            JsonTokenType.Null => null,
            _ => throw new JsonException($"Expected a string or number, found {reader.TokenType}."),
        };

        public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }
    }
}
