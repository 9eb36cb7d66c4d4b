using System.Globalization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>Storage events built in code, and trace headers.</summary>
public static class TestEvents
{
    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>A finalize event for gs://opentrace-test-bronze/<paramref name="objectName"/> as an HTTP request.</summary>
    public static HttpRequestMessage Finalized(string path, string objectName, ContentMode mode = ContentMode.Binary, string? traceId = null, long generation = 1)
    {
        var cloudEvent = StorageObjectEvents.CreateFinalized(new StorageObjectData
        {
            Bucket = "opentrace-test-bronze",
            Name = objectName,
            Generation = generation,
            Metageneration = 1,
            Size = "42",
            ContentType = "text/csv",
            TimeCreated = new DateTimeOffset(2024, 5, 14, 9, 21, 7, TimeSpan.Zero),
            Updated = new DateTimeOffset(2024, 5, 14, 9, 21, 7, TimeSpan.Zero),
        });
        return Request(path, cloudEvent, mode, traceId);
    }

    public static HttpRequestMessage Request(string path, CloudEvent cloudEvent, ContentMode mode, string? traceId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = cloudEvent.ToHttpContent(mode, Formatter) };
        if (traceId is not null)
        {
            request.Headers.Add("X-Cloud-Trace-Context", $"{traceId}/12345;o=1");
        }

        return request;
    }

    /// <summary>A fresh 32-hex-digit trace id.</summary>
    public static string NewTraceId() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
}
