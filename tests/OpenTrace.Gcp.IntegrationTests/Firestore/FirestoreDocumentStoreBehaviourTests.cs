using OpenTrace.Core.Documents;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp.Http;
using OpenTrace.Testing.Behaviours;

namespace OpenTrace.Gcp.IntegrationTests.Firestore;

/// <summary>The document-store behaviour suite the SQLite store also passes, run against <see cref="FirestoreDocumentStore"/> on Google's emulator.</summary>
[Collection(FirestoreEmulatorCollection.Name)]
public sealed class FirestoreDocumentStoreBehaviourTests(FirestoreEmulatorFixture emulator) : DocumentStoreBehaviour
{
    protected override ValueTask<IDocumentStore> CreateStoreAsync()
    {
        emulator.SkipIfUnavailable();

        // A project per test keeps tests apart on the shared emulator.
        var options = new GcpOptions
        {
            ProjectId = $"behaviour-{Guid.NewGuid():N}"[..24],
            Region = "europe-west1",
            FirestoreEmulatorHost = emulator.HostPort,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
        };
        return ValueTask.FromResult<IDocumentStore>(new FirestoreDocumentStore(new HttpClient(new SocketsHttpHandler()), options, StaticTokenSource.FirestoreEmulatorOwner));
    }
}
