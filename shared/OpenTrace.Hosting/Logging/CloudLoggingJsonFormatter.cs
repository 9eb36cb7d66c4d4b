using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace OpenTrace.Hosting.Logging;

/// <summary>Options of <see cref="CloudLoggingJsonFormatter"/>.</summary>
public sealed class CloudLoggingJsonFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Creates the options with scopes included.</summary>
    public CloudLoggingJsonFormatterOptions()
    {
        IncludeScopes = true;
    }

    /// <summary>
    /// Google Cloud project id used to qualify trace ids (<c>projects/&lt;id&gt;/traces/&lt;trace&gt;</c>).
    /// Null: <see cref="CloudLoggingExtensions.AddCloudLoggingJson"/> takes GOOGLE_CLOUD_PROJECT; when that is
    /// unset too, the bare trace id is written.
    /// </summary>
    public string? ProjectId { get; set; }
}

/// <summary>
/// Writes each log entry as one JSON object per line in the shape Cloud Logging's agent parses from stdout:
/// <c>severity</c>, <c>message</c> (with the exception's stack trace appended), <c>stack_trace</c> (the exception
/// alone, which Error Reporting reads first), <c>time</c>, <c>category</c>, <c>eventId</c>, the template values under <c>state</c>, scope values under
/// <c>scope</c>, and <c>logging.googleapis.com/trace</c>, <c>/spanId</c>, <c>/trace_sampled</c> when a
/// <see cref="CloudTraceContext"/> scope is active.
/// </summary>
public sealed class CloudLoggingJsonFormatter : ConsoleFormatter, IDisposable
{
    /// <summary>The formatter name to select in <see cref="ConsoleLoggerOptions.FormatterName"/>.</summary>
    public const string FormatterName = "cloud-logging";

    private const string OriginalFormatKey = "{OriginalFormat}";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Non-ASCII text stays readable; the output is still valid JSON (quotes, control characters escaped).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly IDisposable? _reload;
    private CloudLoggingJsonFormatterOptions _options;

    /// <summary>Creates the formatter; options changes apply to later entries.</summary>
    public CloudLoggingJsonFormatter(IOptionsMonitor<CloudLoggingJsonFormatterOptions> options)
        : base(FormatterName)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    /// <summary>Maps a log level to a Cloud Logging severity.</summary>
    public static string Severity(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRITICAL",
        _ => "DEFAULT",
    };

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is not null)
        {
            message = string.IsNullOrEmpty(message) ? logEntry.Exception.ToString() : $"{message}\n{logEntry.Exception}";
        }

        if (string.IsNullOrEmpty(message))
        {
            return;
        }

        var options = _options;
        var buffer = new ArrayBufferWriter<byte>(256 + message.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("severity", Severity(logEntry.LogLevel));
            writer.WriteString("message", message);
            writer.WriteString("time", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
            if (logEntry.Exception is not null)
            {
                // Error Reporting reads stack_trace before message, so grouping does not depend on the message text.
                writer.WriteString("stack_trace", logEntry.Exception.ToString());
            }

            writer.WriteString("category", logEntry.Category);
            if (logEntry.EventId.Id != 0 || logEntry.EventId.Name is not null)
            {
                writer.WriteString("eventId", logEntry.EventId.Name ?? logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture));
            }

            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> state && state.Any(p => p.Key != OriginalFormatKey))
            {
                writer.WriteStartObject("state");
                foreach (var (key, value) in state)
                {
                    if (key != OriginalFormatKey)
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, value);
                    }
                }

                writer.WriteEndObject();
            }

            WriteScopes(writer, scopeProvider, options);
            writer.WriteEndObject();
        }

        textWriter.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        textWriter.Write('\n');
    }

    /// <inheritdoc />
    public void Dispose() => _reload?.Dispose();

    private static void WriteScopes(Utf8JsonWriter writer, IExternalScopeProvider? scopeProvider, CloudLoggingJsonFormatterOptions options)
    {
        if (scopeProvider is null)
        {
            return;
        }

        CloudTraceContext? trace = null;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var texts = new List<string>();
        scopeProvider.ForEachScope(
            (scope, _) =>
            {
                switch (scope)
                {
                    case CloudTraceContext t:
                        trace = t;
                        break;
                    case IEnumerable<KeyValuePair<string, object?>> pairs when options.IncludeScopes:
                        foreach (var (key, value) in pairs)
                        {
                            if (key != OriginalFormatKey)
                            {
                                values[key] = value;
                            }
                        }

                        break;
                    case not null when options.IncludeScopes:
                        texts.Add(Convert.ToString(scope, CultureInfo.InvariantCulture) ?? string.Empty);
                        break;
                }
            },
            state: (object?)null);

        if (values.Count > 0 || texts.Count > 0)
        {
            writer.WriteStartObject("scope");
            foreach (var (key, value) in values)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, value);
            }

            if (texts.Count > 0)
            {
                writer.WriteString("text", string.Join(" => ", texts));
            }

            writer.WriteEndObject();
        }

        if (trace is not null)
        {
            // Cloud Logging links an entry to Cloud Trace only through the full resource name, which needs the project.
            // Without a known project the bare trace id is written: still searchable, but not linked to the trace.
            writer.WriteString(
                "logging.googleapis.com/trace",
                string.IsNullOrEmpty(options.ProjectId) ? trace.TraceId : $"projects/{options.ProjectId}/traces/{trace.TraceId}");
            if (trace.SpanId is not null)
            {
                writer.WriteString("logging.googleapis.com/spanId", trace.SpanId);
            }

            writer.WriteBoolean("logging.googleapis.com/trace_sampled", trace.Sampled);
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case decimal m:
                writer.WriteNumberValue(m);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                writer.WriteNumberValue(f);
                break;
            case DateTimeOffset t:
                writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture));
                break;
            case DateTime t:
                writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
