using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Gcp.BigQuery;

/// <summary>Maps table schemas, query parameters and result cells between the port's types and BigQuery's REST JSON.</summary>
internal static class BigQueryTypes
{
    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.ffffff'+00:00'";

    public static JsonObject ToField(ColumnSchema column, bool forceNullable = false)
    {
        var field = new JsonObject
        {
            ["name"] = column.Name,
            ["type"] = TypeName(column),
            ["mode"] = column.Repeated ? "REPEATED" : column.Nullable || forceNullable ? "NULLABLE" : "REQUIRED",
        };
        if (column.Type == ColumnType.Decimal && column.Precision is { } precision)
        {
            field["precision"] = precision.ToString(CultureInfo.InvariantCulture);
            field["scale"] = (column.Scale ?? 0).ToString(CultureInfo.InvariantCulture);
        }

        if (column.Description is not null)
        {
            field["description"] = column.Description;
        }

        return field;
    }

    public static string TypeName(ColumnSchema column) => column.Type switch
    {
        ColumnType.String => "STRING",
        ColumnType.Int64 => "INT64",
        ColumnType.Float64 => "FLOAT64",
        ColumnType.Decimal => column.Precision > 38 || column.Scale > 9 ? "BIGNUMERIC" : "NUMERIC",
        ColumnType.Bool => "BOOL",
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.Bytes => "BYTES",
        ColumnType.Json => "JSON",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type."),
    };

    public static ColumnSchema FromField(JsonElement field)
    {
        var type = field.GetProperty("type").GetString()!.ToUpperInvariant() switch
        {
            "STRING" or "TIME" or "GEOGRAPHY" or "INTERVAL" or "RANGE" => ColumnType.String,
            "INTEGER" or "INT64" => ColumnType.Int64,
            "FLOAT" or "FLOAT64" => ColumnType.Float64,
            "NUMERIC" or "BIGNUMERIC" or "DECIMAL" or "BIGDECIMAL" => ColumnType.Decimal,
            "BOOLEAN" or "BOOL" => ColumnType.Bool,
            "DATE" => ColumnType.Date,
            "TIMESTAMP" or "DATETIME" => ColumnType.Timestamp,
            "BYTES" => ColumnType.Bytes,
            _ => ColumnType.Json, // JSON, RECORD/STRUCT
        };
        var mode = field.TryGetProperty("mode", out var m) ? m.GetString() : "NULLABLE";
        return new ColumnSchema(
            field.GetProperty("name").GetString()!,
            type,
            Nullable: mode != "REQUIRED",
            Repeated: mode == "REPEATED",
            Precision: OptionalInt(field, "precision"),
            Scale: OptionalInt(field, "scale"),
            Description: field.TryGetProperty("description", out var d) ? d.GetString() : null);
    }

    /// <summary>A named query parameter with its type inferred from the CLR value (null: an untyped STRING NULL).</summary>
    public static JsonObject Parameter(string name, object? value)
    {
        var (type, parameterValue) = TypeAndValue(value, name);
        return new JsonObject { ["name"] = name, ["parameterType"] = type, ["parameterValue"] = parameterValue };
    }

