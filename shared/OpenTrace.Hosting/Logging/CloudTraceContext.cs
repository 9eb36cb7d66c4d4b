using System.Collections;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting.Logging;

/// <summary>
/// The trace a request belongs to, from its W3C <c>traceparent</c> header or Google's
/// <c>X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1</c>. The host opens a logging scope with it for each function
/// call, and <see cref="CloudLoggingJsonFormatter"/> turns it into Cloud Logging's trace fields. As a scope it also
/// reads as the key/value pairs TraceId, SpanId and TraceSampled, so other log formatters show it too.
/// </summary>
public sealed class CloudTraceContext : IReadOnlyList<KeyValuePair<string, object?>>
{
    /// <summary>The W3C trace context header.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>Google's trace header.</summary>
    public const string CloudTraceHeader = "X-Cloud-Trace-Context";

    /// <summary>Creates a context; <paramref name="traceId"/> is 32 lowercase hex digits, <paramref name="spanId"/> 16 or null.</summary>
    public CloudTraceContext(string traceId, string? spanId, bool sampled)
    {
        ArgumentException.ThrowIfNullOrEmpty(traceId);
        TraceId = traceId;
        SpanId = spanId;
        Sampled = sampled;
    }

    /// <summary>Trace id, 32 lowercase hex digits.</summary>
    public string TraceId { get; }

    /// <summary>Span id, 16 lowercase hex digits, or null when the header carried none.</summary>
    public string? SpanId { get; }

    /// <summary>Whether the caller sampled this trace.</summary>
    public bool Sampled { get; }

    /// <inheritdoc />
    public int Count => 3;

    /// <inheritdoc />
    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TraceId", TraceId),
        1 => new("SpanId", SpanId),
        2 => new("TraceSampled", Sampled),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    /// <summary>
    /// Reads the trace from request headers: <c>traceparent</c> first, then <c>X-Cloud-Trace-Context</c>.
    /// Returns null when neither is present or valid.
    /// </summary>
    public static CloudTraceContext? FromHeaders(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return ParseTraceParent(headers[TraceParentHeader].ToString()) ?? ParseCloudTraceContext(headers[CloudTraceHeader].ToString());
    }

    /// <summary>Parses <c>VERSION-TRACEID-SPANID-FLAGS</c>; null when malformed.</summary>
    public static CloudTraceContext? ParseTraceParent(string? value)
    {
        var parts = value?.Trim().Split('-');
        if (parts is not { Length: >= 4 } || parts[0].Length != 2 || parts[0] == "ff" || !IsHex(parts[0])
            || !IsTraceId(parts[1]) || parts[2].Length != 16 || !IsHex(parts[2]) || IsAllZero(parts[2])
            || parts[3].Length != 2 || !byte.TryParse(parts[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var flags)
            || (parts[0] == "00" && parts.Length != 4))
        {
            return null;
        }

        return new(parts[1].ToLowerInvariant(), parts[2].ToLowerInvariant(), (flags & 1) == 1);
    }

    /// <summary>Parses <c>TRACE_ID[/SPAN_ID][;o=OPTIONS]</c> where SPAN_ID is decimal; null when malformed.</summary>
    public static CloudTraceContext? ParseCloudTraceContext(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var (ids, options) = Split(value.Trim(), ';');
        var (traceId, span) = Split(ids, '/');
        if (!IsTraceId(traceId))
        {
            return null;
        }

        string? spanId = null;
        if (span is not null)
        {
            if (!ulong.TryParse(span, NumberStyles.None, CultureInfo.InvariantCulture, out var spanNumber))
            {
                return null;
            }

            // Cloud Logging wants the span as 16 hex digits; this header carries it in decimal.
            spanId = spanNumber == 0 ? null : spanNumber.ToString("x16", CultureInfo.InvariantCulture);
        }

        return new(traceId.ToLowerInvariant(), spanId, options is not null && options.Trim() == "o=1");
    }

    /// <summary>The trace as <c>TRACE_ID/SPAN_ID</c>, for plain-text logs.</summary>
    public override string ToString() => SpanId is null ? $"trace {TraceId}" : $"trace {TraceId}/{SpanId}";

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static (string Head, string? Tail) Split(string value, char separator)
    {
        var at = value.IndexOf(separator, StringComparison.Ordinal);
        return at < 0 ? (value, null) : (value[..at], value[(at + 1)..]);
    }

    private static bool IsTraceId(string value) => value.Length == 32 && IsHex(value) && !IsAllZero(value);

    private static bool IsHex(string value) => value.All(char.IsAsciiHexDigit);

    private static bool IsAllZero(string value) => value.All(c => c == '0');
}
