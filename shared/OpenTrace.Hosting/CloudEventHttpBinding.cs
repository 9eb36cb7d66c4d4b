using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.AspNetCore.Http;

namespace OpenTrace.Hosting;

/// <summary>
/// The CloudEvents HTTP protocol binding for ASP.NET Core requests: binary mode (attributes in <c>ce-*</c> headers,
/// <c>Content-Type</c> is the data content type; what Eventarc sends to Cloud Run) and structured mode
/// (<c>application/cloudevents+json</c>). Batch mode is refused. Every problem is a
/// <see cref="MalformedEventException"/> whose message is one line naming what is wrong.
/// </summary>
public static class CloudEventHttpBinding
{
    private const string HeaderPrefix = "ce-";

    private static readonly JsonEventFormatter Formatter = new();

    // Web defaults: camelCase, case-insensitive names, numbers accepted from strings (GCS sends int64 as strings).
    private static readonly JsonSerializerOptions DataOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Reads the request as one CloudEvent (binary or structured mode).</summary>
    /// <exception cref="MalformedEventException">The request is not a valid single CloudEvent.</exception>
    public static async Task<CloudEvent> ReadCloudEventAsync(this HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var contentType = request.ContentType;
        if (contentType is not null && MimeUtilities.IsCloudEventsBatchContentType(contentType))
        {
            throw new MalformedEventException($"batch-mode CloudEvents ({contentType}) are not supported; send one event per request");
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        return contentType is not null && MimeUtilities.IsCloudEventsContentType(contentType)
            ? DecodeStructured(body, contentType)
            : DecodeBinary(request.Headers, contentType, body);
    }

    /// <summary>
    /// Deserializes the event's JSON data to <typeparamref name="TData"/> with System.Text.Json (web defaults:
    /// camelCase names, case-insensitive, numbers accepted as strings).
    /// </summary>
    /// <exception cref="MalformedEventException">No data, data that is not JSON, or JSON of the wrong shape (the message names the JSON path).</exception>
    public static TData ReadData<TData>(CloudEvent cloudEvent)
        where TData : class
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var target = typeof(TData).Name;
        if (cloudEvent.Data is string text && typeof(TData) == typeof(string))
        {
            return (TData)(object)text;
        }

        var element = cloudEvent.Data switch
        {
            null => throw new MalformedEventException($"event {cloudEvent.Id} has no data; expected JSON for {target}"),
            JsonElement json => json,
            byte[] bytes when IsJson(cloudEvent.DataContentType) => ParseJson(bytes, "event data"),
            string json when IsJson(cloudEvent.DataContentType) => ParseJson(System.Text.Encoding.UTF8.GetBytes(json), "event data"),
            _ => throw new MalformedEventException(
                $"event data has content type '{cloudEvent.DataContentType}', which is not JSON; cannot read it as {target}"),
        };

        if (element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            throw new MalformedEventException($"event {cloudEvent.Id} has null data; expected JSON for {target}");
        }

        try
        {
            return element.Deserialize<TData>(DataOptions)
                ?? throw new MalformedEventException($"event {cloudEvent.Id} has null data; expected JSON for {target}");
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"event data is not a valid {target} at {e.Path ?? "$"}: {WithoutLocation(e.Message)}", e);
        }
    }

    /// <summary>Makes <paramref name="text"/> a single line (HTTP reasons and log-friendly messages).</summary>
    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static CloudEvent DecodeStructured(ReadOnlyMemory<byte> body, string contentType)
    {
        ContentType parsedType;
        try
        {
            parsedType = new ContentType(contentType);
        }
        catch (FormatException e)
        {
            throw new MalformedEventException($"invalid Content-Type '{contentType}': {OneLine(e.Message)}", e);
        }

        if (!string.Equals(parsedType.MediaType, MimeUtilities.MediaType + "+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new MalformedEventException($"structured-mode format '{parsedType.MediaType}' is not supported; use {MimeUtilities.MediaType}+json");
        }

        // Check the envelope first so the common mistakes get a precise reason rather than the formatter's wording.
        using (var document = ParseDocument(body, "structured CloudEvent body"))
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedEventException($"structured CloudEvent must be a JSON object, found {root.ValueKind}");
            }

            var specVersion = RequireString(root, "specversion");
            var spec = CheckSpecVersion(specVersion);
            foreach (var attribute in spec.RequiredAttributes)
            {
                RequireString(root, attribute.Name);
            }
        }

        try
        {
            return Formatter.DecodeStructuredModeMessage(body, parsedType, extensionAttributes: null);
        }
        catch (Exception e) when (e is ArgumentException or JsonException or FormatException or InvalidOperationException)
        {
            throw new MalformedEventException($"invalid structured CloudEvent: {OneLine(e.Message)}", e);
        }
    }

    private static CloudEvent DecodeBinary(IHeaderDictionary headers, string? contentType, ReadOnlyMemory<byte> body)
    {
        var specVersion = headers[HttpUtilities.SpecVersionHttpHeader].ToString();
        if (specVersion.Length == 0)
        {
            throw new MalformedEventException(
                $"not a CloudEvent: no {HttpUtilities.SpecVersionHttpHeader} header (binary mode) and Content-Type '{contentType}' is not {MimeUtilities.MediaType}+json (structured mode)");
        }

        var cloudEvent = new CloudEvent(CheckSpecVersion(HttpUtilities.DecodeHeaderValue(specVersion)));
        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var attribute = name[HeaderPrefix.Length..].ToLowerInvariant();

            // specversion is already applied; in binary mode the data content type is the Content-Type header.
            if (attribute is "specversion" or "datacontenttype")
            {
                continue;
            }

            var value = HttpUtilities.DecodeHeaderValue(values.ToString());
            try
            {
                cloudEvent.SetAttributeFromString(attribute, value);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new MalformedEventException($"invalid {HeaderPrefix}{attribute} header '{value}': {OneLine(e.Message)}", e);
            }
        }

        foreach (var attribute in cloudEvent.SpecVersion.RequiredAttributes)
        {
            if (cloudEvent[attribute] is null)
            {
                throw new MalformedEventException($"missing {HeaderPrefix}{attribute.Name} header");
            }
        }

        if (!string.IsNullOrEmpty(contentType))
        {
            try
            {
                cloudEvent.DataContentType = contentType;
            }
            catch (ArgumentException e)
            {
                throw new MalformedEventException($"invalid Content-Type '{contentType}': {OneLine(e.Message)}", e);
            }
        }

        if (!body.IsEmpty)
        {
            try
            {
                Formatter.DecodeBinaryModeEventData(body, cloudEvent);
            }
            catch (JsonException e)
            {
                throw new MalformedEventException($"body is not valid JSON (Content-Type '{contentType}'): {OneLine(e.Message)}", e);
            }
            catch (ArgumentException e)
            {
                throw new MalformedEventException($"body cannot be read as {contentType}: {OneLine(e.Message)}", e);
            }
        }

        return cloudEvent;
    }

    private static CloudEventsSpecVersion CheckSpecVersion(string versionId) =>
        CloudEventsSpecVersion.FromVersionId(versionId)
        ?? throw new MalformedEventException($"unsupported CloudEvents specversion '{versionId}'; supported: {CloudEventsSpecVersion.V1_0.VersionId}");

    private static string RequireString(JsonElement envelope, string name)
    {
        if (!envelope.TryGetProperty(name, out var value))
        {
            throw new MalformedEventException($"structured CloudEvent has no '{name}'");
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new MalformedEventException($"structured CloudEvent '{name}' must be a string, found {value.ValueKind}");
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Events are small (Eventarc caps them well under a megabyte); Kestrel's request size limit guards the rest.
        using var buffer = request.ContentLength is { } length and < int.MaxValue ? new MemoryStream((int)length) : new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"{what} is not valid JSON: {OneLine(e.Message)}", e);
        }
    }

    private static JsonElement ParseJson(ReadOnlyMemory<byte> json, string what)
    {
        using var document = ParseDocument(json, what);
        return document.RootElement.Clone();
    }

    private static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return true;
        }

        var mediaType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType ?? string.Empty : contentType;
        return mediaType.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    // System.Text.Json appends "Path: $.x | LineNumber: 0 | BytePositionInLine: 5." which the reason states once, up front.
    private static string WithoutLocation(string message)
    {
        var at = message.IndexOf(" Path:", StringComparison.Ordinal);
        return OneLine(at < 0 ? message : message[..at]);
    }
}
