using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Features;
using OpenTrace.Core.Training;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Functions.Serve.Tests.Support;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp;
using OpenTrace.Hosting;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Serve.Tests;

/// <summary>Serving as the platform changes under it: no model yet, a new promotion, a group that omits stale values.</summary>
public sealed class ServeLifecycleTests(OlistFeatureFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Predict_BeforeAnyModelIsPromoted_Answers503NamingWhatToRun()
    {
        await using var world = await ServedWorld.PrepareAsync(fixture, ServedWorld.Now, train: false);
        await using var host = await FunctionHost.StartAsync(typeof(ServeFunction), world);

        using var response = await host.Client.PostAsJsonAsync("/v1/predict", await Orders.RequestAsync(world), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("No model of 'late_delivery' has been promoted yet", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_AfterAnotherVersionIsPromoted_ServesIt_WithoutARestart()
    {
        await using var world = await ServedWorld.PrepareAsync(fixture, ServedWorld.Now);
        await using var host = await FunctionHost.StartAsync(typeof(ServeFunction), world, ["--OpenTrace:Features:ModelRefreshInterval=00:01:00"]);
        var order = await Orders.RequestAsync(world);
        var first = await PredictAsync(host, order);

        var second = Assert.Single((await world.Trainer().RunAsync(cancellationToken: Ct)).Tasks).Card;
        await world.Registry().PromoteAsync(second, Ct);
        var beforeTheCheck = await PredictAsync(host, order);
        world.Time.Advance(TimeSpan.FromMinutes(1));
        var afterTheCheck = await PredictAsync(host, order);

        Assert.Equal(1, first.GetProperty("modelVersion").GetInt32());
        Assert.Equal(1, beforeTheCheck.GetProperty("modelVersion").GetInt32());
        Assert.Equal(2, afterTheCheck.GetProperty("modelVersion").GetInt32());
        Assert.Equal(first.GetProperty("probability").GetDouble(), afterTheCheck.GetProperty("probability").GetDouble(), 1e-9);
    }

    [Fact]
    public async Task GetFeatures_StaleValueOfAGroupThatOmitsThem_Answers404Omitted_AndPredictDoesNotUseIt()
    {
        await using var world = await ServedWorld.PrepareAsync(fixture, ServedWorld.Now, copyPipelines: true, train: false);
        await world.EditFeatureFileAsync("seller", "on_stale: flag", "on_stale: omit", Ct);
        await world.Materializer().RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct); // the definition is unchanged: nothing to write
        await world.Trainer().RunAsync(cancellationToken: Ct);
        await using var host = await FunctionHost.StartAsync(typeof(ServeFunction), world);
        var seller = world.Catalog().FindGroup("seller")!;
        var order = await Orders.RequestAsync(world);
        var stale = (await world.ScalarAsync<string>($"SELECT seller_id FROM features.seller GROUP BY 1 HAVING MAX(event_timestamp) < TIMESTAMP '{ServedWorld.Now - seller.Ttl:yyyy-MM-dd HH:mm:ss}' ORDER BY 1 LIMIT 1", Ct))!;
        order["seller_id"] = stale;

        using var lookup = await host.Client.GetAsync($"/v1/features/seller/{stale}", Ct);
        var lookupBody = await lookup.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var prediction = await PredictAsync(host, order);

        Assert.Equal(HttpStatusCode.NotFound, lookup.StatusCode);
        Assert.Equal(("omitted", true), (lookupBody.GetProperty("status").GetString(), lookupBody.GetProperty("stale").GetBoolean()));
        Assert.Contains("older than the group's TTL (90 days)", lookupBody.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(lookupBody.TryGetProperty("features", out _));
        var used = prediction.GetProperty("features").GetProperty("seller");
        Assert.Equal("omitted", used.GetProperty("status").GetString());
        Assert.False(used.TryGetProperty("values", out _));
    }

    [Fact]
    public async Task Qa_BeforeAnySnapshotIsBuilt_Answers503()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, now: ServedWorld.Now);
        await using var host = await FunctionHost.StartAsync(typeof(ServeFunction), world);

        using var response = await host.Client.PostAsJsonAsync("/v1/qa", new { question = "What is a late order?" }, Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("No embeddings snapshot yet", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudHost_WithProjectAndRegion_ComposesTheFunctionOnTheGoogleAdapters()
    {
        string[] settings = ["--GOOGLE_CLOUD_PROJECT=acme-data", "--GOOGLE_CLOUD_REGION=europe-west1", $"--OpenTrace:PipelinesPath={FeatureWorld.RepositoryPipelines}"];

        await using var app = FunctionsHost.Build(settings, GcpFunctionsHost.Options<ServeFunction>(IPAddress.Loopback, 0));

        Assert.NotNull(app.Services.GetRequiredService<ServeFunction>());
        Assert.Equal("acme-data-models", app.Services.GetRequiredService<ModelRegistry>().Bucket);
        Assert.IsType<FirestoreDocumentStore>(app.Services.GetRequiredService<Core.Documents.IDocumentStore>());
        Assert.Equal(16 * 1024, app.Services.GetRequiredService<IOptions<FeatureStoreOptions>>().Value.MaxRequestBytes);
        Assert.Equal("acme-data-lake", app.Services.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket);
    }

    [Fact]
    public async Task Start_WithABadSetting_StopsNamingIt()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, now: ServedWorld.Now);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () => await (await FunctionHost.StartAsync(typeof(ServeFunction), world, ["--OpenTrace:Features:OnlineBatch=900"])).DisposeAsync());

        Assert.Contains("OpenTrace:Features:OnlineBatch must be 1 to 500", error.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> PredictAsync(FunctionHost host, Dictionary<string, object?> order)
    {
        using var response = await host.Client.PostAsJsonAsync("/v1/predict", order, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
