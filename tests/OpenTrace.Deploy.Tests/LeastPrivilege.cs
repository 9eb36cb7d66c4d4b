using OpenTrace.Deploy.Tests.Deployment;

namespace OpenTrace.Deploy.Tests;

/// <summary>
/// The least-privilege specification: every role each OpenTrace service account may hold, and where.
/// The deployment (terraform/iam.tf) must grant exactly this: an extra binding or a missing one fails.
/// </summary>
internal static class LeastPrivilege
{
    private const string JobUser = "roles/bigquery.jobUser";
    private const string DataEditor = "roles/bigquery.dataEditor";
    private const string DataViewer = "roles/bigquery.dataViewer";
    private const string ObjectViewer = "roles/storage.objectViewer";
    private const string ObjectCreator = "roles/storage.objectCreator";
    private const string ObjectUser = "roles/storage.objectUser";
    private const string FirestoreUser = "roles/datastore.user";
    private const string FirestoreViewer = "roles/datastore.viewer";
    private const string VertexUser = "roles/aiplatform.user";
    private const string Invoker = "roles/run.invoker";

    private static readonly string[] Functions = ["bronze", "silver", "gold", "features", "train", "serve"];

    public static IReadOnlyList<Grant> Expected { get; } =
    [
        // Reads raw drops; writes bronze Parquet that its BigQuery load job then reads; claims events in Firestore.
        .. For("bronze",
            Project(JobUser), Project(FirestoreUser),
            Bucket("bronze", ObjectViewer), Bucket("lake", ObjectCreator), Bucket("lake", ObjectViewer),
            Dataset("bronze", DataEditor), Dataset("ops", DataEditor)),

        // Reads bronze Parquet and tables; writes silver and quarantine Parquet and tables.
        .. For("silver",
            Project(JobUser), Project(FirestoreUser),
            Bucket("lake", ObjectCreator), Bucket("lake", ObjectViewer),
            Dataset("bronze", DataViewer), Dataset("silver", DataEditor), Dataset("ops", DataEditor),
            ("secret", "pii_key", "roles/secretmanager.secretAccessor")),

        // Builds gold models from silver into gold_staging, tests them, publishes to gold, and replaces its exports in gold/.
        .. For("gold",
            Project(JobUser),
            Bucket("lake", ObjectUser),
            Dataset("silver", DataViewer), Dataset("gold_staging", DataEditor), Dataset("gold", DataEditor), Dataset("ops", DataEditor)),

        // Feature history in BigQuery, the online store in Firestore, embeddings from Vertex AI into the lake.
        .. For("features",
            Project(VertexUser), Project(JobUser), Project(FirestoreUser),
            Bucket("lake", ObjectUser),
            Dataset("silver", DataViewer), Dataset("gold", DataViewer), Dataset("features", DataEditor), Dataset("ops", DataEditor)),

        // Trains on features and gold; writes model artifacts and the registry.
        .. For("train",
            Project(JobUser),
            Bucket("models", ObjectCreator), Bucket("models", ObjectViewer),
            Dataset("features", DataViewer), Dataset("gold", DataViewer), Dataset("ops", DataEditor)),

        // Reads models, embeddings and the online store; asks Vertex AI. Writes nothing.
        .. For("serve",
            Project(VertexUser), Project(FirestoreViewer),
            Bucket("lake", ObjectViewer), Bucket("models", ObjectViewer)),

        .. For("bronze-trigger", Project("roles/eventarc.eventReceiver"), Service("bronze", Invoker)),
        .. For("silver-trigger", Project("roles/eventarc.eventReceiver"), Service("silver", Invoker)),
        .. For("scheduler", Service("gold", Invoker), Service("features", Invoker), Service("train", Invoker)),

        // Cloud Build: push images, update the six services (acting as their accounts), read uploaded sources, write logs.
        .. For("deployer",
            [
                Project("roles/logging.logWriter"),
                ("repository", "", "roles/artifactregistry.writer"),
                Bucket("build", ObjectViewer),
                .. Functions.Select(function => Service(function, "roles/run.developer")),
                .. Functions.Select(function => ("account", function, "roles/iam.serviceAccountUser")),
            ]),
    ];

    private static IEnumerable<Grant> For(string principal, params (string Kind, string Target, string Role)[] grants) =>
        grants.Select(grant => new Grant(principal, grant.Kind, grant.Target, grant.Role));

    private static (string, string, string) Project(string role) => ("project", "", role);

    private static (string, string, string) Bucket(string bucket, string role) => ("bucket", bucket, role);

    private static (string, string, string) Dataset(string dataset, string role) => ("dataset", dataset, role);

    private static (string, string, string) Service(string function, string role) => ("service", function, role);
}
