namespace OpenTrace.Core.Documents;

/// <summary>
/// A document store keyed by collection and id: Firestore in the cloud, a SQLite file locally.
/// Field values are null, string, long, double, bool, <see cref="DateTimeOffset"/> (UTC, microsecond precision),
/// byte[], <see cref="IReadOnlyList{T}"/> of values, or <see cref="IReadOnlyDictionary{TKey, TValue}"/> of values.
/// Integers of other widths are stored as long; floats as double.
/// </summary>
public interface IDocumentStore
{
    /// <summary>Reads one document, or null when it does not exist.</summary>
    Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default);

    /// <summary>Reads many documents; the result has one entry per id, in order, null where absent.</summary>
    Task<IReadOnlyList<StoredDocument?>> GetManyAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default);

    /// <summary>Creates a document only when it does not exist. Returns the stored document, or null when it already existed.</summary>
    Task<StoredDocument?> CreateAsync(string collection, string id, IReadOnlyDictionary<string, object?> fields, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces an existing document's fields only when its update time equals <paramref name="ifUpdateTime"/>.
    /// Returns the stored document, or null when the document is absent or was changed by someone else.
    /// </summary>
    Task<StoredDocument?> ReplaceAsync(string collection, string id, IReadOnlyDictionary<string, object?> fields, DateTimeOffset ifUpdateTime, CancellationToken cancellationToken = default);

    /// <summary>Applies writes atomically (all or none). Upserts replace the whole document.</summary>
    Task WriteBatchAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document; returns false when it did not exist.</summary>
    Task<bool> DeleteAsync(string collection, string id, CancellationToken cancellationToken = default);
}

/// <summary>A document as stored.</summary>
/// <param name="Collection">Collection name.</param>
/// <param name="Id">Document id.</param>
/// <param name="Fields">Field values.</param>
/// <param name="CreateTime">When the document was created (UTC).</param>
/// <param name="UpdateTime">When it was last written (UTC); use it as the precondition for the next replace.</param>
public sealed record StoredDocument(
    string Collection,
    string Id,
    IReadOnlyDictionary<string, object?> Fields,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime)
{
    /// <summary>A field converted to <typeparamref name="T"/>, or default when absent or null.</summary>
    public T? Get<T>(string field) =>
        Fields.TryGetValue(field, out var value) ? Warehouse.ValueConversion.To<T>(value) : default;
}

/// <summary>One write in a batch.</summary>
/// <param name="Collection">Collection name.</param>
/// <param name="Id">Document id.</param>
/// <param name="Fields">Fields for an upsert; null deletes the document.</param>
public sealed record DocumentWrite(string Collection, string Id, IReadOnlyDictionary<string, object?>? Fields)
{
    /// <summary>An upsert of the whole document.</summary>
    public static DocumentWrite Upsert(string collection, string id, IReadOnlyDictionary<string, object?> fields) => new(collection, id, fields);

    /// <summary>A delete.</summary>
    public static DocumentWrite Delete(string collection, string id) => new(collection, id, null);
}
