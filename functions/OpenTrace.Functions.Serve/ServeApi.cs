using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Training;

namespace OpenTrace.Functions.Serve;

/// <summary>
/// The serve API's routes. One instance serves every request: routes are matched on the path without allocation,
/// bodies are read into pooled buffers up to the size limit, responses are written with a <see cref="Utf8JsonWriter"/>
/// and sent with their length.
/// </summary>
public sealed class ServeApi
{
    private const string FeaturesPrefix = "/v1/features/";
    private const string PredictPath = "/v1/predict";
    private const string JsonContentType = "application/json; charset=utf-8";

    // Answers are application/json read by programs and people: keep non-ASCII text and backticks as they are.
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly FeatureCatalog _catalog;
    private readonly OnlineFeatureStore _online;
    private readonly PredictionService _predictions;
    private readonly QaService _qa;
    private readonly TimeProvider _time;
    private readonly int _maxRequestBytes;
    private readonly Lazy<byte[]> _openApi;

    /// <summary>Creates the API over the feature store, the prediction service and question answering.</summary>
    public ServeApi(FeatureCatalog catalog, OnlineFeatureStore online, PredictionService predictions, QaService qa, IOptions<FeatureStoreOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(online);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(qa);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _catalog = catalog;
        _online = online;
        _predictions = predictions;
        _qa = qa;
        _time = time;
        _maxRequestBytes = options.Value.MaxRequestBytes;
        _openApi = new Lazy<byte[]>(() => ServeOpenApi.Build(catalog, _maxRequestBytes));
    }

    /// <summary>The routes, for <c>opentrace up</c> and the tests: method and path template.</summary>
    public static IReadOnlyList<(string Method, string Path)> Routes { get; } =
    [
        ("GET", "/v1/features/{group}/{entityId}"),
        ("POST", "/v1/predict"),
        ("POST", "/v1/predict/{task}"),
        ("POST", "/v1/qa"),
        ("POST", "/v1/search"),
        ("GET", "/openapi.json"),
    ];

    /// <summary>Handles one request.</summary>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        if (path.StartsWith(FeaturesPrefix, StringComparison.Ordinal))
        {
            return HttpMethods.IsGet(method) ? FeaturesAsync(context, path.AsMemory(FeaturesPrefix.Length)) : MethodNotAllowedAsync(context, "GET");
        }

        if (path.StartsWith(PredictPath, StringComparison.Ordinal) && (path.Length == PredictPath.Length || path[PredictPath.Length] == '/'))
        {
            return HttpMethods.IsPost(method) ? PredictAsync(context, path.Length > PredictPath.Length + 1 ? path[(PredictPath.Length + 1)..] : null) : MethodNotAllowedAsync(context, "POST");
        }

