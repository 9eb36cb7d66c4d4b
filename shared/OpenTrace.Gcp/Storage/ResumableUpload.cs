using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OpenTrace.Core;
using OpenTrace.Core.Storage;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.Storage;

/// <summary>
/// Sends one resumable-upload session chunk by chunk. After a broken connection or a 429/5xx it asks the service how
/// many bytes it persisted (<c>Content-Range: bytes */total</c> → <c>308</c> with <c>Range</c>) and resends from there,
/// so only the current chunk is kept in memory and the source stream is read once.
/// </summary>
internal sealed class ResumableUpload(GcsObjectStore store, Uri session, string bucket, string name, long? ifGenerationMatch)
{
    private const int PermanentRedirect = 308;

    /// <summary>Uploads <paramref name="buffer"/>[0..<paramref name="filled"/>) and the rest of <paramref name="content"/>.</summary>
    public async Task<ObjectInfo> RunAsync(Stream content, byte[] buffer, int filled, ContentHasher hasher, CancellationToken cancellationToken)
    {
        long chunkStart = 0;
        var length = filled;
        while (true)
        {
            long? total = length < buffer.Length ? chunkStart + length : null;
            if (await SendChunkAsync(buffer, chunkStart, length, total, cancellationToken) is { } stored)
            {
                return stored;
            }

            chunkStart += length;
            length = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
            hasher.Append(buffer.AsSpan(0, length));
        }
    }

    /// <summary>Sends one chunk until the service has persisted all of it (null) or finalised the object.</summary>
    private async Task<ObjectInfo?> SendChunkAsync(byte[] buffer, long chunkStart, int length, long? total, CancellationToken cancellationToken)
    {
        var client = store.Client;
        var offset = 0;
        var failures = 0;
        while (true)
        {
            HttpResponseMessage response;
            try
            {
                var sent = await client.SendAsync(() => ChunkRequest(buffer, chunkStart, offset, length, total), idempotent: false, cancellationToken);
                response = sent.Response;
            }
            catch (TransientException e) when (e.InnerException is not null && ++failures < client.Backoff.MaxAttempts)
            {
                await client.Backoff.WaitAsync(failures, null, cancellationToken);
                var persisted = await QueryAsync(total, cancellationToken);
                if (persisted.Stored is not null)
                {
                    return persisted.Stored;
                }

                offset = OffsetIn(persisted.Bytes, chunkStart, length);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    return await ParseAsync(response, cancellationToken);
                }

                if (status == PermanentRedirect)
                {
                    var persisted = PersistedBytes(response);
                    if (persisted >= chunkStart + length)
                    {
                        return null;
                    }

                    offset = OffsetIn(persisted, chunkStart, length); // the service kept only part of the chunk
                    continue;
                }

                if (response.StatusCode == HttpStatusCode.PreconditionFailed)
                {
                    throw await store.PreconditionFailedAsync(bucket, name, ifGenerationMatch, cancellationToken);
                }

                if (GoogleRestClient.IsRetryableStatus(response.StatusCode) && ++failures < client.Backoff.MaxAttempts)
                {
                    await client.Backoff.WaitAsync(failures, response.Headers.RetryAfter?.Delta, cancellationToken);
                    var persisted = await QueryAsync(total, cancellationToken);
                    if (persisted.Stored is not null)
                    {
                        return persisted.Stored;
                    }

                    offset = OffsetIn(persisted.Bytes, chunkStart, length);
                    continue;
                }

                throw await GoogleRestClient.ToExceptionAsync(client, response, cancellationToken);
            }
        }
    }

    /// <summary>Asks how much of the upload the service has; a status query has no effect, so it is retried freely.</summary>
    private async Task<(long Bytes, ObjectInfo? Stored)> QueryAsync(long? total, CancellationToken cancellationToken)
    {
        var sent = await store.Client.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent([]) };
            request.Content.Headers.TryAddWithoutValidation("Content-Range", total is { } t ? $"bytes */{t.ToString(CultureInfo.InvariantCulture)}" : "bytes */*");
            return request;
        }, idempotent: true, cancellationToken);
        using var response = sent.Response;
        if (response.IsSuccessStatusCode)
        {
            return (-1, await ParseAsync(response, cancellationToken));
        }

        if ((int)response.StatusCode == PermanentRedirect)
        {
            return (PersistedBytes(response), null);
        }

        throw await GoogleRestClient.ToExceptionAsync(store.Client, response, cancellationToken);
    }

    private HttpRequestMessage ChunkRequest(byte[] buffer, long chunkStart, int offset, int length, long? total)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, session) { Content = new ByteArrayContent(buffer, offset, length - offset) };
        var from = chunkStart + offset;
        var to = chunkStart + length - 1;
        request.Content.Headers.TryAddWithoutValidation("Content-Range", (from > to, total) switch
        {
            (true, { } t) => $"bytes */{t.ToString(CultureInfo.InvariantCulture)}",
            (false, { } t) => string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/{t}"),
            (_, null) => string.Create(CultureInfo.InvariantCulture, $"bytes {from}-{to}/*"),
        });
        return request;
    }

    private static int OffsetIn(long persisted, long chunkStart, int length)
    {
        if (persisted < chunkStart || persisted > chunkStart + length)
        {
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"The resumable upload session reports {persisted} bytes persisted, outside the chunk {chunkStart}..{chunkStart + length} being sent; the upload cannot be resumed."));
        }

        return (int)(persisted - chunkStart);
    }

    /// <summary>The byte count from <c>Range: bytes=0-N</c> (N+1), or 0 when the service has nothing yet.</summary>
    private static long PersistedBytes(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Range", out var values))
        {
            return 0;
        }

        var range = values.First();
        var dash = range.LastIndexOf('-');
        return dash < 0 ? 0 : long.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture) + 1;
    }

    private static async Task<ObjectInfo> ParseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var doc = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        return GcsObjectStore.ParseObject(doc.RootElement);
    }
}
