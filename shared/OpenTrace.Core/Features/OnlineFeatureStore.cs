using System.Text;
using OpenTrace.Core.Documents;

namespace OpenTrace.Core.Features;

/// <summary>Whether a lookup found a value it may serve.</summary>
public enum OnlineStatus
{
    /// <summary>Found and younger than the group's TTL.</summary>
    Fresh,

    /// <summary>Found, older than the TTL, returned flagged (the group flags stale values).</summary>
    Stale,

    /// <summary>Found but older than the TTL and the group omits stale values: nothing is served.</summary>
    Omitted,

    /// <summary>No value (never materialised, or expired and deleted).</summary>
    Missing,
}

/// <summary>The result of an online lookup.</summary>
/// <param name="Group">The group.</param>
/// <param name="EntityId">The entity id looked up.</param>
/// <param name="Status">Fresh, stale (flagged), omitted or missing.</param>
/// <param name="EventTimestamp">Event time of the value; null when missing.</param>
/// <param name="Age">How old the value is at the lookup (now − event time); null when missing.</param>
/// <param name="Values">Feature values by name when <see cref="OnlineStatus.Fresh"/> or <see cref="OnlineStatus.Stale"/>; empty otherwise.</param>
public sealed record OnlineFeatures(
    string Group,
    string EntityId,
    OnlineStatus Status,
    DateTimeOffset? EventTimestamp,
    TimeSpan? Age,
    IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>True when the values may be used (fresh, or stale and flagged).</summary>
    public bool IsServed => Status is OnlineStatus.Fresh or OnlineStatus.Stale;

    /// <summary>True when a served value is older than the TTL.</summary>
    public bool IsStale => Status == OnlineStatus.Stale;
}

/// <summary>
/// The online store: one document per group and entity in the <see cref="Collection"/> collection of the document
/// store (Firestore in the cloud, SQLite locally), holding the latest values, their event time and an
/// <see cref="ExpireAtField"/> (event time + TTL + the group's keep-stale period) that Firestore's TTL policy deletes
/// by and both adapters treat as absent once past. The TTL is enforced at every read: a value older than it is
/// returned flagged stale or not at all, per the group's <see cref="StalePolicy"/>, and never as fresh.
/// </summary>
public sealed class OnlineFeatureStore
{
    /// <summary>The collection (terraform sets its TTL policy on <see cref="ExpireAtField"/>).</summary>
    public const string Collection = "online_features";

    /// <summary>Field holding the expiry instant.</summary>
    public const string ExpireAtField = "expire_at";

    /// <summary>Documents per batch write (Firestore commits at most 500 writes).</summary>
    public const int BatchSize = 400;

    private const string GroupField = "group";
    private const string EntityField = "entity_id";
    private const string EventTimestampField = "event_timestamp";
    private const string CreatedAtField = "created_at";
    private const string WrittenAtField = "written_at";
    private const string ValuesField = "values";

    private readonly IDocumentStore _documents;
    private readonly TimeProvider _time;

