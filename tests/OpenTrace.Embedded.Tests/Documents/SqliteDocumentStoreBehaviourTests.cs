using OpenTrace.Core.Documents;
using OpenTrace.Embedded.Documents;
using OpenTrace.Testing;
using OpenTrace.Testing.Behaviours;

namespace OpenTrace.Embedded.Tests.Documents;

public sealed class SqliteDocumentStoreBehaviourTests : DocumentStoreBehaviour
{
    private readonly TempDirectory _home = new("opentrace-documents");

    protected override ValueTask<IDocumentStore> CreateStoreAsync() =>
        ValueTask.FromResult<IDocumentStore>(new SqliteDocumentStore(_home.Combine("online.sqlite")));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _home.Dispose();
    }
}
