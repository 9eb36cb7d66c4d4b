namespace OpenTrace.Core.Configuration;

/// <summary>
/// Settings every function shares, bound from the <c>OpenTrace</c> configuration section
/// (environment: <c>OpenTrace__LakeBucket</c> and so on).
/// </summary>
public sealed class OpenTraceOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "OpenTrace";

    /// <summary>Bucket users drop raw files into. Default <c>bronze</c> (the local bucket folder's name).</summary>
    public string BronzeBucket { get; set; } = "bronze";

    /// <summary>Bucket holding bronze/, silver/, gold/, quarantine/, features/ and embeddings/. Default <c>lake</c>.</summary>
    public string LakeBucket { get; set; } = "lake";

    /// <summary>Bucket holding model artifacts. Default <c>models</c>.</summary>
    public string ModelsBucket { get; set; } = "models";

    /// <summary>
    /// Folder holding <c>&lt;domain&gt;/contracts</c>, <c>models</c>, <c>features</c> and <c>docs</c>.
    /// Null (the default) means the <c>pipelines</c> folder shipped beside the application.
    /// </summary>
    public string? PipelinesPath { get; set; }

    /// <summary>How long an event claim is held before another delivery may take it over. Default 15 minutes.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The pipelines folder to use: <see cref="PipelinesPath"/>, else <c>pipelines</c> beside the application.</summary>
    public string ResolvePipelinesPath() => PipelinesPath ?? Path.Combine(AppContext.BaseDirectory, "pipelines");

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting that is missing or conflicting.</summary>
    public void Validate()
    {
        Require(BronzeBucket, nameof(BronzeBucket));
        Require(LakeBucket, nameof(LakeBucket));
        Require(ModelsBucket, nameof(ModelsBucket));
        if (string.Equals(BronzeBucket, LakeBucket, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{SectionName}:{nameof(BronzeBucket)} and {SectionName}:{nameof(LakeBucket)} are both '{BronzeBucket}'; the bronze function would re-trigger itself. Use two buckets.");
        }

        if (ClaimLease <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(ClaimLease)} must be positive.");
        }
    }

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException($"Setting {SectionName}:{name} is required (environment variable {SectionName}__{name}).");
        }
    }
}
