using OpenTrace.Hosting.Events;

namespace OpenTrace.Hosting.Tests.Support;

/// <summary>One composed host with every test function on its own route, shared by a test class.</summary>
public sealed class HostFixture : IAsyncLifetime
{
    public const string StoragePath = "/storage";
    public const string UntypedPath = "/untyped";
    public const string FailingPath = "/failing";
    public const string SlowPath = "/slow";
    public const string ApiPrefix = "/api";

    public RunningHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Host = await RunningHost.StartComposedAsync(app =>
        {
            app.MapFunctionsHealthCheck();
            app.MapCloudEventFunction<RecordingStorageFunction, StorageObjectData>(StoragePath);
            app.MapCloudEventFunction<RecordingUntypedFunction>(UntypedPath);
            app.MapCloudEventFunction<FailingStorageFunction, StorageObjectData>(FailingPath);
            app.MapCloudEventFunction<SlowFunction>(SlowPath);
            app.MapHttpFunction<EchoHttpFunction>(ApiPrefix);
        });

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
