using OpenTrace.Core.Storage;
using OpenTrace.Embedded.Storage;
using OpenTrace.Testing;
using OpenTrace.Testing.Behaviours;

namespace OpenTrace.Embedded.Tests.Storage;

public sealed class FolderObjectStoreBehaviourTests : ObjectStoreBehaviour
{
    private readonly TempDirectory _home = new("opentrace-objects");

    protected override ValueTask<IObjectStore> CreateStoreAsync() =>
        ValueTask.FromResult<IObjectStore>(new FolderObjectStore(_home.Combine("buckets")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _home.Dispose();
    }
}
