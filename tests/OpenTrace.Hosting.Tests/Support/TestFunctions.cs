using System.Collections.Concurrent;
using CloudNative.CloudEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;
using OpenTrace.Hosting.Tests.Support;

[assembly: FunctionsStartup(typeof(AssemblyWideStartup))]

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>What the functions under test received.</summary>
public sealed class EventRecorder
{
    private readonly ConcurrentDictionary<string, (CloudEvent Event, object? Data)> _byId = new(StringComparer.Ordinal);

    public void Record(CloudEvent cloudEvent, object? data) => _byId[cloudEvent.Id!] = (cloudEvent, data);

    public bool TryGet(string id, out CloudEvent cloudEvent, out object? data)
    {
        var found = _byId.TryGetValue(id, out var entry);
        (cloudEvent, data) = entry;
        return found;
    }

    public bool Saw(string id) => _byId.ContainsKey(id);
}

/// <summary>Typed storage function: logs and records every event.</summary>
public sealed class RecordingStorageFunction(EventRecorder recorder, ILogger<RecordingStorageFunction> logger) : ICloudEventFunction<StorageObjectData>
{
    public Task HandleAsync(CloudEvent cloudEvent, StorageObjectData data, CancellationToken cancellationToken)
    {
        logger.LogInformation("Object {Bucket}/{Name} generation {Generation} finalized", data.Bucket, data.Name, data.Generation);
        recorder.Record(cloudEvent, data);
        return Task.CompletedTask;
    }
}

/// <summary>Untyped function: records the raw event.</summary>
public sealed class RecordingUntypedFunction(EventRecorder recorder) : ICloudEventFunction
{
    public Task HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        recorder.Record(cloudEvent, cloudEvent.Data);
        return Task.CompletedTask;
    }
}

/// <summary>Fails the way the object's first path segment says: transient/, malformed/, crash/; succeeds otherwise.</summary>
public sealed class FailingStorageFunction : ICloudEventFunction<StorageObjectData>
{
    public const string CrashDetail = "connection string Password=hunter2 leaked";

    public Task HandleAsync(CloudEvent cloudEvent, StorageObjectData data, CancellationToken cancellationToken) =>
        data.Name?.Split('/')[0] switch
        {
            "transient" => throw new TransientException("warehouse answered 503 Service Unavailable"),
            "malformed" => throw new MalformedEventException("object name has no <domain>/<table> prefix"),
            "crash" => throw new InvalidOperationException(CrashDetail),
            _ => Task.CompletedTask,
        };
}

/// <summary>Signals when it starts, then waits until the request is cancelled.</summary>
public sealed class SlowFunction(SlowFunction.Started started) : ICloudEventFunction
{
    public async Task HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        started.Signal.TrySetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public sealed class Started
    {
        public TaskCompletionSource Signal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Answers with what it saw of the request, as JSON.</summary>
public sealed class EchoHttpFunction : IHttpFunction
{
    public Task HandleAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(new EchoResponse(context.Request.Method, context.Request.PathBase.Value ?? "", context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? ""));
}

public sealed record EchoResponse(string Method, string PathBase, string Path, string Query);

/// <summary>An HTTP function whose startup registers the service it needs and a middleware.</summary>
[FunctionsStartup(typeof(GreetingStartup))]
public sealed class GreetingHttpFunction(Greeting greeting) : IHttpFunction
{
    public Task HandleAsync(HttpContext context) => context.Response.WriteAsync(greeting.Text);
}

public sealed record Greeting(string Text);

public sealed class StartupLoggingMarker;

public sealed class AssemblyWideMarker;

public sealed class GreetingStartup : FunctionsStartup
{
    public const string Header = "X-Greeting-Startup";

    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services) =>
        services.AddSingleton(new Greeting($"hello from {context.HostingEnvironment.ApplicationName}"));

    public override void ConfigureLogging(WebHostBuilderContext context, ILoggingBuilder logging) =>
        logging.Services.AddSingleton<StartupLoggingMarker>();

    public override void Configure(WebHostBuilderContext context, IApplicationBuilder app) =>
        app.Use(async (httpContext, next) =>
        {
            httpContext.Response.Headers[Header] = "applied";
            await next(httpContext);
        });
}

public sealed class AssemblyWideStartup : FunctionsStartup
{
    public override void ConfigureServices(WebHostBuilderContext context, IServiceCollection services) =>
        services.AddSingleton<AssemblyWideMarker>();
}

/// <summary>Implements two contracts, which no host accepts.</summary>
public sealed class TwoContractFunction : IHttpFunction, ICloudEventFunction
{
    public Task HandleAsync(HttpContext context) => Task.CompletedTask;

    public Task HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken) => Task.CompletedTask;
}
