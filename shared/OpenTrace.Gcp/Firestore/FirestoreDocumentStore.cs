using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Documents;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.Firestore;

/// <summary>
/// <see cref="IDocumentStore"/> over the Firestore REST API (v1). Creates use the <c>exists=false</c> precondition,
/// replaces the <c>updateTime</c> precondition, and batches one atomic <c>commit</c>. Documents whose
/// <see cref="GcpOptions.DocumentTtlField"/> timestamp has passed read as absent (a Firestore TTL policy on that field
/// deletes them later). Honours <c>FIRESTORE_EMULATOR_HOST</c> through <see cref="GcpOptions.FirestoreEmulatorHost"/>.
/// </summary>
public sealed class FirestoreDocumentStore : IDocumentStore
{
    /// <summary>The public endpoint.</summary>
    public const string DefaultEndpoint = "https://firestore.googleapis.com";

    private const string ServiceName = "Firestore";

    private readonly GoogleRestClient _client;
    private readonly string _api;
    private readonly string _database;
    private readonly string _ttlField;
    private readonly TimeProvider _time;

    /// <summary>Creates the store. <paramref name="httpClient"/> is kept for the store's lifetime (register as a singleton).</summary>
    /// <param name="httpClient">Client for the Firestore API.</param>
    /// <param name="options">Project, database id, TTL field and retry settings.</param>
    /// <param name="tokenSource">Access tokens (the emulator wants <see cref="StaticTokenSource.FirestoreEmulatorOwner"/>).</param>
    /// <param name="time">Clock for TTL checks; null means the system clock.</param>
    public FirestoreDocumentStore(HttpClient httpClient, GcpOptions options, IAccessTokenSource tokenSource, TimeProvider? time = null)
        : this(new GoogleRestClient(httpClient, tokenSource, Backoff.From(options), ServiceName), options, time)
    {
    }

