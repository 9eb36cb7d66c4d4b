using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core;
using OpenTrace.Core.Storage;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over the Cloud Storage JSON API. Content that fits in one chunk goes in a single
/// multipart request carrying its CRC32C and MD5, so the service verifies it; larger content goes as a resumable upload
/// in chunks of <see cref="GcpOptions.UploadChunkSize"/>, resumed from the persisted offset after a broken connection.
/// Downloads verify the announced CRC32C. Honours <c>STORAGE_EMULATOR_HOST</c> through <see cref="GcpOptions.StorageEmulatorHost"/>.
/// </summary>
public sealed class GcsObjectStore : IObjectStore
{
    /// <summary>The public endpoint.</summary>
    public const string DefaultEndpoint = "https://storage.googleapis.com";

    private const string ServiceName = "Cloud Storage";

    private readonly GoogleRestClient _client;
    private readonly string _endpoint;
    private readonly int _chunkSize;

    /// <summary>Creates the store. <paramref name="httpClient"/> is kept for the store's lifetime (register as a singleton).</summary>
    public GcsObjectStore(HttpClient httpClient, GcpOptions options, IAccessTokenSource tokenSource)
        : this(new GoogleRestClient(httpClient, tokenSource, Backoff.From(options), ServiceName), options)
    {
    }

    internal GcsObjectStore(GoogleRestClient client, GcpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _endpoint = (string.IsNullOrWhiteSpace(options.StorageEmulatorHost) ? DefaultEndpoint : options.StorageEmulatorHost).TrimEnd('/');
        _chunkSize = options.UploadChunkSize;
    }

