using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Functions.Gold.Tests.Support;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Gold.Tests;

/// <summary>The function as Cloud Run hosts it (real startup, Kestrel on 127.0.0.1), over embedded adapters.</summary>
public sealed class GoldFunctionTests(OlistGoldFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_NoBody_RunsEveryModel_AndAnswersTheSummary()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);

        using var response = await host.Client.PostAsync("/", content: null, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("skipped", body.GetProperty("status").GetString());
        Assert.Equal(13, body.GetProperty("up_to_date").GetInt32());
        var first = body.GetProperty("models")[0];
        Assert.Equal("up_to_date", first.GetProperty("status").GetString());
        Assert.StartsWith("inputs unchanged", first.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(9, body.GetProperty("sources").GetArrayLength());
    }

    [Fact]
    public async Task Post_JsonBodyWithSelectAndFullRefresh_RebuildsTheSelection()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);

        using var response = await host.Client.PostAsJsonAsync("/", new { select = "dim_states", full_refresh = true }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var model = Assert.Single(body.GetProperty("models").EnumerateArray());
        Assert.Equal("dim_states", model.GetProperty("model").GetString());
        Assert.Equal("full", model.GetProperty("mode").GetString());
        Assert.Equal(27, model.GetProperty("rows_written").GetInt64());
        Assert.Equal(6, model.GetProperty("tests_passed").GetInt32());
        Assert.Equal("gs://lake/gold/olist/dim_states.parquet", model.GetProperty("export_uri").GetString());
    }

    [Fact]
    public async Task Post_QuerySelectWithLiteralPlus_PicksTheModelAndItsDescendants()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);
        var expected = GoldProject.Load(world.Pipelines).Select("fct_payments+").Select(m => m.Name);

        using var response = await host.Client.PostAsync("/?select=fct_payments+", content: null, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, body.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
    }

    [Theory]
    [InlineData("{\"select\": \"nope\"}", "'nope', which is not a model")]
    [InlineData("{\"selct\": \"dim_states\"}", "Unknown field 'selct'")]
    [InlineData("{\"full_refresh\": \"yes\"}", "'full_refresh' has the wrong type")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{", "not JSON")]
    public async Task Post_BadRequest_Answers400WithTheReason(string json, string reason)
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);

        using var response = await host.Client.PostAsync("/", new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_IsNotAllowed()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);

        using var response = await host.Client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("POST", response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Post_FromCloudScheduler_IsRecordedAsScheduled()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        await using var host = await StartAsync(world);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/");
        request.Headers.Add("X-CloudScheduler", "true");
        request.Headers.UserAgent.ParseAdd("Google-Cloud-Scheduler");

        using var response = await host.Client.SendAsync(request, Ct);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("run_id").GetString();

        Assert.Equal("scheduler", await world.ScalarAsync<string>($"SELECT event_id FROM ops.runs WHERE run_id = '{runId}'", Ct));
    }

    [Fact]
    public async Task Post_TransientWarehouseFailure_Answers503_AndRecordsTheRun()
    {
        await using var world = GoldWorld.Create(warehouseFrom: fixture.BuiltWarehouse);
        var flaky = new FlakyWarehouse(world.Warehouse, sql => sql.Contains("CREATE OR REPLACE TABLE \"gold\".\"dim_date\"", StringComparison.Ordinal));
        await using var host = await StartAsync(world, flaky);

        using var response = await host.Client.PostAsJsonAsync("/", new { select = "dim_states,dim_date", full_refresh = true }, Ct);
        var run = (await world.RowsAsync("SELECT status, message FROM ops.runs ORDER BY finished_at DESC LIMIT 1", Ct)).Single();
        var builds = await world.RowsAsync("SELECT model, status FROM ops.gold_builds WHERE run_id = (SELECT run_id FROM ops.runs ORDER BY finished_at DESC LIMIT 1)", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("failed", run["status"]);
        Assert.StartsWith("Gold run stopped: Exceeded rate limits", run.Get<string>("message"), StringComparison.Ordinal);
        Assert.Equal(("dim_states", "published"), ((string)builds.Single()["model"]!, (string)builds.Single()["status"]!));
    }

    [Fact]
    public async Task Start_BrokenModelFile_StopsTheHostNamingTheFileAndLine()
    {
        await using var world = GoldWorld.Create(copyPipelines: true, warehouseFrom: fixture.BuiltWarehouse);
        var file = world.ModelFile("dim_sellers");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file, Ct)).Replace("{{ ref('dim_states') }}", "{{ ref('dim_state') }}", StringComparison.Ordinal), Ct);

        var error = await Assert.ThrowsAsync<OpenTraceException>(async () => await (await StartAsync(world)).DisposeAsync());

        Assert.Equal(file, error.File);
        Assert.Equal(43, error.Row);
        Assert.Contains("ref('dim_state') names a model that does not exist (did you mean 'dim_states'?)", error.Message, StringComparison.Ordinal);
    }

    private static Task<FunctionHost> StartAsync(GoldWorld world, IWarehouse? warehouse = null) =>
        FunctionHost.StartAsync(
            typeof(GoldFunction),
            [$"--OpenTrace:LakeBucket={GoldWorld.LakeBucket}", $"--OpenTrace:PipelinesPath={world.Pipelines}"],
            services =>
            {
                services.AddSingleton(warehouse ?? world.Warehouse);
                services.AddSingleton<IObjectStore>(world.Objects);
            });
}
