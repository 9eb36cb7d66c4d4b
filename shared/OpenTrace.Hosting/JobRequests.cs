using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using OpenTrace.Core;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Hosting;

/// <summary>
/// How a job function reads its request: an optional JSON object body of at most <see cref="MaxBodyBytes"/> bytes,
/// deserialized to <typeparamref name="TBody"/> (snake_case names, unknown fields rejected), then the allowed
/// <see cref="QueryParameters"/> applied to it.
/// </summary>
/// <typeparam name="TBody">A record whose constructor defaults are the request without a body.</typeparam>
public sealed class JobRequestFormat<TBody>
    where TBody : class
{
    /// <summary>What a POST does, after "POST to": <c>run gold</c>.</summary>
    public required string Action { get; init; }

    /// <summary>A body to show in messages: <c>{"select": "model+"}</c>.</summary>
    public required string Example { get; init; }

    /// <summary>The largest body read; a larger one is a bad request.</summary>
    public required int MaxBodyBytes { get; init; }

    /// <summary>
    /// The query parameters allowed, each with how it changes the body read. A parameter given more than once arrives
    /// as its values joined by ','. None allowed by default.
    /// </summary>
    public IReadOnlyDictionary<string, Func<TBody, string, TBody>> QueryParameters { get; init; } = new Dictionary<string, Func<TBody, string, TBody>>();

    /// <summary>The answer to a method other than POST.</summary>
    public string Usage => $"POST to {Action} (optional JSON body {Example}).";
}

/// <summary>The request cannot be understood; <see cref="JobRequests.HandleAsync"/> answers 400 with the message.</summary>
public sealed class JobRequestException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The plumbing of HTTP functions that Cloud Scheduler POSTs to run a job (gold, features, train): method check,
/// request reading, trigger, JSON answers and the mapping of failures to status codes.
/// </summary>
public static class JobRequests
{
    /// <summary>Header Cloud Scheduler adds to the requests it sends.</summary>
    public const string SchedulerHeader = "X-CloudScheduler";

    private static readonly JsonSerializerOptions BodyJson = CreateBodyJson();

    /// <summary>How the job was started: <c>scheduler</c> when Cloud Scheduler sent the request, otherwise <c>http</c>.</summary>
    public static string Trigger(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsKey(SchedulerHeader) ? "scheduler" : "http";
    }