    /// <inheritdoc />
    public async Task<ObjectInfo?> GetAsync(string bucket, string name, CancellationToken cancellationToken = default)
    {
        Validate(bucket, name);
        var result = await _client.JsonAsync(HttpMethod.Get, ObjectUrl(bucket, name), null, idempotent: true, cancellationToken);
        return result.Status == HttpStatusCode.NotFound ? null : ParseObject(result.EnsureSuccess(_client));
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string bucket, string name, long? generation = null, CancellationToken cancellationToken = default)
    {
        Validate(bucket, name);
        var url = ObjectUrl(bucket, name) + "?alt=media" + (generation is { } g ? "&generation=" + Invariant(g) : string.Empty);
        var sent = await _client.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), idempotent: true, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        var response = sent.Response;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            throw new ObjectNotFoundException(bucket, name, generation);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await GoogleRestClient.ToExceptionAsync(_client, response, cancellationToken);
            }
        }

        // A gzip-stored object served decompressed no longer matches the stored checksum.
        var transcoded = response.Headers.TryGetValues("x-goog-stored-content-encoding", out var encodings) && encodings.Any(e => e != "identity");
        var crc = response.Headers.TryGetValues("x-goog-hash", out var hashes) && !transcoded ? GoogHash.Parse(hashes).Crc32C : null;
        var what = ObjectRef.ToUri(bucket, name) + (generation is { } gen ? "#" + Invariant(gen) : string.Empty);
        return new VerifyingReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), response, crc, what);
    }

    /// <inheritdoc />
    public async Task<ObjectInfo> UploadAsync(string bucket, string name, Stream content, ObjectWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        Validate(bucket, name);
        ArgumentNullException.ThrowIfNull(content);
        options ??= new ObjectWriteOptions();
        var contentType = options.ContentType ?? ContentTypes.FromName(name);
        using var hasher = new ContentHasher();
        var buffer = new byte[_chunkSize];
        var first = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        hasher.Append(buffer.AsSpan(0, first));
        ObjectInfo stored;
        if (first < buffer.Length)
        {
            stored = await UploadInOneRequestAsync(bucket, name, buffer.AsMemory(0, first), contentType, options, hasher, cancellationToken);
            return stored;
        }

        var session = await StartResumableAsync(bucket, name, contentType, options, cancellationToken);
        stored = await new ResumableUpload(this, session, bucket, name, options.IfGenerationMatch)
            .RunAsync(content, buffer, first, hasher, cancellationToken);
        await VerifyAsync(stored, hasher.Crc32CBase64, hasher.FinishMd5Base64(), cancellationToken);
        return stored;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        string? pageToken = null;
        do
        {
            var url = new StringBuilder($"{_endpoint}/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?maxResults=1000");
            if (!string.IsNullOrEmpty(prefix))
            {
                url.Append("&prefix=").Append(Uri.EscapeDataString(prefix));
            }

            if (pageToken is not null)
            {
                url.Append("&pageToken=").Append(Uri.EscapeDataString(pageToken));
            }

            var page = (await _client.JsonAsync(HttpMethod.Get, url.ToString(), null, idempotent: true, cancellationToken)).EnsureSuccess(_client);
            if (page.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    yield return ParseObject(item);
                }
            }

            pageToken = page.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(pageToken));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string bucket, string name, long? ifGenerationMatch = null, CancellationToken cancellationToken = default)
    {
        Validate(bucket, name);
        var url = ObjectUrl(bucket, name) + (ifGenerationMatch is { } g ? "?ifGenerationMatch=" + Invariant(g) : string.Empty);

        // Without a precondition a retried delete could report "absent" for our own earlier success, so only retry with one.
        var result = await _client.JsonAsync(HttpMethod.Delete, url, null, idempotent: ifGenerationMatch is not null, cancellationToken);
        if (result.IsSuccess)
        {
            return true;
        }

        return result.Status switch
        {
            HttpStatusCode.NotFound when ifGenerationMatch is null || result.Attempts == 1 => false,
            HttpStatusCode.NotFound => true, // an earlier attempt of ours deleted it
            HttpStatusCode.PreconditionFailed => throw await PreconditionFailedAsync(bucket, name, ifGenerationMatch, cancellationToken),
            _ => throw _client.ToException(result.Method, result.Uri, result.Error!),
        };
    }

    internal GoogleRestClient Client => _client;

    internal string Endpoint => _endpoint;

    internal static ObjectInfo ParseObject(JsonElement o)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (o.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in m.EnumerateObject())
            {
                metadata[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        var created = Time(o, "timeCreated");
        return new ObjectInfo(
            o.GetProperty("bucket").GetString()!,
            o.GetProperty("name").GetString()!,
            Long(o, "generation"),
            Long(o, "metageneration"),
            Long(o, "size"),
            o.TryGetProperty("contentType", out var ct) ? ct.GetString() : null,
            created,
            o.TryGetProperty("updated", out _) ? Time(o, "updated") : created,
            o.TryGetProperty("md5Hash", out var md5) ? md5.GetString() : null,
            o.TryGetProperty("crc32c", out var crc) ? crc.GetString() : null,
            metadata);
    }

    internal async Task<PreconditionFailedException> PreconditionFailedAsync(string bucket, string name, long? expected, CancellationToken cancellationToken)
    {
        long? actual = null;
        try
        {
            actual = (await GetAsync(bucket, name, cancellationToken))?.Generation;
        }
        catch (Exception e) when (e is GcpApiException or TransientException)
        {
            // the live generation only improves the message
        }

        return new PreconditionFailedException(bucket, name, expected, actual);
    }

    private async Task<ObjectInfo> UploadInOneRequestAsync(
        string bucket, string name, ReadOnlyMemory<byte> data, string contentType, ObjectWriteOptions options, ContentHasher hasher, CancellationToken cancellationToken)
    {
        var crc = hasher.Crc32CBase64;
        var md5 = hasher.FinishMd5Base64();
        var metadata = Metadata(name, contentType, options);
        metadata["crc32c"] = crc; // the service rejects the upload when the bytes it received do not match
        metadata["md5Hash"] = md5;
        var json = metadata.ToJsonString();
        var url = $"{_endpoint}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=multipart" + Precondition(options);
        var result = await SendParsedAsync(() =>
        {
            var multipart = new MultipartContent("related");
            multipart.Add(new StringContent(json, Encoding.UTF8, GoogleRestClient.JsonMediaType));
            var media = new ReadOnlyMemoryContent(data);
            media.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            multipart.Add(media);
            return new HttpRequestMessage(HttpMethod.Post, url) { Content = multipart };
        }, idempotent: options.IfGenerationMatch is not null, cancellationToken);

        if (result.Status == HttpStatusCode.PreconditionFailed)
        {
            // A retried create whose first attempt landed sees its own object: same bytes, so it is ours.
            if (result.Attempts > 1 && await GetAsync(bucket, name, cancellationToken) is { } live && live.Crc32c == crc && live.Md5Hash == md5)
            {
                return live;
            }

            throw await PreconditionFailedAsync(bucket, name, options.IfGenerationMatch, cancellationToken);
        }

        var stored = ParseObject(result.EnsureSuccess(_client));
        await VerifyAsync(stored, crc, md5, cancellationToken);
        return stored;
    }

    private async Task<Uri> StartResumableAsync(string bucket, string name, string contentType, ObjectWriteOptions options, CancellationToken cancellationToken)
    {
        var json = Metadata(name, contentType, options).ToJsonString();
        var url = $"{_endpoint}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable" + Precondition(options);

        // Starting a session has no effect until data is sent, so it is always safe to retry.
        var sent = await _client.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, GoogleRestClient.JsonMediaType) };
            request.Headers.TryAddWithoutValidation("X-Upload-Content-Type", contentType);
            return request;
        }, idempotent: true, cancellationToken);
        using var response = sent.Response;
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw await PreconditionFailedAsync(bucket, name, options.IfGenerationMatch, cancellationToken);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await GoogleRestClient.ToExceptionAsync(_client, response, cancellationToken);
        }

        return response.Headers.Location ?? throw new GcpApiException(ServiceName, HttpMethod.Post, new Uri(url),
            new GoogleApiError((int)response.StatusCode, null, "The resumable upload answer carried no Location header.", null, null));
    }

    private async Task<JsonResult> SendParsedAsync(Func<HttpRequestMessage> create, bool idempotent, CancellationToken cancellationToken)
    {
        var sent = await _client.SendAsync(create, idempotent, cancellationToken);
        using var response = sent.Response;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var uri = response.RequestMessage?.RequestUri ?? new Uri(_endpoint);
        return response.IsSuccessStatusCode
            ? new JsonResult(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), null, sent.Attempts, HttpMethod.Post, uri)
            : new JsonResult(response.StatusCode, default, GoogleApiError.Parse(response.StatusCode, text), sent.Attempts, HttpMethod.Post, uri);
    }

    /// <summary>Compares what the service stored with what was sent; a mismatch deletes that generation and throws.</summary>
    private async Task VerifyAsync(ObjectInfo stored, string crc, string md5, CancellationToken cancellationToken)
    {
        var crcOk = stored.Crc32c is null || stored.Crc32c == crc;
        var md5Ok = stored.Md5Hash is null || stored.Md5Hash == md5;
        if (crcOk && md5Ok)
        {
            return;
        }

        await DeleteAsync(stored.Bucket, stored.Name, stored.Generation, cancellationToken);
        throw new TransientException(
            $"Upload of {stored.Uri} was corrupted in transit: sent CRC32C {crc} / MD5 {md5}, stored {stored.Crc32c} / {stored.Md5Hash}. The bad generation {stored.Generation} was deleted; retry the upload.");
    }

    private static JsonObject Metadata(string name, string contentType, ObjectWriteOptions options)
    {
        var json = new JsonObject { ["name"] = name, ["contentType"] = contentType };
        if (options.Metadata is { Count: > 0 } custom)
        {
            var meta = new JsonObject();
            foreach (var (key, value) in custom)
            {
                meta[key] = value;
            }

            json["metadata"] = meta;
        }

        return json;
    }

    private static string Precondition(ObjectWriteOptions options) =>
        options.IfGenerationMatch is { } g ? "&ifGenerationMatch=" + Invariant(g) : string.Empty;

    private string ObjectUrl(string bucket, string name) =>
        $"{_endpoint}/storage/v1/b/{Uri.EscapeDataString(bucket)}/o/{Uri.EscapeDataString(name)}";

    private static void Validate(string bucket, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentException.ThrowIfNullOrEmpty(name);
    }

    private static long Long(JsonElement o, string property) =>
        o.TryGetProperty(property, out var v)
            ? v.ValueKind == JsonValueKind.Number ? v.GetInt64() : long.Parse(v.GetString()!, CultureInfo.InvariantCulture)
            : 0;

    private static DateTimeOffset Time(JsonElement o, string property) =>
        DateTimeOffset.Parse(o.GetProperty(property).GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
