using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTrace.Hosting.Logging;
using OpenTrace.Hosting.Tests.Support;

namespace OpenTrace.Hosting.Tests;

public sealed class FunctionsHostTests
{
    private static readonly System.Reflection.Assembly TestAssembly = typeof(FunctionsHostTests).Assembly;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TargetBySimpleName_CloudEventFunction_ServesPostRootAndHealth()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync(["--FUNCTION_TARGET=RecordingStorageFunction"]);
        var envelope = EventSamples.Load("storage-finalized-csv.json");

        using var delivered = await host.Client.SendAsync(EventSamples.Binary("/", envelope), Ct);
        using var get = await host.Client.GetAsync("/", Ct);
        using var health = await host.Client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.True(host.Recorder.Saw(envelope.GetProperty("id").GetString()!));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(typeof(RecordingStorageFunction).FullName, Assert.Single(body.GetProperty("functions").EnumerateArray()).GetProperty("function").GetString());
    }

    [Fact]
    public async Task TargetByFullName_HttpFunction_GetsEveryPathButHealth()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync([$"--FUNCTION_TARGET={typeof(EchoHttpFunction).FullName}"]);

        var nested = await host.Client.GetFromJsonAsync<EchoResponse>("/orders/7?x=1", Ct);
        using var post = await host.Client.PostAsync("/", new StringContent("hi"), Ct);
        var health = await host.Client.GetFromJsonAsync<JsonElement>("/healthz", Ct);

        Assert.Equal(new EchoResponse("GET", "", "/orders/7", "?x=1"), nested);
        Assert.Equal("POST", (await post.Content.ReadFromJsonAsync<EchoResponse>(Ct))!.Method);
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Startups_OnAssemblyAndFunctionClass_AreApplied()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync(["--FUNCTION_TARGET=GreetingHttpFunction"]);

        using var response = await host.Client.GetAsync("/", Ct);

        Assert.Equal($"hello from {TestAssembly.GetName().Name}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("applied", Assert.Single(response.Headers.GetValues(GreetingStartup.Header)));
        Assert.NotNull(host.App.Services.GetService<StartupLoggingMarker>());
        Assert.NotNull(host.App.Services.GetService<AssemblyWideMarker>());
    }

    [Fact]
    public void NoTarget_AssemblyWithSeveralFunctions_ErrorNamesSettingAndCandidates()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsHost.Build([], new() { FunctionAssembly = TestAssembly }));

        Assert.StartsWith("FUNCTION_TARGET is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(RecordingStorageFunction).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(EchoHttpFunction).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTarget_ErrorNamesTargetAndCandidates()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            FunctionsHost.Build(["--FUNCTION_TARGET=BronzeFunction"], new() { FunctionAssembly = TestAssembly }));

        Assert.StartsWith("FUNCTION_TARGET 'BronzeFunction' does not name a function", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(GreetingHttpFunction).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AmbiguousSimpleName_ErrorAsksForFullName()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsHost.ResolveTarget(TestAssembly, "TwinFunction"));

        Assert.Contains(typeof(Twins.Left.TwinFunction).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Twins.Right.TwinFunction).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("use the full type name", error.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(Twins.Right.TwinFunction), FunctionsHost.ResolveTarget(TestAssembly, typeof(Twins.Right.TwinFunction).FullName));
    }

    [Fact]
    public void TargetWithTwoContracts_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => FunctionsHost.ResolveTarget(TestAssembly, nameof(TwoContractFunction)));

        Assert.Contains("implements 2 function contracts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssemblyWithoutFunctions_IsRejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => FunctionsHost.ResolveTarget(typeof(FunctionsHost).Assembly, null));

        Assert.Contains("OpenTrace.Hosting has no function", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoTarget_OnlyOneFunction_IsChosen()
    {
        var function = FunctionDescriptor.Resolve("Single", [typeof(EventRecorder), typeof(EchoHttpFunction), typeof(Greeting)], target: null);

        Assert.Equal(typeof(EchoHttpFunction), function.FunctionType);
    }

    [Fact]
    public async Task RunAsync_BadTarget_ExitsWithOne()
    {
        var exitCode = await FunctionsHost.RunAsync(["--FUNCTION_TARGET=NoSuchFunction"], new FunctionsHostOptions { FunctionAssembly = TestAssembly }, Ct);

        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task PortSetting_IsTheListeningPort()
    {
        var port = FreePort();
        var app = FunctionsHost.Build(
            [$"--PORT={port}", "--FUNCTION_TARGET=EchoHttpFunction"],
            new() { FunctionAssembly = TestAssembly, Address = IPAddress.Loopback });
        await using (app)
        {
            await app.StartAsync(Ct);
            using var client = new HttpClient();

            var echo = await client.GetFromJsonAsync<EchoResponse>($"http://127.0.0.1:{port}/ping", Ct);

            Assert.Equal("/ping", echo!.Path);
            await app.StopAsync(Ct);
        }
    }

    [Theory]
    [InlineData("eighty")]
    [InlineData("70000")]
    public void PortSetting_NotAPort_ErrorNamesPort(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            FunctionsHost.Build([$"--PORT={value}", "--FUNCTION_TARGET=EchoHttpFunction"], new() { FunctionAssembly = TestAssembly }));

        Assert.Equal($"PORT '{value}' is not a port number (0-65535).", error.Message);
    }

    [Theory]
    [InlineData(null, CloudLoggingJsonFormatter.FormatterName)]
    [InlineData(FunctionsLogFormat.Plain, ConsoleFormatterNames.Simple)]
    public async Task LogFormat_SelectsConsoleFormatter_CloudLoggingByDefault(FunctionsLogFormat? format, string formatterName)
    {
        var options = format is { } chosen
            ? new FunctionsHostOptions { FunctionAssembly = TestAssembly, LogFormat = chosen }
            : new FunctionsHostOptions { FunctionAssembly = TestAssembly };
        await using var app = FunctionsHost.Build(["--FUNCTION_TARGET=EchoHttpFunction"], options);

        var console = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;

        Assert.Equal(formatterName, console.FormatterName);
        Assert.Contains(app.Services.GetServices<ConsoleFormatter>(), f => f.Name == formatterName);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