    /// <summary>
    /// Handles one call: 405 with <c>Allow: POST</c> for other methods; reads the request by <paramref name="format"/>
    /// and calls <paramref name="runAsync"/> with it and the <see cref="Trigger"/>, answering 200 with the JSON of
    /// what it returns. A <see cref="JobRequestException"/> or an <see cref="OpenTraceException"/> with rule
    /// <c>select</c> (the selection names nothing) answers 400 with its message; a transient
    /// <see cref="WarehouseException"/> becomes a <see cref="TransientException"/>, which the host answers 503.
    /// </summary>
    public static async Task HandleAsync<TBody>(HttpContext context, JobRequestFormat<TBody> format, Func<TBody, string, CancellationToken, Task<object>> runAsync)
        where TBody : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(runAsync);
        var cancellationToken = context.RequestAborted;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await JsonResponses.WriteErrorAsync(context, StatusCodes.Status405MethodNotAllowed, format.Usage);
            return;
        }

        object answer;
        try
        {
            var body = await ReadAsync(context.Request, format, cancellationToken);
            answer = await runAsync(body, Trigger(context.Request), cancellationToken);
        }
        catch (Exception ex) when (ex is JobRequestException or OpenTraceException { Rule: "select" })
        {
            await JsonResponses.WriteErrorAsync(context, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }
        catch (WarehouseException ex) when (ex.IsTransient)
        {
            throw new TransientException($"The warehouse failed transiently while trying to {format.Action}: {ex.Message}", ex);
        }

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, answer);
    }

    /// <summary>
    /// Reads the request: the body (none, or only whitespace, gives <typeparamref name="TBody"/>'s defaults), then the
    /// query parameters, decoded without turning '+' into a space (<c>select=fct_orders+</c> keeps its '+').
    /// </summary>
    /// <exception cref="JobRequestException">The body is too large, not a JSON object, has an unknown field or a field
    /// of the wrong type, or the query has a parameter the format does not allow.</exception>
    public static async Task<TBody> ReadAsync<TBody>(HttpRequest request, JobRequestFormat<TBody> format, CancellationToken cancellationToken = default)
        where TBody : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(format);
        var query = QueryParameters(request.QueryString.Value, format);
        var body = Deserialize(await ReadBodyAsync(request, format.MaxBodyBytes, cancellationToken), format);
        foreach (var (name, value) in query)
        {
            body = format.QueryParameters[name](body, value);
        }

        return body;
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // One byte more than allowed tells a body at the limit from a longer one without reading the rest.
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return length > maxBytes ? throw TooLarge(maxBytes) : buffer.AsMemory(0, length);
    }

    private static JobRequestException TooLarge(int maxBytes) => new($"The body is larger than {maxBytes} bytes.");

    private static TBody Deserialize<TBody>(ReadOnlyMemory<byte> body, JobRequestFormat<TBody> format)
        where TBody : class
    {
        var json = body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;
        if (json.Span.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            json = "{}"u8.ToArray();
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new JobRequestException($"The body is not JSON: {ex.Message} It must be a JSON object such as {format.Example}.", ex);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JobRequestException($"The body must be a JSON object such as {format.Example}.");
        }

        var fields = BodyJson.GetTypeInfo(typeof(TBody)).Properties;
        foreach (var property in root.EnumerateObject())
        {
            if (!fields.Any(f => f.Name == property.Name))
            {
                throw new JobRequestException($"Unknown field '{property.Name}'; the body takes {Join(fields.Select(f => f.Name), "and")}.");
            }
        }

        try
        {
            return root.Deserialize<TBody>(BodyJson) ?? throw new JobRequestException($"The body must be a JSON object such as {format.Example}.");
        }
        catch (JsonException ex)
        {
            var field = fields.FirstOrDefault(f => ex.Path is { } path && (path == $"$.{f.Name}" || path.StartsWith($"$.{f.Name}.", StringComparison.Ordinal) || path.StartsWith($"$.{f.Name}[", StringComparison.Ordinal)));
            var takes = $"the body takes {Join(fields.Select(f => $"{f.Name} ({Describe(f.PropertyType)})"), "and")}";
            throw new JobRequestException(field is null ? $"The body does not fit: {ex.Message}; {takes}." : $"'{field.Name}' has the wrong type; {takes}.", ex);
        }
    }

    /// <summary>The query's parameters in order, each name once with its values joined by ','.</summary>
    private static List<(string Name, string Value)> QueryParameters<TBody>(string? query, JobRequestFormat<TBody> format)
        where TBody : class
    {
        var parameters = new List<(string Name, string Value)>();
        if (string.IsNullOrEmpty(query))
        {
            return parameters;
        }

        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!format.QueryParameters.ContainsKey(name))
            {
                throw new JobRequestException(format.QueryParameters.Count == 0
                    ? $"Unknown query parameter '{name}'; the request takes none."
                    : $"Unknown query parameter '{name}'; use {Join(format.QueryParameters.Keys, "or")}.");
            }

            var index = parameters.FindIndex(p => p.Name == name);
            if (index < 0)
            {
                parameters.Add((name, value));
            }
            else
            {
                parameters[index] = (name, $"{parameters[index].Value},{value}");
            }
        }

        return parameters;
    }

    private static string Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "a string",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(decimal) => "a number",
        _ => "JSON",
    };

    private static string Join(IEnumerable<string> items, string conjunction)
    {
        var list = items.ToList();
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} {conjunction} {list[^1]}";
    }

    private static JsonSerializerOptions CreateBodyJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }
}
