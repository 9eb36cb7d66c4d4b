using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using OpenTrace.Hosting.Events;
using OpenTrace.Hosting.Tests.Support;

namespace OpenTrace.Hosting.Tests;

public sealed class CloudEventBindingTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private const string CsvSample = "storage-finalized-csv.json";

    private static readonly Dictionary<string, MalformedCase> MalformedCases = new(StringComparer.Ordinal)
    {
        ["binary without ce-id"] = new(id => WithoutHeader(Binary(Envelope(id)), "ce-id"), "missing ce-id header"),
        ["binary without ce-source"] = new(id => WithoutHeader(Binary(Envelope(id)), "ce-source"), "missing ce-source header"),
        ["binary without ce-type"] = new(id => WithoutHeader(Binary(Envelope(id)), "ce-type"), "missing ce-type header"),
        ["binary specversion 0.3"] = new(id => Binary(Envelope(id, e => e["specversion"] = "0.3")), "unsupported CloudEvents specversion '0.3'"),
        ["binary unparseable ce-time"] = new(id => Binary(Envelope(id, e => e["time"] = "yesterday at noon")), "invalid ce-time header 'yesterday at noon'"),
        ["binary body not JSON"] = new(id => WithBody(Binary(Envelope(id)), "bucket=b&name=n", "application/json"), "body is not valid JSON"),
        ["binary empty body"] = new(id => WithBody(Binary(Envelope(id)), "", "application/json"), "has no data; expected JSON for StorageObjectData"),
        ["binary text body"] = new(id => WithBody(Binary(Envelope(id)), "olist/orders/x.csv", "text/plain"), "which is not JSON; cannot read it as StorageObjectData"),
        ["binary generation not a number"] = new(id => Binary(Envelope(id, e => e["data"]!["generation"] = "first")), "not a valid StorageObjectData at $.generation"),
        ["binary size is an object"] = new(id => Binary(Envelope(id, e => e["data"]!["size"] = new JsonObject { ["bytes"] = 1 })), "not a valid StorageObjectData at $.size"),
        ["binary data is an array"] = new(id => WithBody(Binary(Envelope(id)), "[1,2]", "application/json"), "not a valid StorageObjectData at $"),
        ["plain JSON without CloudEvent headers"] = new(_ => EventSamples.Post(HostFixture.StoragePath, "{\"bucket\":\"b\"}", "application/json"), "not a CloudEvent: no ce-specversion header"),
        ["structured body not JSON"] = new(_ => EventSamples.Post(HostFixture.StoragePath, "{\"specversion\": \"1.0\",", EventSamples.StructuredContentType), "structured CloudEvent body is not valid JSON"),
        ["structured without id"] = new(id => Structured(Envelope(id, e => e.Remove("id"))), "structured CloudEvent has no 'id'"),
        ["structured without source"] = new(id => Structured(Envelope(id, e => e.Remove("source"))), "structured CloudEvent has no 'source'"),
        ["structured specversion 0.3"] = new(id => Structured(Envelope(id, e => e["specversion"] = "0.3")), "unsupported CloudEvents specversion '0.3'"),
        ["structured numeric id"] = new(id => Structured(Envelope(id, e => e["id"] = 17)), "'id' must be a string"),
        ["structured array"] = new(_ => EventSamples.Post(HostFixture.StoragePath, "[]", EventSamples.StructuredContentType), "must be a JSON object, found Array"),
        ["structured generation is a boolean"] = new(id => Structured(Envelope(id, e => e["data"]!["generation"] = true)), "not a valid StorageObjectData at $.generation"),
        ["structured in XML"] = new(_ => EventSamples.Post(HostFixture.StoragePath, "<event/>", "application/cloudevents+xml"), "format 'application/cloudevents+xml' is not supported"),
        ["batch"] = new(id => EventSamples.Post(HostFixture.StoragePath, $"[{Envelope(id).ToJsonString()}]", "application/cloudevents-batch+json"), "batch-mode CloudEvents"),
    };

    public static TheoryData<string> MalformedCaseNames => [.. MalformedCases.Keys];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunningHost Host => fixture.Host;

    [Theory]
    [MemberData(nameof(EventSamples.StorageFinalizedInBothModes), MemberType = typeof(EventSamples))]
    public async Task DocumentedFinalizeEvent_ReachesFunctionWithTypedData(string file, ContentMode mode)
    {
        var envelope = EventSamples.Load(file);
        using var request = mode == ContentMode.Binary
            ? EventSamples.Binary(HostFixture.StoragePath, envelope)
            : EventSamples.Structured(HostFixture.StoragePath, envelope);

        using var response = await Host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync(Ct));
        AssertDelivered(envelope);
    }

    [Theory]
    [MemberData(nameof(MalformedCaseNames))]
    public async Task MalformedEvent_Answers400WithOneLineReason_AndFunctionNeverRuns(string caseName)
    {
        var id = $"malformed-{caseName.Replace(' ', '-')}";
        var malformed = MalformedCases[caseName];

        using var response = await Host.Client.SendAsync(malformed.Build(id), Ct);

        var reason = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(malformed.Reason, reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', reason.TrimEnd('\n'));
        Assert.False(Host.Recorder.Saw(id), "the function ran for a malformed event");
    }

    [Fact]
    public async Task UntypedFunction_BinaryEvent_GetsJsonDataAndAttributes()
    {
        var envelope = EventSamples.Load(CsvSample);

        using var response = await Host.Client.SendAsync(EventSamples.Binary(HostFixture.UntypedPath, envelope), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Host.Recorder.TryGet(envelope.GetProperty("id").GetString()!, out var cloudEvent, out var data));
        Assert.Equal(envelope.GetProperty("subject").GetString(), cloudEvent.Subject);
        var json = Assert.IsType<JsonElement>(data);
        Assert.Equal(envelope.GetProperty("data").GetProperty("generation").GetString(), json.GetProperty("generation").GetString());
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public async Task StorageObjectEvents_CreatedEvent_HasEventarcShapeAndRoundTrips(ContentMode mode)
    {
        var name = $"olist/customers/{mode}.csv";
        using var request = TestEvents.Finalized(HostFixture.StoragePath, name, mode, generation: 1715678467498231);

        using var response = await Host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Host.Recorder.TryGet($"opentrace-test-bronze/{name}/1715678467498231", out var cloudEvent, out var received));
        Assert.Equal(StorageObjectData.FinalizedEventType, cloudEvent.Type);
        Assert.Equal("//storage.googleapis.com/projects/_/buckets/opentrace-test-bronze", cloudEvent.Source!.ToString());
        Assert.Equal($"objects/{name}", cloudEvent.Subject);
        var data = Assert.IsType<StorageObjectData>(received);
        Assert.Equal((name, 1715678467498231L, "42", 42L), (data.Name, data.Generation, data.Size, data.SizeBytes));
    }

    [Fact]
    public async Task CloudEventFunction_Get_Answers405()
    {
        using var response = await Host.Client.GetAsync(HostFixture.StoragePath, Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private void AssertDelivered(JsonElement envelope)
    {
        var expected = envelope.GetProperty("data");
        Assert.True(Host.Recorder.TryGet(envelope.GetProperty("id").GetString()!, out var cloudEvent, out var received), "the function did not receive the event");
        Assert.Equal(envelope.GetProperty("type").GetString(), cloudEvent.Type);
        Assert.Equal(envelope.GetProperty("source").GetString(), cloudEvent.Source!.ToString());
        Assert.Equal(envelope.GetProperty("subject").GetString(), cloudEvent.Subject);
        Assert.Equal(DateTimeOffset.Parse(envelope.GetProperty("time").GetString()!, CultureInfo.InvariantCulture), cloudEvent.Time);
        Assert.Equal(envelope.GetProperty("datacontenttype").GetString(), cloudEvent.DataContentType);

        var data = Assert.IsType<StorageObjectData>(received);
        Assert.Equal(String(expected, "bucket"), data.Bucket);
        Assert.Equal(String(expected, "name"), data.Name);
        Assert.Equal($"objects/{data.Name}", cloudEvent.Subject);
        Assert.EndsWith($"/buckets/{data.Bucket}", cloudEvent.Source.ToString(), StringComparison.Ordinal);
        Assert.Equal(long.Parse(String(expected, "generation")!, CultureInfo.InvariantCulture), data.Generation);
        Assert.Equal(long.Parse(String(expected, "metageneration")!, CultureInfo.InvariantCulture), data.Metageneration);
        Assert.Equal(String(expected, "size"), data.Size);
        Assert.Equal(long.Parse(String(expected, "size")!, CultureInfo.InvariantCulture), data.SizeBytes);
        Assert.Equal(String(expected, "contentType"), data.ContentType);
        Assert.Equal(String(expected, "md5Hash"), data.Md5Hash);
        Assert.Equal(String(expected, "crc32c"), data.Crc32c);
        Assert.Equal(String(expected, "storageClass"), data.StorageClass);
        Assert.Equal(String(expected, "id"), data.Id);
        Assert.Equal(DateTimeOffset.Parse(String(expected, "timeCreated")!, CultureInfo.InvariantCulture), data.TimeCreated);
        Assert.Equal(DateTimeOffset.Parse(String(expected, "updated")!, CultureInfo.InvariantCulture), data.Updated);
        var metadata = expected.TryGetProperty("metadata", out var m)
            ? m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : null;
        Assert.Equal(metadata, data.Metadata);
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.GetString() : null;

    private static JsonObject Envelope(string id, Action<JsonObject>? change = null)
    {
        var envelope = JsonNode.Parse(File.ReadAllText(Path.Combine(EventSamples.Folder, CsvSample)))!.AsObject();
        envelope["id"] = id;
        change?.Invoke(envelope);
        return envelope;
    }

    private static HttpRequestMessage Binary(JsonObject envelope) =>
        EventSamples.Binary(HostFixture.StoragePath, JsonSerializer.SerializeToElement(envelope));

    private static HttpRequestMessage Structured(JsonObject envelope) =>
        EventSamples.Post(HostFixture.StoragePath, envelope.ToJsonString(), EventSamples.StructuredContentType);

    private static HttpRequestMessage WithoutHeader(HttpRequestMessage request, string header)
    {
        request.Headers.Remove(header);
        return request;
    }

    private static HttpRequestMessage WithBody(HttpRequestMessage request, string body, string contentType)
    {
        request.Content = new StringContent(body, Encoding.UTF8, contentType);
        return request;
    }

    private sealed record MalformedCase(Func<string, HttpRequestMessage> Build, string Reason);
}
