namespace OpenTrace.Core.Features;

/// <summary>
/// Settings of the feature store, training and serving, bound from <c>OpenTrace:Features</c> (environment
/// <c>OpenTrace__Features__ChunkRows</c> and so on).
/// </summary>
public sealed class FeatureStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "OpenTrace:Features";

    /// <summary>Rows per offline Parquet chunk: what a materialisation holds in memory at once. Default 50,000.</summary>
    public int ChunkRows { get; set; } = 50_000;

    /// <summary>Online documents per batch write (at most 500, Firestore's commit limit). Default 400.</summary>
    public int OnlineBatch { get; set; } = OnlineFeatureStore.BatchSize;

    /// <summary>How often serving checks whether another model version was promoted. Default 30 seconds.</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest request body the serve API reads, in bytes. Default 16 KiB.</summary>
    public int MaxRequestBytes { get; set; } = 16 * 1024;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        if (ChunkRows is < 1 or > 5_000_000)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(ChunkRows)} must be 1 to 5,000,000 (it is {ChunkRows}).");
        }

        if (OnlineBatch is < 1 or > 500)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(OnlineBatch)} must be 1 to 500, Firestore's commit limit (it is {OnlineBatch}).");
        }

        if (ModelRefreshInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(ModelRefreshInterval)} must be positive.");
        }

        if (MaxRequestBytes is < 1024 or > 16 * 1024 * 1024)
        {
            throw new InvalidOperationException($"{SectionName}:{nameof(MaxRequestBytes)} must be 1 KiB to 16 MiB (it is {MaxRequestBytes}).");
        }
    }
}
