using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Features;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp;
using OpenTrace.Hosting;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Features.Tests;

/// <summary>The features function as Cloud Run hosts it (real startup, Kestrel on 127.0.0.1), over embedded adapters.</summary>
public sealed class FeaturesFunctionTests(OlistFeatureFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_MaterialisesEveryGroup_ThenRefreshesTheEmbeddings_AndAnswersTheSummary()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(FeaturesFunction), world);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.Add("X-CloudScheduler", "true");

        using var response = await host.Client.SendAsync(request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var groups = body.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["customer", "product", "seller"], groups.Select(g => g.GetProperty("group").GetString()));
        Assert.All(groups, g => Assert.True(g.GetProperty("rows_written").GetInt64() > 0));
        var snapshot = body.GetProperty("embeddings").GetProperty("snapshot").GetString()!;
        Assert.StartsWith("embeddings/olist/", snapshot, StringComparison.Ordinal);
        Assert.NotNull(await world.Objects.GetAsync(FeatureWorld.LakeBucket, snapshot, Ct));
        var runId = body.GetProperty("run_id").GetString();
        Assert.Equal("scheduler", await world.ScalarAsync<string>($"SELECT event_id FROM ops.runs WHERE run_id = '{runId}'", Ct));
    }

    [Fact]
    public async Task Post_SelectInTheQuery_WithoutEmbeddings_MaterialisesThatGroupOnly()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(FeaturesFunction), world);

        using var response = await host.Client.PostAsJsonAsync("/?select=seller", new { embeddings = false }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("seller", Assert.Single(body.GetProperty("groups").EnumerateArray()).GetProperty("group").GetString());
        Assert.False(body.TryGetProperty("embeddings", out _));
        Assert.Null(await world.Warehouse.GetTableAsync(new TableId("features", "customer"), Ct));
    }

    [Theory]
    [InlineData("{\"select\": \"sellers\"}", "No feature group 'sellers'")]
    [InlineData("{\"selct\": \"seller\"}", "selct")]
    [InlineData("{\"full_refresh\": \"yes\"}", "full_refresh")]
    [InlineData("[1]", "JSON object")]
    [InlineData("{", "JSON object")]
    public async Task Post_BadRequest_Answers400WithTheReason(string json, string reason)
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(FeaturesFunction), world);

        using var response = await host.Client.PostAsync("/", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_IsNotAllowed()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        await using var host = await FunctionHost.StartAsync(typeof(FeaturesFunction), world);

        using var response = await host.Client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Start_BrokenFeatureFile_StopsTheHostNamingTheFileAndLine()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines: true);
        await world.EditFeatureFileAsync("seller", "{{ ref('fct_orders') }} AS o ON o.order_id = s.order_id\n    UNION ALL", "{{ ref('fct_order') }} AS o ON o.order_id = s.order_id\n    UNION ALL", Ct);

        var error = await Assert.ThrowsAsync<OpenTraceException>(async () => await (await FunctionHost.StartAsync(typeof(FeaturesFunction), world)).DisposeAsync());

        Assert.Equal(world.FeatureFile("seller"), error.File);
        Assert.Equal(47, error.Row);
        Assert.Contains("ref('fct_order') names no gold model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudHost_WithProjectAndRegion_ComposesTheFunctionOnTheGoogleAdapters()
    {
        string[] settings = ["--GOOGLE_CLOUD_PROJECT=acme-data", "--GOOGLE_CLOUD_REGION=europe-west1", $"--OpenTrace:PipelinesPath={FeatureWorld.RepositoryPipelines}"];

        await using var app = FunctionsHost.Build(settings, GcpFunctionsHost.Options<FeaturesFunction>(IPAddress.Loopback, 0));

        Assert.NotNull(app.Services.GetRequiredService<FeaturesFunction>());
        Assert.Equal(3, app.Services.GetRequiredService<FeatureCatalog>().Groups.Count);
        Assert.IsType<BigQueryWarehouse>(app.Services.GetRequiredService<IWarehouse>());
        Assert.IsType<FirestoreDocumentStore>(app.Services.GetRequiredService<IDocumentStore>());
        Assert.Equal("acme-data-lake", app.Services.GetRequiredService<IOptions<OpenTraceOptions>>().Value.LakeBucket);
        Assert.NotNull(app.Services.GetRequiredService<IObjectStore>());
    }
}
