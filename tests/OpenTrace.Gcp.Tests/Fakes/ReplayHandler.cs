using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace OpenTrace.Gcp.Tests.Fakes;

/// <summary>
/// Replays HTTP exchanges stored under <c>data/exchanges/</c>. Each request must match the next exchange's method,
/// host (when given), path, query (the whole set) and JSON body (<c>"{{any}}"</c> matches any value; extra request
/// properties fail); the stored response (status, headers, JSON body) is returned. A mismatch fails the test with a
/// message naming the exchange and the difference.
/// </summary>
public sealed class ReplayHandler : HttpMessageHandler
{
    private const string Any = "{{any}}";

    private readonly string _file;
    private readonly List<JsonObject> _exchanges;
    private int _next;

    public ReplayHandler(string file)
    {
        _file = file;
        var path = Path.Combine(AppContext.BaseDirectory, "data", "exchanges", file);
        _exchanges = JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(e => e!.AsObject()).ToList();
    }

    /// <summary>Request bodies as sent, in order (for assertions beyond the stored shape).</summary>
    public List<JsonNode?> Bodies { get; } = [];

    /// <summary>Authorization headers as sent, in order.</summary>
    public List<string?> Authorizations { get; } = [];

    /// <summary>Fails unless every stored exchange was replayed.</summary>
    public void AssertAllReplayed() =>
        Assert.True(_next == _exchanges.Count, $"{_file}: {_exchanges.Count - _next} of {_exchanges.Count} exchanges were never requested (next: {Describe(_next)}).");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_next >= _exchanges.Count)
        {
            throw new ReplayMismatchException($"{_file}: unexpected extra request {request.Method} {request.RequestUri}.");
        }

        var index = _next++;
        var exchange = _exchanges[index];
        var expected = exchange["request"]!.AsObject();
        var uri = request.RequestUri!;
        var where = $"{_file} exchange #{index + 1} ({Describe(index)})";
        Check(expected["method"]!.GetValue<string>() == request.Method.Method, where, $"method {request.Method}");
        if (expected["host"] is { } host)
        {
            Check(host.GetValue<string>() == uri.Host, where, $"host {uri.Host}");
        }

        Check(expected["path"]!.GetValue<string>() == uri.AbsolutePath, where, $"path {uri.AbsolutePath}");
        var query = QueryHelpers.ParseQuery(uri.Query).ToDictionary(kv => kv.Key, kv => kv.Value.ToString());
        var expectedQuery = expected["query"]?.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()) ?? [];
        Check(query.Count == expectedQuery.Count && expectedQuery.All(kv => query.TryGetValue(kv.Key, out var v) && (kv.Value == Any || v == kv.Value)),
            where, $"query {uri.Query}, expected {string.Join('&', expectedQuery.Select(kv => $"{kv.Key}={kv.Value}"))}");
        Authorizations.Add(request.Headers.Authorization?.ToString());

        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? sent = null;
        if (!string.IsNullOrEmpty(body) && request.Content!.Headers.ContentType?.MediaType == "application/json")
        {
            sent = JsonNode.Parse(body);
        }

        Bodies.Add(sent);
        if (expected["body"] is { } expectedBody)
        {
            Check(sent is not null, where, "no JSON body");
            var difference = Difference(expectedBody, sent, "$");
            Check(difference is null, where, $"body differs at {difference}; sent {sent?.ToJsonString()}");
        }

        if (expected["bodyContains"] is JsonArray fragments)
        {
            foreach (var fragment in fragments.Select(f => f!.GetValue<string>()))
            {
                Check(body?.Contains(fragment, StringComparison.Ordinal) == true, where, $"body lacks '{fragment}'");
            }
        }

        var stored = exchange["response"]!.AsObject();
        var response = new HttpResponseMessage((HttpStatusCode)stored["status"]!.GetValue<int>()) { RequestMessage = request };
        var text = stored["body"] is { } json ? json.ToJsonString() : string.Empty;
        response.Content = new StringContent(text, Encoding.UTF8, "application/json");
        if (stored["headers"] is JsonObject headers)
        {
            foreach (var (name, value) in headers)
            {
                if (!response.Headers.TryAddWithoutValidation(name, value!.GetValue<string>()))
                {
                    response.Content.Headers.TryAddWithoutValidation(name, value.GetValue<string>());
                }
            }
        }

        return response;
    }

    private string Describe(int index) =>
        index < _exchanges.Count ? _exchanges[index]["note"]?.GetValue<string>() ?? _exchanges[index]["request"]!["path"]!.GetValue<string>() : "none";

    private static void Check(bool ok, string where, string what)
    {
        if (!ok)
        {
            throw new ReplayMismatchException($"{where}: unexpected {what}.");
        }
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/>; otherwise the JSON path of the first difference.</summary>
    private static string? Difference(JsonNode? expected, JsonNode? actual, string path)
    {
        if (expected is JsonValue v && v.TryGetValue<string>(out var s) && s == Any)
        {
            return actual is null ? path : null;
        }

        switch (expected)
        {
            case JsonObject eo:
                if (actual is not JsonObject ao)
                {
                    return path;
                }

                foreach (var (key, value) in eo)
                {
                    if (!ao.ContainsKey(key))
                    {
                        return $"{path}.{key} (missing)";
                    }

                    if (Difference(value, ao[key], $"{path}.{key}") is { } d)
                    {
                        return d;
                    }
                }

                return ao.Select(kv => kv.Key).FirstOrDefault(k => !eo.ContainsKey(k)) is { } extra ? $"{path}.{extra} (unexpected)" : null;
            case JsonArray ea:
                if (actual is not JsonArray aa || aa.Count != ea.Count)
                {
                    return $"{path} (array length)";
                }

                for (var i = 0; i < ea.Count; i++)
                {
                    if (Difference(ea[i], aa[i], $"{path}[{i}]") is { } d)
                    {
                        return d;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : path;
        }
    }
}

/// <summary>A request did not match the stored exchange.</summary>
public sealed class ReplayMismatchException(string message) : Exception(message);
