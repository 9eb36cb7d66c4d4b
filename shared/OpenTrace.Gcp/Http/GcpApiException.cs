using System.Globalization;
using System.Net;

namespace OpenTrace.Gcp.Http;

/// <summary>A Google Cloud API answered with an error that retrying will not fix (or retries ran out).</summary>
public sealed class GcpApiException : Exception
{
    /// <summary>Creates the exception from a parsed error.</summary>
    public GcpApiException(string service, HttpMethod method, Uri? uri, GoogleApiError error, Exception? inner = null)
        : base(Compose(service, method, uri, error), inner)
    {
        Service = service;
        Error = error;
    }

    /// <summary>The API that failed, for example <c>Cloud Storage</c>.</summary>
    public string Service { get; }

    /// <summary>The error as Google returned it.</summary>
    public GoogleApiError Error { get; }

    /// <summary>The HTTP status code.</summary>
    public HttpStatusCode StatusCode => (HttpStatusCode)Error.Code;

    /// <summary>True when retrying later may succeed (429, 5xx, rate limit or backend reasons).</summary>
    public bool IsTransient => Error.IsTransient;

    private static string Compose(string service, HttpMethod method, Uri? uri, GoogleApiError error)
    {
        var reason = error.Reason is null ? string.Empty : $" reason {error.Reason}";
        var location = error.Location is null ? string.Empty : $" at {error.Location}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{service} {method} {uri?.AbsolutePath} failed with {error.Code} {error.Status}{reason}{location}: {error.Message}");
    }
}
