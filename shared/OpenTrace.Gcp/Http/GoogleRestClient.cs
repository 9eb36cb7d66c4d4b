using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core;

namespace OpenTrace.Gcp.Http;

/// <summary>
/// Sends requests to one Google API with a fresh access token per attempt, retrying idempotent calls on 408, 429, 5xx
/// and network errors with jittered exponential backoff that honours <c>Retry-After</c>.
/// </summary>
internal sealed class GoogleRestClient(HttpClient http, IAccessTokenSource tokens, Backoff backoff, string service)
{
    public static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    /// <summary>The API's name in messages, for example <c>BigQuery</c>.</summary>
    public string Service => service;

    public Backoff Backoff => backoff;

    /// <summary>
    /// Sends the request built by <paramref name="createRequest"/> (called once per attempt). Returns the last response,
    /// whatever its status; throws <see cref="TransientException"/> when the network failed on the last attempt.
    /// </summary>
    public async Task<RestResponse> SendAsync(
        Func<HttpRequestMessage> createRequest,
        bool idempotent,
        CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = createRequest();
            var token = await tokens.GetAccessTokenAsync(cancellationToken);
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, completion, cancellationToken);
            }
            catch (Exception e) when (IsNetworkError(e, cancellationToken))
            {
                if (!idempotent || attempt >= backoff.MaxAttempts)
                {
                    throw new TransientException($"{service} {request.Method} {request.RequestUri?.AbsolutePath} failed after {attempt} attempt(s): {e.Message}", e);
                }

                await backoff.WaitAsync(attempt, null, cancellationToken);
                continue;
            }

            if (idempotent && IsRetryableStatus(response.StatusCode) && attempt < backoff.MaxAttempts)
            {
                var retryAfter = RetryAfter(response);
                response.Dispose();
                await backoff.WaitAsync(attempt, retryAfter, cancellationToken);
                continue;
            }

            return new RestResponse(response, attempt);
        }
    }

    /// <summary>Sends a JSON request (or none when <paramref name="body"/> is null) and reads the JSON answer, whatever its status.</summary>
    public async Task<JsonResult> JsonAsync(HttpMethod method, string url, JsonNode? body, bool idempotent, CancellationToken cancellationToken)
    {
        var payload = body?.ToJsonString();
        var sent = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, url);
            if (payload is not null)
            {
                request.Content = new StringContent(payload, Encoding.UTF8, JsonMediaType);
            }

            return request;
        }, idempotent, cancellationToken);
        using var response = sent.Response;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            var element = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            return new JsonResult(response.StatusCode, element, null, sent.Attempts, method, response.RequestMessage?.RequestUri ?? new Uri(url));
        }

        return new JsonResult(response.StatusCode, default, GoogleApiError.Parse(response.StatusCode, text), sent.Attempts, method, response.RequestMessage?.RequestUri ?? new Uri(url));
    }

    /// <summary>Turns an error answer into the exception callers throw: transient ones wrapped in <see cref="TransientException"/>.</summary>
    public Exception ToException(HttpMethod method, Uri? uri, GoogleApiError error)
    {
        var api = new GcpApiException(service, method, uri, error);
        return error.IsTransient ? new TransientException(api.Message, api) : api;
    }

    public static async Task<Exception> ToExceptionAsync(GoogleRestClient client, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return client.ToException(response.RequestMessage?.Method ?? HttpMethod.Get, response.RequestMessage?.RequestUri, GoogleApiError.Parse(response.StatusCode, text));
    }

    public static bool IsRetryableStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    public static bool IsNetworkError(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException => true,
        IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // HttpClient timeout
        _ => false,
    };

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}

/// <summary>A response and how many attempts it took.</summary>
internal sealed record RestResponse(HttpResponseMessage Response, int Attempts);

/// <summary>A JSON answer: the body on success, the parsed error otherwise.</summary>
internal sealed record JsonResult(HttpStatusCode Status, JsonElement Body, GoogleApiError? Error, int Attempts, HttpMethod Method, Uri Uri)
{
    public bool IsSuccess => Error is null;

    /// <summary>The body; throws the client's exception for an error answer.</summary>
    public JsonElement EnsureSuccess(GoogleRestClient client) =>
        Error is null ? Body : throw client.ToException(Method, Uri, Error);
}
