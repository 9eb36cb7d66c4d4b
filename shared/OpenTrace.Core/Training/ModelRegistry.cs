using System.Globalization;
using System.Text.Json;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;

namespace OpenTrace.Core.Training;

/// <summary>A task's registry entry: its latest and promoted versions.</summary>
/// <param name="Task">The task.</param>
/// <param name="LatestVersion">Highest version registered (0 for none).</param>
/// <param name="PromotedVersion">Version serving predictions, or null.</param>
/// <param name="PromotedArtifactUri">Its artifact, or null.</param>
/// <param name="PromotedAt">When it was promoted, or null.</param>
/// <param name="UpdateTime">Document update time (the precondition for the next change).</param>
public sealed record RegistryHead(string Task, int LatestVersion, int? PromotedVersion, string? PromotedArtifactUri, DateTimeOffset? PromotedAt, DateTimeOffset UpdateTime);

/// <summary>
/// The model registry: each version's artifact (<c>&lt;task&gt;/v&lt;n&gt;/model.zip</c>) and card
/// (<c>card.json</c>) in the models bucket, and in the document store's <see cref="Collection"/> one document per
/// version (<c>&lt;task&gt;.v&lt;n&gt;</c>: version, metrics, features, lineage) plus the task's head document
/// (<c>&lt;task&gt;</c>: latest and promoted versions), which serving polls. Version numbers are taken with
/// create-if-absent, so two concurrent runs never share one.
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>The registry collection.</summary>
    public const string Collection = "model_registry";

    private readonly IDocumentStore _documents;
    private readonly IObjectStore _objects;
    private readonly string _bucket;
    private readonly TimeProvider _time;

    /// <summary>Creates the registry over <paramref name="modelsBucket"/>.</summary>
    public ModelRegistry(IDocumentStore documents, IObjectStore objects, string modelsBucket, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(objects);
        ArgumentException.ThrowIfNullOrEmpty(modelsBucket);
        _documents = documents;
        _objects = objects;
        _bucket = modelsBucket;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The models bucket.</summary>
    public string Bucket => _bucket;

    /// <summary>Object name of a version's artifact.</summary>
    public static string ArtifactName(string task, int version) => string.Create(CultureInfo.InvariantCulture, $"{task}/v{version}/model.zip");

    /// <summary>Object name of a version's card.</summary>
    public static string CardName(string task, int version) => string.Create(CultureInfo.InvariantCulture, $"{task}/v{version}/card.json");

    /// <summary>The task's head, or null when nothing was registered.</summary>
    public async Task<RegistryHead?> GetHeadAsync(string task, CancellationToken cancellationToken = default)
    {
        var document = await _documents.GetAsync(Collection, task, cancellationToken);
        return document is null ? null : Head(task, document);
    }

    /// <summary>
    /// Registers a trained model: takes the next version number, uploads the artifact and the card (built by
    /// <paramref name="card"/> from the version and artifact URI), records the version document and moves the head's
    /// latest version. Returns the card as stored.
    /// </summary>
    public async Task<ModelCard> RegisterAsync(string task, byte[] artifact, Func<int, string, ModelCard> card, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(task);
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentNullException.ThrowIfNull(card);
        var version = ((await GetHeadAsync(task, cancellationToken))?.LatestVersion ?? 0) + 1;
        var claim = new Dictionary<string, object?> { ["task"] = task, ["state"] = "registering", ["created_at"] = _time.GetUtcNow() };
        while (await _documents.CreateAsync(Collection, VersionId(task, version), claim, cancellationToken) is null)
        {
            version++;
        }

        var artifactName = ArtifactName(task, version);
        ObjectInfo stored;
        using (var content = new MemoryStream(artifact, writable: false))
        {
            stored = await _objects.UploadAsync(_bucket, artifactName, content, new ObjectWriteOptions { ContentType = "application/zip", IfGenerationMatch = 0 }, cancellationToken);
        }

        var record = card(version, $"gs://{stored.Bucket}/{stored.Name}");
        await WriteCardAsync(record, cancellationToken);
        await _documents.WriteBatchAsync([DocumentWrite.Upsert(Collection, VersionId(task, version), VersionFields(record))], cancellationToken);
        await UpdateHeadAsync(task, head => head.LatestVersion >= version ? null : Fields(head with { LatestVersion = version }), version, cancellationToken);
        return record;
    }

    /// <summary>Makes <paramref name="card"/>'s version the one serving predictions.</summary>
    public async Task PromoteAsync(ModelCard card, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        var promotedAt = _time.GetUtcNow();
        await UpdateHeadAsync(card.Task, head => Fields(head with
        {
            PromotedVersion = card.Version,
            PromotedArtifactUri = card.ArtifactUri,
            PromotedAt = promotedAt,
            LatestVersion = Math.Max(head.LatestVersion, card.Version),
        }), card.Version, cancellationToken);
    }

    /// <summary>Reads a version's card.</summary>
    public async Task<ModelCard> ReadCardAsync(string task, int version, CancellationToken cancellationToken = default)
    {
        await using var stream = await _objects.OpenReadAsync(_bucket, CardName(task, version), cancellationToken: cancellationToken);
        return await JsonSerializer.DeserializeAsync<ModelCard>(stream, ModelCard.Json, cancellationToken)
            ?? throw new InvalidDataException($"gs://{_bucket}/{CardName(task, version)} is empty.");
    }

    /// <summary>Opens a version's artifact.</summary>
    public Task<Stream> OpenArtifactAsync(string task, int version, CancellationToken cancellationToken = default) =>
        _objects.OpenReadAsync(_bucket, ArtifactName(task, version), cancellationToken: cancellationToken);

    private static string VersionId(string task, int version) => string.Create(CultureInfo.InvariantCulture, $"{task}.v{version}");

    private async Task WriteCardAsync(ModelCard card, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(card, ModelCard.Json), writable: false);
        await _objects.UploadAsync(_bucket, CardName(card.Task, card.Version), content, ObjectWriteOptions.CreateOnly("application/json"), cancellationToken);
    }

    /// <summary>Changes the head with a precondition on its update time, retrying when another writer got there first.</summary>
    private async Task UpdateHeadAsync(string task, Func<RegistryHead, IReadOnlyDictionary<string, object?>?> change, int version, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var document = await _documents.GetAsync(Collection, task, cancellationToken);
            if (document is null)
            {
                var fresh = change(new RegistryHead(task, 0, null, null, null, default));
                if (fresh is null || await _documents.CreateAsync(Collection, task, fresh, cancellationToken) is not null)
                {
                    return;
                }

                continue;
            }

            var fields = change(Head(task, document));
            if (fields is null || await _documents.ReplaceAsync(Collection, task, fields, document.UpdateTime, cancellationToken) is not null)
            {
                return;
            }
        }

        throw new TransientException($"The registry head of '{task}' kept changing while recording version {version}; retry.");
    }

    private static RegistryHead Head(string task, StoredDocument document) => new(
        task,
        (int)document.Get<long>("latest_version"),
        document.Fields.GetValueOrDefault("promoted_version") is long promoted ? (int)promoted : null,
        document.Get<string>("promoted_artifact_uri"),
        document.Fields.GetValueOrDefault("promoted_at") as DateTimeOffset?,
        document.UpdateTime);

    private static Dictionary<string, object?> Fields(RegistryHead head) => new()
    {
        ["task"] = head.Task,
        ["latest_version"] = (long)head.LatestVersion,
        ["promoted_version"] = head.PromotedVersion is { } v ? (long)v : null,
        ["promoted_artifact_uri"] = head.PromotedArtifactUri,
        ["promoted_at"] = head.PromotedAt,
    };

    private static Dictionary<string, object?> VersionFields(ModelCard card) => new()
    {
        ["task"] = card.Task,
        ["version"] = (long)card.Version,
        ["state"] = "registered",
        ["created_at"] = card.CreatedAt,
        ["run_id"] = card.RunId,
        ["artifact_uri"] = card.ArtifactUri,
        ["features"] = card.Features.Cast<object?>().ToList(),
        ["holdout_auc"] = card.Holdout.Auc,
        ["holdout_log_loss"] = card.Holdout.LogLoss,
        ["holdout_rows"] = card.Holdout.Count,
        ["baselines"] = card.Baselines.Select(b => (object?)new Dictionary<string, object?> { ["name"] = b.Name, ["auc"] = b.Auc, ["log_loss"] = b.LogLoss }).ToList(),
        ["training_rows"] = card.Lineage.Rows,
        ["training_set_hash"] = card.Lineage.ContentHash,
        ["training_query_hash"] = card.Lineage.QueryHash,
        ["training_sources"] = card.Lineage.Sources.Cast<object?>().ToList(),
        ["training_first_event"] = card.Lineage.FirstEvent,
        ["training_last_event"] = card.Lineage.LastEvent,
        ["promoted"] = card.Promoted,
        ["decision"] = card.Decision,
    };
}
