using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Storage;

namespace OpenTrace.Core;

/// <summary>Lineage columns every row carries, and the lineage id of a source object generation.</summary>
public static class Lineage
{
    /// <summary>Id of the bronze object generation a row came from (32 hex characters).</summary>
    public const string LineageId = "_lineage_id";

    /// <summary><c>gs://bucket/name</c> of the source object.</summary>
    public const string SourceUri = "_source_uri";

    /// <summary>Generation of the source object.</summary>
    public const string SourceGeneration = "_source_generation";

    /// <summary>1-based data row number within the source file (header excluded).</summary>
    public const string RowNumber = "_row_number";

    /// <summary>When bronze ingested the row (UTC).</summary>
    public const string IngestedAt = "_ingested_at";

    /// <summary>Why bronze flagged the row (for example a ragged row), or null.</summary>
    public const string RowIssue = "_row_issue";

    /// <summary>
    /// The lineage id of one object generation: the first 16 bytes of SHA-256 over
    /// <c>gs://bucket/name#generation</c>, as lower-case hex. Deterministic, so replays name the same outputs.
    /// </summary>
    public static string IdFor(string bucket, string name, long generation)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var key = string.Create(CultureInfo.InvariantCulture, $"{ObjectRef.ToUri(bucket, name)}#{generation}");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return Convert.ToHexStringLower(hash[..16]);
    }
}