    /// <summary>Creates the store over <paramref name="documents"/>; <paramref name="time"/> null uses the system clock.</summary>
    public OnlineFeatureStore(IDocumentStore documents, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        _documents = documents;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// The document id of an entity in a group: <c>&lt;group&gt;:&lt;entity id&gt;</c> with '%' and '/' escaped
    /// (<c>%25</c>, <c>%2F</c>), since document ids cannot contain '/'.
    /// </summary>
    public static string DocumentId(string group, string entityId)
    {
        ArgumentException.ThrowIfNullOrEmpty(group);
        ArgumentException.ThrowIfNullOrEmpty(entityId);
        if (entityId.AsSpan().IndexOfAny('%', '/') < 0)
        {
            return string.Concat(group, ":", entityId);
        }

        var id = new StringBuilder(group.Length + entityId.Length + 8).Append(group).Append(':');
        foreach (var c in entityId)
        {
            id.Append(c switch
            {
                '%' => "%25",
                '/' => "%2F",
                _ => c.ToString(),
            });
        }

        return id.ToString();
    }

    /// <summary>When a value with event time <paramref name="eventTimestamp"/> goes stale, and when its document expires.</summary>
    public static (DateTimeOffset StaleAt, DateTimeOffset ExpireAt) Lifetime(FeatureGroup group, DateTimeOffset eventTimestamp)
    {
        ArgumentNullException.ThrowIfNull(group);
        var staleAt = eventTimestamp + group.Ttl;
        return (staleAt, staleAt + group.KeepStaleFor);
    }

    /// <summary>The online write of a row (a latest value) of <paramref name="group"/>.</summary>
    public DocumentWrite Write(FeatureGroup group, string entityId, DateTimeOffset eventTimestamp, DateTimeOffset createdAt, IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(values);
        return DocumentWrite.Upsert(Collection, DocumentId(group.Name, entityId), new Dictionary<string, object?>
        {
            [GroupField] = group.Name,
            [EntityField] = entityId,
            [EventTimestampField] = eventTimestamp,
            [CreatedAtField] = createdAt,
            [WrittenAtField] = _time.GetUtcNow(),
            [ExpireAtField] = Lifetime(group, eventTimestamp).ExpireAt,
            [ValuesField] = values,
        });
    }

    /// <summary>Applies writes in batches of <see cref="BatchSize"/>.</summary>
    public async Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        for (var start = 0; start < writes.Count; start += BatchSize)
        {
            var batch = writes.Count <= BatchSize ? writes : writes.Skip(start).Take(BatchSize).ToList();
            await _documents.WriteBatchAsync(batch, cancellationToken);
        }
    }

    /// <summary>Reads one entity's values, applying the group's TTL and stale policy at the current time.</summary>
    public async Task<OnlineFeatures> ReadAsync(FeatureGroup group, string entityId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var document = await _documents.GetAsync(Collection, DocumentId(group.Name, entityId), cancellationToken);
        return Interpret(group, entityId, document, _time.GetUtcNow());
    }

    /// <summary>Reads several groups' values in one call (one entry per request, in order), applying each group's TTL.</summary>
    public async Task<IReadOnlyList<OnlineFeatures>> ReadManyAsync(IReadOnlyList<(FeatureGroup Group, string EntityId)> lookups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lookups);
        var ids = new string[lookups.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = DocumentId(lookups[i].Group.Name, lookups[i].EntityId);
        }

        var documents = await _documents.GetManyAsync(Collection, ids, cancellationToken);
        var now = _time.GetUtcNow();
        var results = new OnlineFeatures[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            results[i] = Interpret(lookups[i].Group, lookups[i].EntityId, documents[i], now);
        }

        return results;
    }

    /// <summary>
    /// What a stored document means at <paramref name="now"/>: fresh while now − event time ≤ TTL; after that stale
    /// (flagged) or omitted per the group's policy. A document past its expiry is missing even if the store still holds it.
    /// </summary>
    public static OnlineFeatures Interpret(FeatureGroup group, string entityId, StoredDocument? document, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (document is null
            || document.Fields.GetValueOrDefault(EventTimestampField) is not DateTimeOffset eventTimestamp
            || (document.Fields.GetValueOrDefault(ExpireAtField) is DateTimeOffset expireAt && expireAt <= now))
        {
            return new OnlineFeatures(group.Name, entityId, OnlineStatus.Missing, null, null, EmptyValues);
        }

        var status = StatusAt(group, eventTimestamp, now);
        return new OnlineFeatures(group.Name, entityId, status, eventTimestamp, now - eventTimestamp, status == OnlineStatus.Omitted ? EmptyValues : Values(document));
    }

    /// <summary>
    /// The TTL rule, shared by serving and training sets: a value with event time <paramref name="eventTimestamp"/> is
    /// fresh at <paramref name="now"/> while now − event time ≤ TTL, then stale (flagged) or omitted per the group's policy.
    /// </summary>
    public static OnlineStatus StatusAt(FeatureGroup group, DateTimeOffset eventTimestamp, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (now - eventTimestamp <= group.Ttl)
        {
            return OnlineStatus.Fresh;
        }

        return group.OnStale == StalePolicy.Flag ? OnlineStatus.Stale : OnlineStatus.Omitted;
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyValues = new Dictionary<string, object?>();

    private static IReadOnlyDictionary<string, object?> Values(StoredDocument document) =>
        document.Fields.GetValueOrDefault(ValuesField) as IReadOnlyDictionary<string, object?> ?? EmptyValues;
}