    internal FirestoreDocumentStore(GoogleRestClient client, GcpOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        var root = string.IsNullOrWhiteSpace(options.FirestoreEmulatorHost) ? DefaultEndpoint : "http://" + options.FirestoreEmulatorHost.Trim().TrimEnd('/');
        _api = root + "/v1/";
        _database = $"projects/{options.RequireProjectId()}/databases/{options.FirestoreDatabase}";
        _ttlField = options.DocumentTtlField;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> GetAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var document = await ReadAsync(collection, id, cancellationToken);
        return document is null || IsExpired(document) ? null : document;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredDocument?>> GetManyAsync(string collection, IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return [];
        }

        var names = ids.Select(id => Name(collection, id)).ToList();
        var body = new JsonObject { ["documents"] = new JsonArray(names.Distinct(StringComparer.Ordinal).Select(n => (JsonNode)n).ToArray()) };
        var result = (await _client.JsonAsync(HttpMethod.Post, _api + _database + "/documents:batchGet", body, idempotent: true, cancellationToken)).EnsureSuccess(_client);
        var found = new Dictionary<string, StoredDocument>(StringComparer.Ordinal);
        foreach (var entry in result.EnumerateArray())
        {
            if (entry.TryGetProperty("found", out var document))
            {
                var stored = Parse(document);
                if (!IsExpired(stored))
                {
                    found[document.GetProperty("name").GetString()!] = stored;
                }
            }
        }

        return names.Select(n => found.GetValueOrDefault(n)).ToList();
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> CreateAsync(string collection, string id, IReadOnlyDictionary<string, object?> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var encoded = FirestoreValues.EncodeFields(fields);
        for (var round = 0; round < 3; round++)
        {
            var write = Update(collection, id, encoded);
            write["currentDocument"] = new JsonObject { ["exists"] = false };
            var result = await CommitAsync([write], cancellationToken);
            if (result.IsSuccess)
            {
                var updateTime = WriteTime(result.Body);
                return Stored(collection, id, encoded, updateTime, updateTime);
            }

            if (result.Error!.Status != "ALREADY_EXISTS" && result.Status != HttpStatusCode.Conflict)
            {
                throw _client.ToException(result.Method, result.Uri, result.Error);
            }

            var existing = await ReadRawAsync(collection, id, cancellationToken);
            if (existing is null)
            {
                continue; // deleted meanwhile: try the create again
            }

            var (document, storedFields) = existing.Value;
            if (result.Attempts > 1 && JsonNode.DeepEquals(storedFields, encoded))
            {
                return document; // our own earlier attempt landed before its answer was lost
            }

            return IsExpired(document) ? await ReplaceEncodedAsync(collection, id, encoded, document.UpdateTime, document.CreateTime, cancellationToken) : null;
        }

        return null;
    }

    /// <inheritdoc />
    public async Task<StoredDocument?> ReplaceAsync(
        string collection, string id, IReadOnlyDictionary<string, object?> fields, DateTimeOffset ifUpdateTime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return await ReplaceEncodedAsync(collection, id, FirestoreValues.EncodeFields(fields), ifUpdateTime, createTime: null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task WriteBatchAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return;
        }

        var json = writes.Select(w => w.Fields is null
            ? new JsonObject { ["delete"] = Name(w.Collection, w.Id) }
            : Update(w.Collection, w.Id, FirestoreValues.EncodeFields(w.Fields))).ToList();
        (await CommitAsync(json, cancellationToken)).EnsureSuccess(_client);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string collection, string id, CancellationToken cancellationToken = default)
    {
        var write = new JsonObject { ["delete"] = Name(collection, id), ["currentDocument"] = new JsonObject { ["exists"] = true } };
        var result = await CommitAsync([write], cancellationToken);
        if (result.IsSuccess)
        {
            return true;
        }

        if (result.Status == HttpStatusCode.NotFound || result.Error!.Status == "NOT_FOUND")
        {
            return result.Attempts > 1; // absent after a retry: our first attempt deleted it
        }

        throw _client.ToException(result.Method, result.Uri, result.Error!);
    }

    private async Task<StoredDocument?> ReplaceEncodedAsync(
        string collection, string id, JsonObject encoded, DateTimeOffset ifUpdateTime, DateTimeOffset? createTime, CancellationToken cancellationToken)
    {
        var write = Update(collection, id, encoded);
        write["currentDocument"] = new JsonObject { ["updateTime"] = FirestoreValues.FormatTimestamp(ifUpdateTime) };
        var result = await CommitAsync([write], cancellationToken);
        if (!result.IsSuccess)
        {
            if (result.Error!.Status is not ("FAILED_PRECONDITION" or "NOT_FOUND"))
            {
                throw _client.ToException(result.Method, result.Uri, result.Error);
            }

            // A retried replace whose first attempt landed fails its own precondition; recognise our fields.
            if (result.Attempts > 1 && await ReadRawAsync(collection, id, cancellationToken) is { } mine && JsonNode.DeepEquals(mine.Fields, encoded))
            {
                return mine.Document;
            }

            return null;
        }

        var updateTime = WriteTime(result.Body);
        if (createTime is null)
        {
            // The commit answer has no create time; it does not change while the document lives.
            var current = await ReadAsync(collection, id, cancellationToken);
            createTime = current?.CreateTime ?? updateTime;
        }

        return Stored(collection, id, encoded, createTime.Value, updateTime);
    }

    private Task<JsonResult> CommitAsync(IReadOnlyList<JsonObject> writes, CancellationToken cancellationToken)
    {
        // Every commit here is idempotent: creates, replaces and deletes carry preconditions (a retry that meets its
        // own earlier success is recognised above) and batch upserts replace whole documents.
        var body = new JsonObject { ["writes"] = new JsonArray(writes.Select(w => (JsonNode)w).ToArray()) };
        return _client.JsonAsync(HttpMethod.Post, _api + _database + "/documents:commit", body, idempotent: true, cancellationToken);
    }

    private async Task<StoredDocument?> ReadAsync(string collection, string id, CancellationToken cancellationToken) =>
        (await ReadRawAsync(collection, id, cancellationToken))?.Document;

    private async Task<(StoredDocument Document, JsonObject Fields)?> ReadRawAsync(string collection, string id, CancellationToken cancellationToken)
    {
        var url = $"{_api}{_database}/documents/{Uri.EscapeDataString(collection)}/{Uri.EscapeDataString(id)}";
        Name(collection, id); // validates
        var result = await _client.JsonAsync(HttpMethod.Get, url, null, idempotent: true, cancellationToken);
        if (result.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = result.EnsureSuccess(_client);
        var fields = body.TryGetProperty("fields", out var f) ? JsonNode.Parse(f.GetRawText())!.AsObject() : new JsonObject();
        return (Parse(body), fields);
    }

    private bool IsExpired(StoredDocument document) =>
        document.Fields.TryGetValue(_ttlField, out var value) && value is DateTimeOffset expiry && expiry <= _time.GetUtcNow();

    private JsonObject Update(string collection, string id, JsonObject encoded) => new()
    {
        ["update"] = new JsonObject { ["name"] = Name(collection, id), ["fields"] = encoded.DeepClone() },
    };

    private string Name(string collection, string id)
    {
        CheckSegment(collection, nameof(collection));
        CheckSegment(id, nameof(id));
        return $"{_database}/documents/{collection}/{id}";
    }

    private static void CheckSegment(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Contains('/', StringComparison.Ordinal) || value is "." or ".." || (value.StartsWith("__", StringComparison.Ordinal) && value.EndsWith("__", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{value}' is not a valid Firestore {parameter}: it may not contain '/', be '.' or '..', or look like __name__.", parameter);
        }
    }

    private static StoredDocument Parse(JsonElement document)
    {
        var name = document.GetProperty("name").GetString()!;
        var parts = name.Split('/');
        var fields = document.TryGetProperty("fields", out var f) ? FirestoreValues.DecodeFields(f) : [];
        return new StoredDocument(
            parts[^2],
            parts[^1],
            fields,
            FirestoreValues.ParseTimestamp(document.GetProperty("createTime").GetString()!),
            FirestoreValues.ParseTimestamp(document.GetProperty("updateTime").GetString()!));
    }

    private static StoredDocument Stored(string collection, string id, JsonObject encoded, DateTimeOffset createTime, DateTimeOffset updateTime)
    {
        using var doc = JsonDocument.Parse(encoded.ToJsonString());
        return new StoredDocument(collection, id, FirestoreValues.DecodeFields(doc.RootElement), createTime, updateTime);
    }

    private static DateTimeOffset WriteTime(JsonElement commit)
    {
        if (commit.TryGetProperty("writeResults", out var results) && results.GetArrayLength() > 0 && results[0].TryGetProperty("updateTime", out var t))
        {
            return FirestoreValues.ParseTimestamp(t.GetString()!);
        }

        return FirestoreValues.ParseTimestamp(commit.GetProperty("commitTime").GetString()!);
    }
}