    private static (JsonObject Type, JsonObject Value) TypeAndValue(object? value, string name)
    {
        static JsonObject Scalar(string type) => new() { ["type"] = type };
        static JsonObject Value(string text) => new() { ["value"] = text };
        return value switch
        {
            null => (Scalar("STRING"), new JsonObject()),
            string s => (Scalar("STRING"), Value(s)),
            bool b => (Scalar("BOOL"), Value(b ? "true" : "false")),
            sbyte or byte or short or ushort or int or uint or long => (Scalar("INT64"), Value(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))),
            float or double => (Scalar("FLOAT64"), Value(FormatDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture)))),
            decimal d => (Scalar("NUMERIC"), Value(d.ToString(CultureInfo.InvariantCulture))),
            BigInteger big => (Scalar("BIGNUMERIC"), Value(big.ToString(CultureInfo.InvariantCulture))),
            DateTimeOffset dto => (Scalar("TIMESTAMP"), Value(dto.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture))),
            DateTime { Kind: DateTimeKind.Unspecified } dt => (Scalar("DATETIME"), Value(dt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture))),
            DateTime dt => (Scalar("TIMESTAMP"), Value(dt.ToUniversalTime().ToString(TimestampFormat, CultureInfo.InvariantCulture))),
            DateOnly date => (Scalar("DATE"), Value(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
            TimeOnly time => (Scalar("TIME"), Value(time.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture))),
            byte[] bytes => (Scalar("BYTES"), Value(Convert.ToBase64String(bytes))),
            Guid g => (Scalar("STRING"), Value(g.ToString())),
            IEnumerable items => ArrayParameter(items, name),
            _ => throw new ArgumentException($"Parameter @{name} has type {value.GetType().Name}, which has no BigQuery equivalent.", nameof(value)),
        };
    }

    private static (JsonObject Type, JsonObject Value) ArrayParameter(IEnumerable items, string name)
    {
        JsonObject? elementType = null;
        var values = new JsonArray();
        foreach (var item in items)
        {
            if (item is null)
            {
                throw new ArgumentException($"Parameter @{name} is a list holding null; BigQuery arrays cannot hold NULL.", nameof(items));
            }

            var (type, value) = TypeAndValue(item, name);
            elementType ??= type;
            values.Add(value);
        }

        return (new JsonObject { ["type"] = "ARRAY", ["arrayType"] = elementType ?? new JsonObject { ["type"] = "STRING" } }, new JsonObject { ["arrayValues"] = values });
    }

    /// <summary>Decodes one result row (<c>{"f":[{"v":...}]}</c>) against the result schema's fields.</summary>
    public static object?[] DecodeRow(JsonElement row, IReadOnlyList<JsonElement> fields)
    {
        var cells = row.GetProperty("f");
        var values = new object?[fields.Count];
        var i = 0;
        foreach (var cell in cells.EnumerateArray())
        {
            values[i] = DecodeCell(cell.GetProperty("v"), fields[i]);
            i++;
        }

        return values;
    }

    private static object? DecodeCell(JsonElement v, JsonElement field, bool element = false)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (!element && field.TryGetProperty("mode", out var mode) && mode.GetString() == "REPEATED")
        {
            return v.EnumerateArray().Select(item => DecodeCell(item.GetProperty("v"), field, element: true)).ToList();
        }

        var type = field.GetProperty("type").GetString()!.ToUpperInvariant();
        if (type is "RECORD" or "STRUCT")
        {
            var subFields = field.GetProperty("fields").EnumerateArray().ToList();
            var values = DecodeRow(v, subFields);
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < subFields.Count; i++)
            {
                map[subFields[i].GetProperty("name").GetString()!] = values[i];
            }

            return map;
        }

        var text = v.GetString()!;
        return type switch
        {
            "INTEGER" or "INT64" => long.Parse(text, CultureInfo.InvariantCulture),
            "FLOAT" or "FLOAT64" => double.Parse(text, CultureInfo.InvariantCulture),
            "NUMERIC" or "BIGNUMERIC" => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : text,
            "BOOLEAN" or "BOOL" => bool.Parse(text),
            "TIMESTAMP" => ParseTimestamp(text),
            "DATE" => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            "DATETIME" => DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.None),
            "TIME" => TimeOnly.Parse(text, CultureInfo.InvariantCulture),
            "BYTES" => Convert.FromBase64String(text),
            _ => text, // STRING, JSON, GEOGRAPHY, INTERVAL
        };
    }

    /// <summary>TIMESTAMP cells: int64 microseconds (formatOptions.useInt64Timestamp) or float seconds.</summary>
    private static DateTimeOffset ParseTimestamp(string text)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
        {
            return DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
        }

        var seconds = decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return DateTimeOffset.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));
    }

    private static string FormatDouble(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "Infinity" : double.IsNegativeInfinity(d) ? "-Infinity" : d.ToString("R", CultureInfo.InvariantCulture);

    private static int? OptionalInt(JsonElement field, string property) =>
        field.TryGetProperty(property, out var p)
            ? p.ValueKind == JsonValueKind.Number ? p.GetInt32() : int.Parse(p.GetString()!, CultureInfo.InvariantCulture)
            : null;
}
