using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace OpenTrace.Embedded.Documents;

/// <summary>
/// Encodes document fields as JSON with a type tag on every value, so that what comes back is what went in: a long
/// stays a long (all 64 bits), a whole double stays a double, bytes are not mistaken for text and timestamps keep
/// their microseconds. <c>{"s":text}</c>, <c>{"i":long}</c>, <c>{"d":double}</c> (NaN and infinities as text),
/// <c>{"b":bool}</c>, <c>{"t":microseconds since the Unix epoch}</c>, <c>{"y":base64}</c>, <c>{"a":[...]}</c>,
/// <c>{"m":{...}}</c>, and JSON null.
/// </summary>
internal static class DocumentFieldCodec
{
    public static string Serialize(IReadOnlyDictionary<string, object?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                ArgumentNullException.ThrowIfNull(name, nameof(fields));
                writer.WritePropertyName(name);
                WriteValue(writer, value, name);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static Dictionary<string, object?> Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ReadMap(document.RootElement);
    }

    public static long ToMicros(DateTimeOffset value) =>
        Math.DivRem(value.UtcTicks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMicrosecond, out var remainder) - (remainder < 0 ? 1 : 0);

    public static DateTimeOffset FromMicros(long micros) =>
        new(DateTime.UnixEpoch.Ticks + (micros * TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    private static void WriteValue(Utf8JsonWriter writer, object? value, string path)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                return;
            case string s:
                Tagged(writer, "s").WriteStringValue(s);
                break;
            case long or int or short or sbyte or byte or ushort or uint:
                Tagged(writer, "i").WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                Tagged(writer, "i").WriteNumberValue(u <= long.MaxValue ? (long)u : throw Unsupported(path, value, "it is larger than a 64-bit signed integer"));
                break;
            case double or float:
                var d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                Tagged(writer, "d");
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case bool b:
                Tagged(writer, "b").WriteBooleanValue(b);
                break;
            case DateTimeOffset t:
                Tagged(writer, "t").WriteNumberValue(ToMicros(t));
                break;
            case DateTime dt:
                Tagged(writer, "t").WriteNumberValue(ToMicros(dt.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(dt, TimeSpan.Zero) : new DateTimeOffset(dt)));
                break;
            case byte[] bytes:
                Tagged(writer, "y").WriteBase64StringValue(bytes);
                break;
            case IReadOnlyDictionary<string, object?> map:
                Tagged(writer, "m");
                WriteMap(writer, map.Select(p => (p.Key, p.Value)), path);
                break;
            case IDictionary dictionary:
                Tagged(writer, "m");
                WriteMap(writer, dictionary.Cast<DictionaryEntry>().Select(e => (e.Key as string ?? throw Unsupported(path, value, "its keys are not strings"), e.Value)), path);
                break;
            case IEnumerable list:
                Tagged(writer, "a");
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in list)
                {
                    WriteValue(writer, item, $"{path}[{index++}]");
                }

                writer.WriteEndArray();
                break;
            default:
                throw Unsupported(path, value, "the document store holds null, string, integers, floating point, bool, DateTimeOffset, byte[], lists and maps (convert decimals to double or string)");
        }

        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, IEnumerable<(string Key, object? Value)> entries, string path)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in entries)
        {
            writer.WritePropertyName(key);
            WriteValue(writer, value, $"{path}.{key}");
        }

        writer.WriteEndObject();
    }

    private static Utf8JsonWriter Tagged(Utf8JsonWriter writer, string tag)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(tag);
        return writer;
    }

    private static ArgumentException Unsupported(string path, object value, string why) =>
        new($"Field '{path}' holds a {value.GetType().FullName}, which cannot be stored: {why}.", "fields");

    private static Dictionary<string, object?> ReadMap(JsonElement map)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            result[property.Name] = ReadValue(property.Value);
        }

        return result;
    }

    private static object? ReadValue(JsonElement tagged)
    {
        if (tagged.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var property = tagged.EnumerateObject().Single();
        var value = property.Value;
        return property.Name switch
        {
            "s" => value.GetString(),
            "i" => value.GetInt64(),
            "d" => value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble(),
            "b" => value.GetBoolean(),
            "t" => FromMicros(value.GetInt64()),
            "y" => value.GetBytesFromBase64(),
            "a" => value.EnumerateArray().Select(ReadValue).ToList(),
            "m" => ReadMap(value),
            _ => throw new JsonException($"Unknown field type tag '{property.Name}'."),
        };
    }
}
