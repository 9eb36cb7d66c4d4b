using System.Net;
using System.Text.Json;

namespace OpenTrace.Gcp.Http;

/// <summary>
/// Google's error body, <c>{"error":{"code","message","status","errors":[{"reason","location","message"}]}}</c>,
/// reduced to what callers act on.
/// </summary>
/// <param name="Code">HTTP status code.</param>
/// <param name="Status">Canonical status, for example <c>ALREADY_EXISTS</c>; null when absent.</param>
/// <param name="Message">The service's message.</param>
/// <param name="Reason">The first detailed reason (for example <c>duplicate</c>, <c>rateLimitExceeded</c>), or null.</param>
/// <param name="Location">Where the error is (BigQuery: file, column or query position), or null.</param>
public sealed record GoogleApiError(int Code, string? Status, string Message, string? Reason, string? Location)
{
    private static readonly HashSet<string> TransientReasons = new(StringComparer.Ordinal)
    {
        "rateLimitExceeded", "backendError", "internalError", "jobBackendError", "jobInternalError", "userRateLimitExceeded",
    };

    /// <summary>True for 408, 429, 5xx and Google's transient reasons.</summary>
    public bool IsTransient =>
        Code is 408 or 429 or >= 500 || (Reason is not null && TransientReasons.Contains(Reason)) || Status is "UNAVAILABLE" or "ABORTED" or "RESOURCE_EXHAUSTED";

    /// <summary>True when <paramref name="reason"/> is a transient BigQuery/Google reason.</summary>
    public static bool IsTransientReason(string? reason) => reason is not null && TransientReasons.Contains(reason);

    /// <summary>Parses an error body; falls back to the status line when the body is not Google's JSON.</summary>
    public static GoogleApiError Parse(HttpStatusCode statusCode, string body)
    {
        var code = (int)statusCode;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                return FromErrorElement(code, error);
            }
        }
        catch (JsonException)
        {
            // not JSON: plain text from a proxy or load balancer
        }

        var text = body.Length > 500 ? body[..500] : body;
        return new GoogleApiError(code, null, string.IsNullOrWhiteSpace(text) ? statusCode.ToString() : text.Trim(), null, null);
    }

    /// <summary>Reads an <c>error</c> object, or a BigQuery <c>ErrorProto</c> (<c>reason</c>, <c>location</c>, <c>message</c>).</summary>
    public static GoogleApiError FromErrorElement(int code, JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            return new GoogleApiError(code, null, error.GetString() ?? string.Empty, null, null);
        }

        var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
        var status = error.TryGetProperty("status", out var s) ? s.GetString() : null;
        string? reason = error.TryGetProperty("reason", out var r) ? r.GetString() : null;
        string? location = error.TryGetProperty("location", out var l) ? l.GetString() : null;
        if (error.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            reason ??= first.TryGetProperty("reason", out var fr) ? fr.GetString() : null;
            location ??= first.TryGetProperty("location", out var fl) ? fl.GetString() : null;
        }

        if (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number)
        {
            code = c.GetInt32();
        }

        return new GoogleApiError(code, status, message, reason, location);
    }
}
