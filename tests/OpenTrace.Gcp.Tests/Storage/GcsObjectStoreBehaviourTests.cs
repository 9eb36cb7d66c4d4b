using OpenTrace.Core.Storage;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp.Tests.Fakes;
using OpenTrace.Testing.Behaviours;

namespace OpenTrace.Gcp.Tests.Storage;

/// <summary>The object-store behaviour suite the folder store also passes, run against <see cref="GcsObjectStore"/> on the fake JSON API.</summary>
public sealed class GcsObjectStoreBehaviourTests : ObjectStoreBehaviour
{
    private readonly TestClients _clients = new();
    private FakeGcsServer? _server;

    protected override async ValueTask<IObjectStore> CreateStoreAsync()
    {
        _server = await FakeGcsServer.StartAsync();
        var options = TestClients.Options(o => o.StorageEmulatorHost = _server.BaseUrl);
        return new GcsObjectStore(_clients.Rest(new SocketsHttpHandler(), options, "Cloud Storage", token: null), options);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
