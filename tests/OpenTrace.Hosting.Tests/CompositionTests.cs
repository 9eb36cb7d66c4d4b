using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Hosting.Events;
using OpenTrace.Hosting.Tests.Support;

namespace OpenTrace.Hosting.Tests;

public sealed class CompositionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpFunctionUnderPrefix_SeesPathRelativeToPrefix_OnAnyMethod()
    {
        await using var host = await RunningHost.StartComposedAsync(app => app.MapHttpFunction<EchoHttpFunction>("/api/"));

        var nested = await host.Client.GetFromJsonAsync<EchoResponse>("/api/orders/42?expand=items", Ct);
        var bare = await host.Client.GetFromJsonAsync<EchoResponse>("/api", Ct);
        using var put = await host.Client.PutAsync("/api/orders/42", new StringContent("{}"), Ct);
        using var outside = await host.Client.GetAsync("/apis/orders", Ct);

        Assert.Equal(new EchoResponse("GET", "/api", "/orders/42", "?expand=items"), nested);
        Assert.Equal(new EchoResponse("GET", "/api", "/", ""), bare);
        Assert.Equal("PUT", (await put.Content.ReadFromJsonAsync<EchoResponse>(Ct))!.Method);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
    }

    [Fact]
    public async Task TwoFunctionsInOneHost_EachAnswersOnItsOwnRoute_AndHealthListsBoth()
    {
        await using var host = await RunningHost.StartComposedAsync(
            app =>
            {
                app.MapFunctionsHealthCheck();
                app.MapCloudEventFunction<RecordingStorageFunction, StorageObjectData>("/bronze");
                app.MapHttpFunction<EchoHttpFunction>("/serve");
            },
            builder => builder.Services.AddFunction<RecordingStorageFunction>().AddFunction<EchoHttpFunction>());
        var envelope = EventSamples.Load("storage-finalized-csv.json");

        using var delivered = await host.Client.SendAsync(EventSamples.Binary("/bronze", envelope), Ct);
        var served = await host.Client.GetFromJsonAsync<EchoResponse>("/serve/v1/predict", Ct);
        using var eventOnServe = await host.Client.SendAsync(EventSamples.Binary("/serve", envelope), Ct);
        var health = await host.Client.GetFromJsonAsync<JsonElement>("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.True(host.Recorder.Saw(envelope.GetProperty("id").GetString()!));
        Assert.Equal(new EchoResponse("GET", "/serve", "/v1/predict", ""), served);
        Assert.Equal("POST", (await eventOnServe.Content.ReadFromJsonAsync<EchoResponse>(Ct))!.Method);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var routes = health.GetProperty("functions").EnumerateArray()
            .Select(f => (f.GetProperty("function").GetString(), f.GetProperty("route").GetString()))
            .Order()
            .ToList();
        Assert.Equal([(typeof(EchoHttpFunction).FullName, "/serve/"), (typeof(RecordingStorageFunction).FullName, "/bronze")], routes);
    }

    [Fact]
    public async Task MapFunction_ByType_PicksTheContract()
    {
        await using var host = await RunningHost.StartComposedAsync(app =>
        {
            app.MapFunction(typeof(RecordingStorageFunction), "/events");
            app.MapFunction(typeof(EchoHttpFunction), "/web");
        });
        var envelope = EventSamples.Load("storage-finalized-csv.json");

        using var delivered = await host.Client.SendAsync(EventSamples.Binary("/events", envelope), Ct);
        var served = await host.Client.GetFromJsonAsync<EchoResponse>("/web/x", Ct);

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.True(host.Recorder.TryGet(envelope.GetProperty("id").GetString()!, out _, out var data));
        Assert.IsType<StorageObjectData>(data);
        Assert.Equal("/x", served!.Path);
    }

    [Fact]
    public void MapHttpFunction_PrefixWithRouteParameter_IsRejected()
    {
        var app = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder().Build();

        var error = Assert.Throws<ArgumentException>(() => app.MapHttpFunction<EchoHttpFunction>("/tenants/{tenant}"));

        Assert.Contains("/tenants/{tenant}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunction_TypeWithTwoContracts_IsRejectedNamingBoth()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddFunction<TwoContractFunction>());

        Assert.Contains("IHttpFunction", error.Message, StringComparison.Ordinal);
        Assert.Contains("ICloudEventFunction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddFunction_NotAFunction_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddFunction(typeof(EventRecorder)));

        Assert.Contains("is not a function", error.Message, StringComparison.Ordinal);
    }
}
