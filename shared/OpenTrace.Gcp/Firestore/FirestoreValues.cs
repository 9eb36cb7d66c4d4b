using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTrace.Gcp.Firestore;

/// <summary>Converts document field values to and from Firestore's REST <c>Value</c> JSON.</summary>
internal static class FirestoreValues
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    public static JsonObject EncodeFields(IReadOnlyDictionary<string, object?> fields, string? parent = null)
    {
        var json = new JsonObject();
        foreach (var (name, value) in fields)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(fields));
            json[name] = Encode(value, parent is null ? name : $"{parent}.{name}", insideArray: false);
        }

        return json;
    }

    public static JsonObject Encode(object? value, string path, bool insideArray) => value switch
    {
        null => new JsonObject { ["nullValue"] = null },
        string s => new JsonObject { ["stringValue"] = s },
        bool b => new JsonObject { ["booleanValue"] = b },
        sbyte or byte or short or ushort or int or uint or long => new JsonObject { ["integerValue"] = Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) },
        ulong u when u <= long.MaxValue => new JsonObject { ["integerValue"] = u.ToString(CultureInfo.InvariantCulture) },
        float or double or decimal => EncodeDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        DateTimeOffset dto => new JsonObject { ["timestampValue"] = FormatTimestamp(dto) },
        DateTime dt => new JsonObject { ["timestampValue"] = FormatTimestamp(new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt)) },
        byte[] bytes => new JsonObject { ["bytesValue"] = Convert.ToBase64String(bytes) },
        ReadOnlyMemory<byte> memory => new JsonObject { ["bytesValue"] = Convert.ToBase64String(memory.Span) },
        IReadOnlyDictionary<string, object?> map => new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = EncodeFields(map, path) } },
        IDictionary dictionary => new JsonObject { ["mapValue"] = new JsonObject { ["fields"] = EncodeFields(ToMap(dictionary, path), path) } },
        IEnumerable items when insideArray => throw new ArgumentException($"Field '{path}' holds a list directly inside a list, which Firestore cannot store; wrap the inner list in a map.", nameof(value)),
        IEnumerable items => new JsonObject { ["arrayValue"] = new JsonObject { ["values"] = new JsonArray(items.Cast<object?>().Select((v, i) => (JsonNode)Encode(v, $"{path}[{i}]", insideArray: true)).ToArray()) } },
        _ => throw new ArgumentException(
            $"Field '{path}' has type {value.GetType().Name}, which the document store cannot hold (use string, long, double, bool, DateTimeOffset, byte[], a list or a map).", nameof(value)),
    };

    public static Dictionary<string, object?> DecodeFields(JsonElement fields)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (fields.ValueKind != JsonValueKind.Object)
        {
            return result;
        }

        foreach (var field in fields.EnumerateObject())
        {
            result[field.Name] = Decode(field.Value);
        }

        return result;
    }

    public static object? Decode(JsonElement value)
    {
        foreach (var p in value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "nullValue":
                    return null;
                case "stringValue":
                    return p.Value.GetString();
                case "booleanValue":
                    return p.Value.GetBoolean();
                case "integerValue":
                    return p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt64() : long.Parse(p.Value.GetString()!, CultureInfo.InvariantCulture);
                case "doubleValue":
                    return p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.Parse(p.Value.GetString()!, CultureInfo.InvariantCulture);
                case "timestampValue":
                    return ParseTimestamp(p.Value.GetString()!);
                case "bytesValue":
                    return Convert.FromBase64String(p.Value.GetString()!);
                case "referenceValue":
                    return p.Value.GetString();
                case "geoPointValue":
                    return new Dictionary<string, object?>
                    {
                        ["latitude"] = p.Value.TryGetProperty("latitude", out var lat) ? lat.GetDouble() : 0d,
                        ["longitude"] = p.Value.TryGetProperty("longitude", out var lon) ? lon.GetDouble() : 0d,
                    };
                case "arrayValue":
                    return p.Value.TryGetProperty("values", out var values)
                        ? values.EnumerateArray().Select(Decode).ToList()
                        : new List<object?>();
                case "mapValue":
                    return p.Value.TryGetProperty("fields", out var fields) ? DecodeFields(fields) : new Dictionary<string, object?>();
            }
        }

        throw new JsonException($"Unknown Firestore value: {value.GetRawText()}");
    }

    /// <summary>RFC 3339 in UTC with microseconds, Firestore's precision.</summary>
    public static string FormatTimestamp(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses RFC 3339, keeping at most 7 fractional digits (nanoseconds are cut to 100 ns ticks).</summary>
    public static DateTimeOffset ParseTimestamp(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }

        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    private static JsonObject EncodeDouble(double d) => new()
    {
        ["doubleValue"] = double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity"),
    };

    private static Dictionary<string, object?> ToMap(IDictionary dictionary, string path)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            map[entry.Key as string ?? throw new ArgumentException($"Field '{path}' is a map whose keys are not strings.", nameof(dictionary))] = entry.Value;
        }

        return map;
    }
}
