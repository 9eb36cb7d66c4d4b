using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenTrace.Local.Cli;

namespace OpenTrace.Local.Output;

/// <summary>Output formats of <c>opentrace query</c>.</summary>
internal enum ResultFormat
{
    Table,
    Csv,
    Json,
}

/// <summary>Writes query results as an aligned text table, RFC 4180 CSV or a JSON array of objects.</summary>
internal static class ResultWriter
{
    /// <summary>Cells wider than this are cut in table output (CSV and JSON are never cut).</summary>
    public const int MaxTableCellWidth = 60;

    public static ResultFormat ParseFormat(string? text) => text?.ToLowerInvariant() switch
    {
        null or "table" => ResultFormat.Table,
        "csv" => ResultFormat.Csv,
        "json" => ResultFormat.Json,
        _ => throw new UsageException($"--format must be table, csv or json, got '{text}'."),
    };

    public static void Write(TextWriter writer, ResultFormat format, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        switch (format)
        {
            case ResultFormat.Csv:
                WriteCsv(writer, columns, rows);
                break;
            case ResultFormat.Json:
                WriteJson(writer, columns, rows);
                break;
            default:
                WriteTable(writer, columns, rows);
                break;
        }
    }

    /// <summary>Formats a value as text with invariant rules: timestamps ISO-8601, NULL as empty.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null or DBNull => string.Empty,
        string s => s,
        DateTime dt => dt.ToString(dt.TimeOfDay == TimeSpan.Zero && dt.Kind != DateTimeKind.Utc ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double d => d.ToString("G15", CultureInfo.InvariantCulture),
        float f => f.ToString("G7", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        byte[] bytes => Convert.ToBase64String(bytes),
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(FormatValue)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void WriteTable(TextWriter writer, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        var cells = rows.Select(r => r.Select(v => Cut(v is null || v is DBNull ? "NULL" : FormatValue(v))).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var numeric = columns.Select((_, i) => rows.Count > 0 && rows.All(r => r[i] is null or DBNull or sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or System.Numerics.BigInteger)).ToArray();

        writer.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
        {
            writer.WriteLine(string.Join("  ", row.Select((v, i) => numeric[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
        }

        writer.WriteLine(rows.Count == 1 ? "(1 row)" : string.Create(CultureInfo.InvariantCulture, $"({rows.Count} rows)"));
    }

    private static string Cut(string text)
    {
        text = text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        return text.Length <= MaxTableCellWidth ? text : string.Concat(text.AsSpan(0, MaxTableCellWidth - 1), "…");
    }

    private static void WriteCsv(TextWriter writer, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        writer.Write(string.Join(",", columns.Select(Quote)));
        writer.Write("\r\n");
        foreach (var row in rows)
        {
            writer.Write(string.Join(",", row.Select(v => Quote(FormatValue(v)))));
            writer.Write("\r\n");
        }
    }

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;

    private static void WriteJson(TextWriter writer, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                for (var i = 0; i < columns.Count; i++)
                {
                    json.WritePropertyName(columns[i]);
                    WriteJsonValue(json, row[i]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                json.WriteNumberValue(ul);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case System.Collections.IEnumerable list and not byte[]:
                json.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(FormatValue(value));
                break;
        }
    }
}
