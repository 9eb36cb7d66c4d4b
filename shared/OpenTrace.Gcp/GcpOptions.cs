using System.Globalization;

namespace OpenTrace.Gcp;

/// <summary>
/// Google Cloud settings, bound from the <c>OpenTrace</c> configuration section (environment:
/// <c>OpenTrace__ProjectId</c>, <c>OpenTrace__Region</c> and so on). Standard Google variables fill what is not set:
/// <c>GOOGLE_CLOUD_PROJECT</c>, <c>GOOGLE_CLOUD_REGION</c>, <c>STORAGE_EMULATOR_HOST</c>, <c>FIRESTORE_EMULATOR_HOST</c>.
/// </summary>
public sealed class GcpOptions
{
    /// <summary>The configuration section these options bind from (shared with the core options).</summary>
    public const string SectionName = "OpenTrace";

    /// <summary>Project id. Required (<c>OpenTrace__ProjectId</c> or <c>GOOGLE_CLOUD_PROJECT</c>).</summary>
    public string? ProjectId { get; set; }

    /// <summary>Region the functions run in, for example <c>europe-west1</c>. Required (<c>OpenTrace__Region</c> or <c>GOOGLE_CLOUD_REGION</c>).</summary>
    public string? Region { get; set; }

    /// <summary>BigQuery location for datasets and jobs (<c>EU</c>, <c>US</c> or a region). Null (the default) means <see cref="Region"/>.</summary>
    public string? BigQueryLocation { get; set; }

    /// <summary>Firestore database id. Default <c>(default)</c>.</summary>
    public string FirestoreDatabase { get; set; } = "(default)";

    /// <summary>
    /// Name of the timestamp field that a Firestore TTL policy deletes documents by. Documents whose value is in the
    /// past read as absent, since Firestore deletes expired documents only within a day. Default <c>expire_at</c>.
    /// </summary>
    public string DocumentTtlField { get; set; } = "expire_at";

    /// <summary>Region for Vertex AI calls (<c>global</c> is allowed). Null (the default) means <see cref="Region"/>.</summary>
    public string? VertexRegion { get; set; }

    /// <summary>Vertex AI text embedding model. Default <c>text-embedding-005</c>.</summary>
    public string EmbeddingModel { get; set; } = "text-embedding-005";

    /// <summary>Vertex AI Gemini model for answers. Default <c>gemini-2.5-flash</c>.</summary>
    public string GenerativeModel { get; set; } = "gemini-2.5-flash";

    /// <summary>
    /// Cloud Storage emulator base URL, for example <c>http://127.0.0.1:9023</c> (<c>STORAGE_EMULATOR_HOST</c>).
    /// Null (the default): the real service, authenticated.
    /// </summary>
    public string? StorageEmulatorHost { get; set; }

    /// <summary>
    /// Firestore emulator <c>host:port</c> (<c>FIRESTORE_EMULATOR_HOST</c>), spoken to over plain HTTP.
    /// Null (the default): the real service, authenticated.
    /// </summary>
    public string? FirestoreEmulatorHost { get; set; }

    /// <summary>Bytes per resumable-upload chunk; a multiple of 256 KiB. Smaller uploads go in one request. Default 8 MiB.</summary>
    public int UploadChunkSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Attempts per idempotent call, the first included. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>First retry delay before jitter; doubles per attempt. Default 500 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between attempts (also caps <c>Retry-After</c>). Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a BigQuery job may run before the call gives up waiting (the job goes on). Default 30 minutes.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The BigQuery location in use: <see cref="BigQueryLocation"/>, else <see cref="Region"/>.</summary>
    public string? EffectiveBigQueryLocation => string.IsNullOrWhiteSpace(BigQueryLocation) ? Region : BigQueryLocation;

    /// <summary>The Vertex AI region in use: <see cref="VertexRegion"/>, else <see cref="Region"/>.</summary>
    public string? EffectiveVertexRegion => string.IsNullOrWhiteSpace(VertexRegion) ? Region : VertexRegion;

    /// <summary>The project id, or an exception naming the setting when it is missing.</summary>
    public string RequireProjectId() =>
        string.IsNullOrWhiteSpace(ProjectId) ? throw new InvalidOperationException(MissingMessage(nameof(ProjectId), "GOOGLE_CLOUD_PROJECT")) : ProjectId;

    /// <summary>Problems with the settings, each naming the setting and its environment variable; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ProjectId))
        {
            problems.Add(MissingMessage(nameof(ProjectId), "GOOGLE_CLOUD_PROJECT"));
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            problems.Add(MissingMessage(nameof(Region), "GOOGLE_CLOUD_REGION"));
        }

        if (string.IsNullOrWhiteSpace(FirestoreDatabase))
        {
            problems.Add(MissingMessage(nameof(FirestoreDatabase), null));
        }

        if (string.IsNullOrWhiteSpace(EmbeddingModel))
        {
            problems.Add(MissingMessage(nameof(EmbeddingModel), null));
        }

        if (string.IsNullOrWhiteSpace(GenerativeModel))
        {
            problems.Add(MissingMessage(nameof(GenerativeModel), null));
        }

        if (UploadChunkSize <= 0 || UploadChunkSize % (256 * 1024) != 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"Setting {SectionName}:{nameof(UploadChunkSize)} must be a positive multiple of 262144 (256 KiB); it is {UploadChunkSize}."));
        }

        if (MaxAttempts < 1)
        {
            problems.Add($"Setting {SectionName}:{nameof(MaxAttempts)} must be at least 1.");
        }

        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            problems.Add($"Settings {SectionName}:{nameof(InitialBackoff)} and {SectionName}:{nameof(MaxBackoff)} must satisfy 0 <= InitialBackoff <= MaxBackoff.");
        }

        if (StorageEmulatorHost is { Length: > 0 } storage && !Uri.TryCreate(storage, UriKind.Absolute, out _))
        {
            problems.Add($"STORAGE_EMULATOR_HOST must be an absolute URL such as http://127.0.0.1:9023; it is '{storage}'.");
        }

        if (FirestoreEmulatorHost is { Length: > 0 } firestore && !Uri.TryCreate("http://" + firestore, UriKind.Absolute, out _))
        {
            problems.Add($"FIRESTORE_EMULATOR_HOST must be host:port such as 127.0.0.1:8080; it is '{firestore}'.");
        }

        return problems;
    }

    private static string MissingMessage(string setting, string? fallbackVariable) =>
        fallbackVariable is null
            ? $"Setting {SectionName}:{setting} is required (environment variable {SectionName}__{setting})."
            : $"Setting {SectionName}:{setting} is required (environment variable {SectionName}__{setting} or {fallbackVariable}).";
}
