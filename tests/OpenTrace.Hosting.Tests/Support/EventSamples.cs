using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>The sample events under data/events and the two HTTP shapes they travel in.</summary>
public static class EventSamples
{
    public const string StructuredContentType = "application/cloudevents+json; charset=utf-8";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "data", "events");

    /// <summary>The documented storage finalize events, by file name, each in binary and in structured mode.</summary>
    public static TheoryData<string, ContentMode> StorageFinalizedInBothModes =>
        [.. Directory.GetFiles(Folder, "storage-finalized-*.json")
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .SelectMany(f => new[] { (f, ContentMode.Binary), (f, ContentMode.Structured) })];

    /// <summary>A sample's structured-mode envelope.</summary>
    public static JsonElement Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, file)));
        return document.RootElement.Clone();
    }

    /// <summary>The envelope as a structured-mode request: the JSON as it is, Content-Type application/cloudevents+json.</summary>
    public static HttpRequestMessage Structured(string path, JsonElement envelope) =>
        Post(path, envelope.GetRawText(), StructuredContentType);

    /// <summary>
    /// The envelope as a binary-mode request, as Eventarc delivers to Cloud Run: every attribute but the data in a
    /// percent-encoded ce-* header, the data as the body, datacontenttype as Content-Type.
    /// </summary>
    public static HttpRequestMessage Binary(string path, JsonElement envelope)
    {
        var request = Post(path, envelope.TryGetProperty("data", out var data) ? data.GetRawText() : "", envelope.GetProperty("datacontenttype").GetString()!);
        foreach (var attribute in envelope.EnumerateObject())
        {
            if (attribute.Name is not ("data" or "datacontenttype"))
            {
                request.Headers.TryAddWithoutValidation("ce-" + attribute.Name, HttpUtilities.EncodeHeaderValue(attribute.Value.GetString()!));
            }
        }

        return request;
    }

    /// <summary>A POST of <paramref name="body"/> with exactly <paramref name="contentType"/>.</summary>
    public static HttpRequestMessage Post(string path, string body, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>A binary-mode request with explicit headers (null values are left out).</summary>
    public static HttpRequestMessage BinaryWith(string path, string body, string? contentType, params (string Name, string? Value)[] headers)
    {
        var request = Post(path, body, contentType);
        foreach (var (name, value) in headers)
        {
            if (value is not null)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
