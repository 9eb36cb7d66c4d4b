using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Claims;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Storage;
using OpenTrace.Embedded;
using OpenTrace.Hosting;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Bronze.Tests;

/// <summary>The bronze function behind the real HTTP host, composed by its own startup, answering Eventarc's binary-mode requests.</summary>
public sealed class BronzeHostTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("bronze-host");
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_temp.Combine("pipelines"));
        var settings = BronzeHome.Settings(_temp.Combine("pipelines")).Select(s => $"--{s.Key}={s.Value}").ToArray();
        _app = FunctionsHost.Build(settings, new FunctionsHostOptions
        {
            FunctionType = typeof(BronzeFunction),
            Address = IPAddress.Loopback,
            Port = 0,
            LogFormat = FunctionsLogFormat.Plain,
            ConfigureBuilder = builder => builder.Services.AddEmbeddedAdapters(_temp.Combine("home")),
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    [Fact]
    public async Task Post_BinaryModeFinalizeEvent_IngestsTheFileAndAnswers200()
    {
        var obj = await DropAsync("olist/customers/customers.csv", "comma.csv");

        using var response = await _client.SendAsync(Finalized(obj), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(RunStatus.Succeeded, await LastRunStatusAsync());
    }

    [Fact]
    public async Task Post_UnreadableFile_Answers200AndTheHostKeepsServing()
    {
        var empty = await DropAsync("olist/customers/empty.csv", "empty.csv");
        var good = await DropAsync("olist/customers/customers.csv", "comma.csv");

        using var first = await _client.SendAsync(Finalized(empty), TestContext.Current.CancellationToken);
        using var second = await _client.SendAsync(Finalized(good), TestContext.Current.CancellationToken);
        using var health = await _client.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var statuses = new List<string?>();
        await foreach (var row in Services.GetRequiredService<Core.Warehouse.IWarehouse>().QueryAsync("SELECT status FROM ops.runs ORDER BY started_at", cancellationToken: TestContext.Current.CancellationToken))
        {
            statuses.Add(row.Get<string>("status"));
        }

        Assert.Equal([RunStatus.Quarantined, RunStatus.Succeeded], statuses);
    }

    [Fact]
    public async Task Post_WhileAnotherDeliveryHoldsTheClaim_Answers503SoEventarcRetries()
    {
        var obj = await DropAsync("olist/customers/customers.csv", "comma.csv");
        var claims = Services.GetRequiredService<EventClaims>();
        var held = await claims.TryClaimAsync(EventClaims.KeyFor(BronzeIngestor.FunctionName, obj.Bucket, obj.Name, obj.Generation), "another-run", TestContext.Current.CancellationToken);
        Assert.NotNull(held.Claim);

        using var response = await _client.SendAsync(Finalized(obj), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Post_EventWithoutAnObjectName_Answers400()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent("""{"bucket":"bronze","generation":"1"}""", Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        AddAttributes(request, "objects/x");

        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _temp.Dispose();
    }

    private IServiceProvider Services => _app.Services;

    private Task<ObjectInfo> DropAsync(string name, string sample) =>
        Services.GetRequiredService<IObjectStore>().UploadAsync(BronzeHome.BronzeBucket, name, File.OpenRead(BronzeHome.SamplePath(sample)), cancellationToken: TestContext.Current.CancellationToken);

    private async Task<string?> LastRunStatusAsync()
    {
        string? status = null;
        await foreach (var row in Services.GetRequiredService<Core.Warehouse.IWarehouse>().QueryAsync("SELECT status FROM ops.runs ORDER BY finished_at DESC LIMIT 1", cancellationToken: TestContext.Current.CancellationToken))
        {
            status = row.Get<string>("status");
        }

        return status;
    }

    /// <summary>The binary-mode request Eventarc sends to Cloud Run for an object finalize.</summary>
    private static HttpRequestMessage Finalized(ObjectInfo obj)
    {
        var body = $$"""
            {"kind":"storage#object","id":"{{obj.Bucket}}/{{obj.Name}}/{{obj.Generation}}","name":"{{obj.Name}}","bucket":"{{obj.Bucket}}",
             "generation":"{{obj.Generation}}","metageneration":"1","contentType":"text/csv","size":"{{obj.Size}}","storageClass":"STANDARD",
             "timeCreated":"{{obj.Created:O}}","updated":"{{obj.Updated:O}}"}
            """;
        var request = new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        AddAttributes(request, $"objects/{obj.Name}");
        return request;
    }

    private static void AddAttributes(HttpRequestMessage request, string subject)
    {
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", Guid.NewGuid().ToString("N"));
        request.Headers.Add("ce-source", "//storage.googleapis.com/projects/_/buckets/bronze");
        request.Headers.Add("ce-type", "google.cloud.storage.object.v1.finalized");
        request.Headers.Add("ce-subject", Uri.EscapeDataString(subject));
        request.Headers.Add("ce-time", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }
}