        return path switch
        {
            "/v1/qa" => HttpMethods.IsPost(method) ? QaAsync(context) : MethodNotAllowedAsync(context, "POST"),
            "/v1/search" => HttpMethods.IsPost(method) ? SearchAsync(context) : MethodNotAllowedAsync(context, "POST"),
            "/openapi.json" => HttpMethods.IsGet(method) ? SendAsync(context, StatusCodes.Status200OK, _openApi.Value) : MethodNotAllowedAsync(context, "GET"),
            _ => ErrorAsync(context, StatusCodes.Status404NotFound, $"No route {path}. The API is described at /openapi.json."),
        };
    }

    private async Task FeaturesAsync(HttpContext context, ReadOnlyMemory<char> rest)
    {
        var slash = rest.Span.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "Look values up at /v1/features/{group}/{entityId}.");
            return;
        }

        var groupName = rest.Span[..slash];
        FeatureGroup? group = null;
        foreach (var candidate in _catalog.Groups)
        {
            if (groupName.SequenceEqual(candidate.Name))
            {
                group = candidate;
                break;
            }
        }

        if (group is null)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"No feature group '{groupName}'. Groups: {string.Join(", ", _catalog.Groups.Select(g => g.Name))}.");
            return;
        }

        var entityId = rest[(slash + 1)..].ToString();
        if (entityId.Contains("%2F", StringComparison.OrdinalIgnoreCase))
        {
            entityId = entityId.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }

        if (entityId.Length > PredictionRequestReader.MaxTextLength)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"Entity ids are at most {PredictionRequestReader.MaxTextLength} characters.");
            return;
        }

        var found = await _online.ReadAsync(group, entityId, context.RequestAborted);
        var json = Writer();
        json.WriteStartObject();
        if (!found.IsServed)
        {
            json.WriteString("error", found.Status == OnlineStatus.Omitted
                ? $"The value of {group.Name} '{entityId}' is older than the group's TTL ({group.Ttl.TotalDays:0.##} days) and the group omits stale values."
                : $"No value of {group.Name} for '{entityId}'.");
        }

        json.WriteString("group", group.Name);
        json.WriteString("entityId", entityId);
        WriteStatus(json, found);
        if (found.IsServed)
        {
            json.WriteNumber("ttlSeconds", group.Ttl.TotalSeconds);
            json.WritePropertyName("features");
            WriteValues(json, group, found.Values);
        }

        json.WriteEndObject();
        await SendAsync(context, found.IsServed ? StatusCodes.Status200OK : StatusCodes.Status404NotFound, json);
    }

    private async Task PredictAsync(HttpContext context, string? taskName)
    {
        PredictionTask? task;
        if (taskName is null)
        {
            task = _catalog.Tasks.Count == 1 ? _catalog.Tasks[0] : null;
            if (task is null)
            {
                await ErrorAsync(context, StatusCodes.Status404NotFound, $"Name the task: /v1/predict/{{task}} with one of {string.Join(", ", _catalog.Tasks.Select(t => t.Name))}.");
                return;
            }
        }
        else if ((task = _catalog.FindTask(taskName)) is null)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, $"No prediction task '{taskName}'. Tasks: {string.Join(", ", _catalog.Tasks.Select(t => t.Name))}.");
            return;
        }

        ServingModel model;
        try
        {
            model = await _predictions.ModelAsync(task, context.RequestAborted);
        }
        catch (Exception ex) when (ex is NoPromotedModelException || ex is OpenTraceException { Rule: "serving" })
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
            return;
        }

        var body = await ReadBodyAsync(context);
        if (body.Buffer is null)
        {
            return;
        }

        Validated<PredictionInput> input;
        try
        {
            input = model.Requests.Read(body.Buffer.AsSpan(0, body.Length), _time.GetUtcNow());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body.Buffer);
        }

        if (!input.IsValid)
        {
            await FieldErrorsAsync(context, input.Errors);
            return;
        }

        var result = await _predictions.PredictAsync(model, input.Value!, context.RequestAborted);
        var json = Writer();
        json.WriteStartObject();
        json.WriteString("task", task.Name);
        json.WriteNumber("modelVersion", model.Version);
        json.WriteString("key", result.Input.Key);
        json.WriteNumber("probability", Math.Round(result.Probability, 6));
        json.WriteString("eventTimestamp", result.Input.EventTimestamp);
        json.WriteStartObject("features");
        for (var e = 0; e < model.Layout.Entities.Count; e++)
        {
            var slots = model.Layout.Entities[e];
            var used = result.Groups[e];
            json.WriteStartObject(slots.Group.Name);
            json.WriteString("entityId", used.EntityId);
            WriteStatus(json, used);
            if (used.IsServed)
            {
                json.WritePropertyName("values");
                WriteValues(json, slots.Group, used.Values, slots.Features);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteStartObject("requestFeatures");
        for (var i = 0; i < task.RequestFeatures.Count; i++)
        {
            json.WriteNumber(task.RequestFeatures[i].Name, Math.Round(result.Vector[model.Layout.RequestSlot + i], 6));
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await SendAsync(context, StatusCodes.Status200OK, json);
    }

    private async Task QaAsync(HttpContext context)
    {
        var request = await ReadJsonAsync<QaRequest>(context);
        if (request is null)
        {
            return;
        }

        try
        {
            var answer = await _qa.AskAsync(request, context.RequestAborted);
            await (answer.IsValid ? SendJsonAsync(context, StatusCodes.Status200OK, answer.Value!) : FieldErrorsAsync(context, answer.Errors));
        }
        catch (NoSnapshotException ex)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
        }
    }

    private async Task SearchAsync(HttpContext context)
    {
        var request = await ReadJsonAsync<SearchRequest>(context);
        if (request is null)
        {
            return;
        }

        try
        {
            var hits = await _qa.SearchAsync(request, context.RequestAborted);
            await (hits.IsValid ? SendJsonAsync(context, StatusCodes.Status200OK, hits.Value!) : FieldErrorsAsync(context, hits.Errors));
        }
        catch (NoSnapshotException ex)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, ex.Message);
        }
    }

    private async Task<T?> ReadJsonAsync<T>(HttpContext context)
        where T : class
    {
        var body = await ReadBodyAsync(context);
        if (body.Buffer is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Buffer.AsSpan(0, body.Length), WebJson)
                ?? throw new JsonException("The body is null; it must be a JSON object.");
        }
        catch (JsonException ex)
        {
            await FieldErrorsAsync(context, [new FieldError(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.'), $"Invalid JSON: {ex.Message}")]);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body.Buffer);
        }
    }

    /// <summary>
    /// Reads the body into a pooled buffer (return it to <see cref="ArrayPool{T}.Shared"/>). Answers 413 and returns a
    /// null buffer when it is larger than the limit.
    /// </summary>
    private async Task<(byte[]? Buffer, int Length)> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _maxRequestBytes)
        {
            await TooLargeAsync(context);
            return (null, 0);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = _maxRequestBytes;
        }

        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            if (read.Buffer.Length > _maxRequestBytes)
            {
                reader.AdvanceTo(read.Buffer.End);
                await TooLargeAsync(context);
                return (null, 0);
            }

            if (read.IsCompleted)
            {
                var length = (int)read.Buffer.Length;
                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                read.Buffer.CopyTo(buffer);
                reader.AdvanceTo(read.Buffer.End);
                return (buffer, length);
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private Task TooLargeAsync(HttpContext context) =>
        ErrorAsync(context, StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The body is larger than {_maxRequestBytes:N0} bytes."));

    private static void WriteStatus(Utf8JsonWriter json, OnlineFeatures found)
    {
        json.WriteString("status", found.Status switch
        {
            OnlineStatus.Fresh => "fresh",
            OnlineStatus.Stale => "stale",
            OnlineStatus.Omitted => "omitted",
            _ => "missing",
        });
        json.WriteBoolean("stale", found.Status is OnlineStatus.Stale or OnlineStatus.Omitted);
        if (found.EventTimestamp is { } at)
        {
            json.WriteString("eventTimestamp", at);
            json.WriteNumber("ageSeconds", Math.Round(found.Age!.Value.TotalSeconds, 3));
        }
    }

    private static void WriteValues(Utf8JsonWriter json, FeatureGroup group, IReadOnlyDictionary<string, object?> values, IReadOnlyList<FeatureDefinition>? only = null)
    {
        json.WriteStartObject();
        foreach (var feature in only ?? group.Features)
        {
            switch (values.GetValueOrDefault(feature.Name))
            {
                case null:
                    json.WriteNull(feature.Name);
                    break;
                case double d when double.IsFinite(d):
                    json.WriteNumber(feature.Name, d);
                    break;
                case long l:
                    json.WriteNumber(feature.Name, l);
                    break;
                case bool b:
                    json.WriteBoolean(feature.Name, b);
                    break;
                case DateTimeOffset t:
                    json.WriteString(feature.Name, t);
                    break;
                case var other:
                    json.WriteString(feature.Name, Convert.ToString(other, CultureInfo.InvariantCulture));
                    break;
            }
        }

        json.WriteEndObject();
    }

    private static Task MethodNotAllowedAsync(HttpContext context, string allow)
    {
        context.Response.Headers.Allow = allow;
        return ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, $"{context.Request.Path} answers {allow} only.");
    }

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        var json = Writer();
        json.WriteStartObject();
        json.WriteString("error", message);
        json.WriteEndObject();
        return SendAsync(context, status, json);
    }

    private static Task FieldErrorsAsync(HttpContext context, IReadOnlyList<FieldError> errors)
    {
        var json = Writer();
        json.WriteStartObject();
        json.WriteStartArray("errors");
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteString("field", error.Field);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return SendAsync(context, StatusCodes.Status400BadRequest, json);
    }

    private static Task SendJsonAsync<T>(HttpContext context, int status, T value) =>
        SendAsync(context, status, JsonSerializer.SerializeToUtf8Bytes(value, WebJson));

    private static async Task SendAsync(HttpContext context, int status, ReadOnlyMemory<byte> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = body.Length;
        await response.BodyWriter.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>
    /// This thread's JSON writer over its reusable buffer, emptied. Use it without awaiting until
    /// <see cref="SendAsync(HttpContext, int, Utf8JsonWriter)"/> has copied what it wrote.
    /// </summary>
    private static Utf8JsonWriter Writer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        return writer;
    }

    /// <summary>Sends what <paramref name="json"/> wrote with its length, copying it out of the thread's buffer before any await.</summary>
    private static Task SendAsync(HttpContext context, int status, Utf8JsonWriter json)
    {
        json.Flush();
        var buffer = t_buffer!;
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        buffer.ResetWrittenCount();
        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
