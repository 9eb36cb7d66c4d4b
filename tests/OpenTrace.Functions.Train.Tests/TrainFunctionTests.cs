using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Training;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp;
using OpenTrace.Hosting;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Train.Tests;

/// <summary>The train function as Cloud Run hosts it (real startup, Kestrel on 127.0.0.1), over embedded adapters.</summary>
public sealed class TrainFunctionTests(OlistFeatureFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_TrainsRegistersAndPromotes_AndAnswersTheVersionWithItsMetrics()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await world.Materializer().RunAsync(cancellationToken: Ct);
        await using var host = await FunctionHost.StartAsync(typeof(TrainFunction), world);

        using var response = await host.Client.PostAsJsonAsync("/", new { task = "late_delivery" }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var task = Assert.Single(body.GetProperty("tasks").EnumerateArray());
        Assert.Equal(1, task.GetProperty("version").GetInt32());
        Assert.True(task.GetProperty("promoted").GetBoolean());
        Assert.True(task.GetProperty("holdout_auc").GetDouble() >= 0.75);
        Assert.Equal(2, task.GetProperty("baselines").GetArrayLength());
        Assert.Equal(10, task.GetProperty("calibration").GetArrayLength());
        Assert.Equal("gs://models/late_delivery/v1/model.zip", task.GetProperty("artifact_uri").GetString());
        Assert.Equal(1, (await world.Registry().GetHeadAsync("late_delivery", Ct))!.PromotedVersion);
    }

    [Fact]
    public async Task Post_BeforeTheFeaturesExist_Answers200Failed_SinceARetryCannotHelp()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(TrainFunction), world);

        using var response = await host.Client.PostAsync("/", content: null, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Contains("materialise feature group 'customer'", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "{\"task\": \"late\"}", "No prediction task 'late'")]
    [InlineData("/", "{\"tsk\": \"late_delivery\"}", "tsk")]
    [InlineData("/?model=x", "", "Unknown query parameter 'model'")]
    [InlineData("/", "{", "JSON object")]
    public async Task Post_BadRequest_Answers400WithTheReason(string path, string json, string reason)
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(TrainFunction), world);

        using var response = await host.Client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_IsNotAllowed()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(TrainFunction), world);

        using var response = await host.Client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task CloudHost_WithProjectAndRegion_ComposesTheFunctionOnTheGoogleAdapters()
    {
        string[] settings = ["--GOOGLE_CLOUD_PROJECT=acme-data", "--GOOGLE_CLOUD_REGION=europe-west1", $"--OpenTrace:PipelinesPath={FeatureWorld.RepositoryPipelines}"];

        await using var app = FunctionsHost.Build(settings, GcpFunctionsHost.Options<TrainFunction>(IPAddress.Loopback, 0));

        Assert.NotNull(app.Services.GetRequiredService<TrainFunction>());
        Assert.Equal("acme-data-models", app.Services.GetRequiredService<ModelRegistry>().Bucket);
        Assert.IsType<FirestoreDocumentStore>(app.Services.GetRequiredService<Core.Documents.IDocumentStore>());
        Assert.IsType<GcsObjectStore>(app.Services.GetRequiredService<Core.Storage.IObjectStore>());
        Assert.Equal("acme-data-lake", app.Services.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket);
    }
}
