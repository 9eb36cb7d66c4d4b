using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenTrace.Core.Gold;

/// <summary>
/// What a model was built from: per source the row count of each lineage id (input file) and the newest load time,
/// per upstream model its build id and definition hash. Stored as the model's watermark in <c>ops.gold_builds</c>;
/// equal states mean the model's inputs have not changed.
/// </summary>
public sealed record GoldInputState
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Per source key (<c>dataset.table</c>), its state; sorted by key.</summary>
    public SortedDictionary<string, SourceInputState> Sources { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Per upstream model, the build it was read at; sorted by name.</summary>
    public SortedDictionary<string, ModelInputState> Models { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The canonical JSON form (keys sorted), stored in ops and compared.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads <see cref="ToJson"/> output; null for null or empty text.</summary>
    public static GoldInputState? FromJson(string? json) =>
        string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<GoldInputState>(json, Json);

    /// <summary>
    /// The lineage ids of <paramref name="sourceKey"/> that are new or hold more rows than in <paramref name="previous"/>
    /// (rows a MERGE moved to a newer file carry that file's id, so they are found too). Sorted.
    /// </summary>
    public IReadOnlyList<string> ChangedLineage(string sourceKey, GoldInputState? previous)
    {
        if (!Sources.TryGetValue(sourceKey, out var now))
        {
            return [];
        }

        var before = previous?.Sources.GetValueOrDefault(sourceKey)?.Lineage;
        return now.Lineage
            .Where(entry => before is null || !before.TryGetValue(entry.Key, out var rows) || rows < entry.Value)
            .Select(entry => entry.Key)
            .ToList();
    }

    /// <summary>Inputs whose state differs from <paramref name="previous"/>, e.g. <c>silver.olist__orders</c>, <c>fct_orders</c>.</summary>
    public IReadOnlyList<string> Differences(GoldInputState? previous)
    {
        var changed = new List<string>();
        foreach (var (key, state) in Sources)
        {
            if (previous is null || !previous.Sources.TryGetValue(key, out var before) || !state.SameAs(before))
            {
                changed.Add(key);
            }
        }

        foreach (var (key, state) in Models)
        {
            if (previous is null || !previous.Models.TryGetValue(key, out var before) || state != before)
            {
                changed.Add(key);
            }
        }

        if (previous is not null)
        {
            changed.AddRange(previous.Sources.Keys.Where(k => !Sources.ContainsKey(k)));
            changed.AddRange(previous.Models.Keys.Where(k => !Models.ContainsKey(k)));
        }

        return changed;
    }
}

/// <summary>The state of one source table.</summary>
public sealed record SourceInputState
{
    /// <summary>Rows in the table.</summary>
    public long Rows { get; init; }

    /// <summary>Newest load time, or null for an empty table.</summary>
    public DateTimeOffset? MaxLoadedAt { get; init; }

    /// <summary>Rows per lineage id; sorted by id.</summary>
    public SortedDictionary<string, long> Lineage { get; init; } = new(StringComparer.Ordinal);

    /// <summary>True when both hold the same rows per lineage id.</summary>
    public bool SameAs(SourceInputState other) =>
        other is not null && Rows == other.Rows && Lineage.Count == other.Lineage.Count
        && Lineage.All(entry => other.Lineage.TryGetValue(entry.Key, out var rows) && rows == entry.Value);
}

/// <summary>The state of one upstream model.</summary>
/// <param name="BuildId">Build that published the table read.</param>
/// <param name="DefinitionHash">Its definition hash at that build.</param>
public sealed record ModelInputState(string BuildId, string DefinitionHash);
