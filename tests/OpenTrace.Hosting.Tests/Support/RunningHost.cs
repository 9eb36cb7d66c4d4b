using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>A host listening on 127.0.0.1 on a free port, with an HttpClient pointed at it and its logs captured.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private RunningHost(WebApplication app, LogCapture logs, EventRecorder recorder)
    {
        App = app;
        Logs = logs;
        Recorder = recorder;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public LogCapture Logs { get; }

    public EventRecorder Recorder { get; }

    /// <summary>Starts <see cref="FunctionsHost"/> on this test assembly with <paramref name="args"/> (e.g. --FUNCTION_TARGET=...).</summary>
    public static async Task<RunningHost> StartFunctionsHostAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var logs = new LogCapture();
        var recorder = new EventRecorder();
        var app = FunctionsHost.Build(args, new FunctionsHostOptions
        {
            FunctionAssembly = typeof(RunningHost).Assembly,
            Address = IPAddress.Loopback,
            Port = 0,
            ConfigureBuilder = builder =>
            {
                AddTestServices(builder, logs, recorder);
                configure?.Invoke(builder);
            },
        });
        return await StartAsync(app, logs, recorder);
    }

    /// <summary>Starts a host composed from the mapping extensions, as a process hosting several functions would.</summary>
    public static async Task<RunningHost> StartComposedAsync(Action<WebApplication> map, Action<WebApplicationBuilder>? configure = null)
    {
        var logs = new LogCapture();
        var recorder = new EventRecorder();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        AddTestServices(builder, logs, recorder);
        configure?.Invoke(builder);
        var app = builder.Build();
        map(app);
        return await StartAsync(app, logs, recorder);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    private static void AddTestServices(WebApplicationBuilder builder, LogCapture logs, EventRecorder recorder)
    {
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(recorder);
        builder.Services.AddSingleton<SlowFunction.Started>();
    }

    private static async Task<RunningHost> StartAsync(WebApplication app, LogCapture logs, EventRecorder recorder)
    {
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new RunningHost(app, logs, recorder);
    }
}
