using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpenTrace.Gcp.Tests.Fakes;

/// <summary>
/// An in-process Cloud Storage JSON API on Kestrel (127.0.0.1, free port), reached the way STORAGE_EMULATOR_HOST is:
/// media/multipart/resumable uploads (chunk PUTs, 308 + Range, status queries), metadata, alt=media downloads,
/// paged listing, deletes, ifGenerationMatch, md5Hash/crc32c. Faults can be injected: error statuses, a connection
/// killed half-way through an upload chunk, corrupted downloads.
/// </summary>
public sealed class FakeGcsServer : IAsyncDisposable
{
    private const int Quantum = 256 * 1024;

    private readonly WebApplication _app;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Bucket, string Name), List<StoredObject>> _objects = [];
    private readonly Dictionary<string, Session> _sessions = [];
    private readonly List<(string Method, string PathPart, int Status, int? RetryAfter)> _faults = [];
    private long _generation = 1_700_000_000_000_000;
    private int _breakChunkAfter = -1;

    private FakeGcsServer(WebApplication app) => _app = app;

    /// <summary>Base URL, as STORAGE_EMULATOR_HOST would hold it.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Most items per list page (the client asks for 1000).</summary>
    public int PageSize { get; set; } = 1000;

    /// <summary>When true, downloads flip one byte but announce the true checksum.</summary>
    public bool CorruptDownloads { get; set; }

    /// <summary>"METHOD path?query" of every request, in order.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Upload chunks whose connection was killed.</summary>
    public int KilledChunks { get; private set; }

    /// <summary>Resumable status queries (<c>Content-Range: bytes */...</c>) answered.</summary>
    public int StatusQueries { get; private set; }

    public static async Task<FakeGcsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeGcsServer(app);
        app.Run(async ctx =>
        {
            try
            {
                await server.HandleAsync(ctx);
            }
            catch (Exception e) when (!ctx.Response.HasStarted && e is not OperationCanceledException)
            {
                await WriteErrorAsync(ctx, 500, "fakeServerBug", e.ToString());
            }
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    /// <summary>The next <paramref name="times"/> requests with this method whose path contains <paramref name="pathPart"/> get <paramref name="status"/>.</summary>
    public void Fail(string method, string pathPart, int status, int times = 1, int? retryAfterSeconds = null)
    {
        lock (_lock)
        {
            for (var i = 0; i < times; i++)
            {
                _faults.Add((method, pathPart, status, retryAfterSeconds));
            }
        }
    }

    /// <summary>The next resumable chunk PUT is cut off after <paramref name="bytes"/> body bytes (the service keeps whole 256 KiB units).</summary>
    public void KillNextChunkAfter(int bytes) => _breakChunkAfter = bytes;

    /// <summary>Stores an object directly (test setup).</summary>
    public long Put(string bucket, string name, byte[] data, string contentType = "application/octet-stream")
    {
        lock (_lock)
        {
            return Store(bucket, name, data, contentType, new Dictionary<string, string>()).Generation;
        }
    }

    /// <summary>The live content of an object, or null.</summary>
    public byte[]? Content(string bucket, string name)
    {
        lock (_lock)
        {
            return Live(bucket, name)?.Data;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var raw = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var q = raw.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? raw : raw[..q];
        var query = QueryHelpers.ParseQuery(q < 0 ? string.Empty : raw[q..]);
        (string Method, string PathPart, int Status, int? RetryAfter)? fault = null;
        lock (_lock)
        {
            Requests.Add($"{ctx.Request.Method} {raw}");
            var index = _faults.FindIndex(f => f.Method == ctx.Request.Method && path.Contains(f.PathPart, StringComparison.Ordinal));
            if (index >= 0)
            {
                fault = _faults[index];
                _faults.RemoveAt(index);
            }
        }

        if (fault is { } injected)
        {
            if (injected.RetryAfter is { } seconds)
            {
                ctx.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await ctx.Request.Body.CopyToAsync(Stream.Null);
            await WriteErrorAsync(ctx, injected.Status, injected.Status == 429 ? "rateLimitExceeded" : "backendError", "Injected fault.");
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["storage", "v1", "b", var bucket, "o"] && ctx.Request.Method == "GET")
        {
            await ListAsync(ctx, Unescape(bucket), query);
        }
        else if (segments is ["storage", "v1", "b", var b, "o", var o])
        {
            var (bucketName, name) = (Unescape(b), Unescape(o));
            switch (ctx.Request.Method)
            {
                case "GET" when Q(query, "alt") == "media":
                    await DownloadAsync(ctx, bucketName, name, query);
                    break;
                case "GET":
                    await MetadataAsync(ctx, bucketName, name, query);
                    break;
                case "DELETE":
                    await DeleteAsync(ctx, bucketName, name, query);
                    break;
                default:
                    await WriteErrorAsync(ctx, 405, "methodNotAllowed", "Method not allowed.");
                    break;
            }
        }
        else if (segments is ["upload", "storage", "v1", "b", var ub, "o"])
        {
            var bucketName = Unescape(ub);
            switch ((ctx.Request.Method, Q(query, "uploadType")))
            {
                case ("POST", "multipart"):
                    await MultipartAsync(ctx, bucketName, query);
                    break;
                case ("POST", "media"):
                    await MediaAsync(ctx, bucketName, query);
                    break;
                case ("POST", "resumable"):
                    await StartSessionAsync(ctx, bucketName, query);
                    break;
                case ("PUT", "resumable"):
                    await ChunkAsync(ctx, Q(query, "upload_id"));
                    break;
                default:
                    await WriteErrorAsync(ctx, 400, "invalid", "Unsupported upload.");
                    break;
            }
        }
        else
        {
            await WriteErrorAsync(ctx, 404, "notFound", $"Not Found: {path}");
        }
    }

    private async Task ListAsync(HttpContext ctx, string bucket, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        var prefix = Q(query, "prefix");
        var token = Q(query, "pageToken");
        var max = Math.Min(PageSize, int.TryParse(Q(query, "maxResults"), CultureInfo.InvariantCulture, out var m) ? m : 1000);
        List<StoredObject> page;
        bool more;
        lock (_lock)
        {
            var live = _objects.Where(kv => kv.Key.Bucket == bucket && kv.Key.Name.StartsWith(prefix, StringComparison.Ordinal) && kv.Value[^1].Live)
                .Select(kv => kv.Value[^1])
                .Where(x => token.Length == 0 || string.CompareOrdinal(x.Name, token) > 0)
                .OrderBy(x => x.Name, StringComparer.Ordinal)
                .ToList();
            page = live.Take(max).ToList();
            more = live.Count > max;
        }

        var json = new JsonObject { ["kind"] = "storage#objects", ["items"] = new JsonArray(page.Select(x => (JsonNode)Resource(x)).ToArray()) };
        if (more)
        {
            json["nextPageToken"] = page[^1].Name;
        }

        await WriteJsonAsync(ctx, 200, json);
    }

    private async Task MetadataAsync(HttpContext ctx, string bucket, string name, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        StoredObject? found;
        lock (_lock)
        {
            found = Find(bucket, name, query);
        }

        if (found is null)
        {
            await WriteErrorAsync(ctx, 404, "notFound", $"No such object: {bucket}/{name}");
            return;
        }

        await WriteJsonAsync(ctx, 200, Resource(found));
    }

    private async Task DownloadAsync(HttpContext ctx, string bucket, string name, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        StoredObject? found;
        lock (_lock)
        {
            found = Find(bucket, name, query);
        }

        if (found is null)
        {
            await WriteErrorAsync(ctx, 404, "notFound", $"No such object: {bucket}/{name}");
            return;
        }

        var data = found.Data.ToArray();
        if (CorruptDownloads && data.Length > 0)
        {
            data[data.Length / 2] ^= 0x5A;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = found.ContentType;
        ctx.Response.ContentLength = data.Length;
        ctx.Response.Headers["x-goog-hash"] = $"crc32c={found.Crc32C},md5={found.Md5}";
        ctx.Response.Headers["x-goog-generation"] = found.Generation.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers["x-goog-stored-content-encoding"] = "identity";
        await ctx.Response.Body.WriteAsync(data);
    }

    private async Task DeleteAsync(HttpContext ctx, string bucket, string name, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        int status;
        lock (_lock)
        {
            var live = Live(bucket, name);
            if (!PreconditionHolds(live, query))
            {
                status = 412;
            }
            else if (live is null)
            {
                status = 404;
            }
            else
            {
                live.Live = false;
                status = 204;
            }
        }

        if (status == 204)
        {
            ctx.Response.StatusCode = 204;
            return;
        }

        await WriteErrorAsync(ctx, status, status == 412 ? "conditionNotMet" : "notFound", status == 412 ? "At least one of the pre-conditions you specified did not hold." : $"No such object: {bucket}/{name}");
    }

    private async Task MultipartAsync(HttpContext ctx, string bucket, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        var boundary = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(Microsoft.Net.Http.Headers.MediaTypeHeaderValue.Parse(ctx.Request.ContentType).Boundary).Value!;
        var reader = new MultipartReader(boundary, ctx.Request.Body);
        var metaSection = await reader.ReadNextSectionAsync() ?? throw new InvalidOperationException("no metadata part");
        var meta = JsonNode.Parse(await new StreamReader(metaSection.Body).ReadToEndAsync())!.AsObject();
        var mediaSection = await reader.ReadNextSectionAsync() ?? throw new InvalidOperationException("no media part");
        using var data = new MemoryStream();
        await mediaSection.Body.CopyToAsync(data);
        var bytes = data.ToArray();
        if (meta["crc32c"]?.GetValue<string>() is { } crc && crc != ReferenceCrc32C.Base64(bytes))
        {
            await WriteErrorAsync(ctx, 400, "invalid", "Provided CRC32C \"" + crc + "\" doesn't match calculated CRC32C.");
            return;
        }

        if (meta["md5Hash"]?.GetValue<string>() is { } md5 && md5 != Convert.ToBase64String(MD5.HashData(bytes)))
        {
            await WriteErrorAsync(ctx, 400, "invalid", "Provided MD5 hash doesn't match calculated MD5 hash.");
            return;
        }

        await FinishAsync(ctx, bucket, meta["name"]!.GetValue<string>(), bytes, meta["contentType"]?.GetValue<string>() ?? mediaSection.ContentType ?? "application/octet-stream", Metadata(meta), Q(query, "ifGenerationMatch"));
    }

    private async Task MediaAsync(HttpContext ctx, string bucket, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        using var data = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(data);
        await FinishAsync(ctx, bucket, Q(query, "name"), data.ToArray(), ctx.Request.ContentType ?? "application/octet-stream", [], Q(query, "ifGenerationMatch"));
    }

    private async Task StartSessionAsync(HttpContext ctx, string bucket, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        var meta = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!.AsObject();
        var id = Guid.NewGuid().ToString("N");
        var contentType = meta["contentType"]?.GetValue<string>() ?? ctx.Request.Headers["X-Upload-Content-Type"].ToString();
        lock (_lock)
        {
            _sessions[id] = new Session(bucket, meta["name"]!.GetValue<string>(), contentType, Metadata(meta), Q(query, "ifGenerationMatch"));
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.Headers.Location = $"{BaseUrl}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable&upload_id={id}";
    }

    private async Task ChunkAsync(HttpContext ctx, string id)
    {
        Session? session;
        lock (_lock)
        {
            _sessions.TryGetValue(id, out session);
        }

        if (session is null)
        {
            await WriteErrorAsync(ctx, 404, "notFound", "No such upload session.");
            return;
        }

        var range = ctx.Request.Headers.ContentRange.ToString();
        if (!range.StartsWith("bytes ", StringComparison.Ordinal))
        {
            await WriteErrorAsync(ctx, 400, "invalid", "Content-Range is required.");
            return;
        }

        var spec = range["bytes ".Length..];
        var slash = spec.IndexOf('/', StringComparison.Ordinal);
        var totalText = spec[(slash + 1)..];
        long? total = totalText == "*" ? null : long.Parse(totalText, CultureInfo.InvariantCulture);
        if (spec.StartsWith('*'))
        {
            StatusQueries++;
            if (session.Stored is not null)
            {
                await WriteJsonAsync(ctx, 200, Resource(session.Stored));
                return;
            }

            if (total is { } t && t == session.Data.Length)
            {
                await FinalizeAsync(ctx, session);
                return;
            }

            Incomplete(ctx, session);
            return;
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        var from = long.Parse(spec[..dash], CultureInfo.InvariantCulture);
        var to = long.Parse(spec[(dash + 1)..slash], CultureInfo.InvariantCulture);
        if (from > session.Data.Length)
        {
            await WriteErrorAsync(ctx, 400, "invalid", $"Chunk starts at {from} but only {session.Data.Length} bytes were received.");
            return;
        }

        if (total is null && (to - from + 1) % Quantum != 0)
        {
            await WriteErrorAsync(ctx, 400, "invalid", "Non-final chunks must be a multiple of 256 KiB.");
            return;
        }

        var breakAfter = Interlocked.Exchange(ref _breakChunkAfter, -1);
        var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var want = breakAfter >= 0 ? (int)Math.Min(buffer.Length, breakAfter - body.Length) : buffer.Length;
            if (want == 0)
            {
                break;
            }

            var n = await ctx.Request.Body.ReadAsync(buffer.AsMemory(0, want));
            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        var received = body.ToArray();
        var skip = (int)(session.Data.Length - from); // bytes already persisted that the client resent
        if (breakAfter >= 0)
        {
            var keep = (session.Data.Length + received.Length - skip) / Quantum * Quantum - session.Data.Length;
            if (keep > 0)
            {
                session.Data.Write(received, skip, (int)keep);
            }

            KilledChunks++;
            ctx.Abort();
            return;
        }

        session.Data.Write(received, skip, received.Length - skip);
        if (total is { } length && session.Data.Length == length)
        {
            await FinalizeAsync(ctx, session);
            return;
        }

        Incomplete(ctx, session);
    }

    private async Task FinalizeAsync(HttpContext ctx, Session session)
    {
        var stored = await FinishAsync(ctx, session.Bucket, session.Name, session.Data.ToArray(), session.ContentType, session.Metadata, session.IfGenerationMatch);
        session.Stored = stored;
    }

    private static void Incomplete(HttpContext ctx, Session session)
    {
        ctx.Response.StatusCode = 308;
        if (session.Data.Length > 0)
        {
            ctx.Response.Headers.Range = $"bytes=0-{(session.Data.Length - 1).ToString(CultureInfo.InvariantCulture)}";
        }
    }

    private async Task<StoredObject?> FinishAsync(HttpContext ctx, string bucket, string name, byte[] data, string contentType, Dictionary<string, string> metadata, string ifGenerationMatch)
    {
        StoredObject? stored = null;
        lock (_lock)
        {
            var query = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { ["ifGenerationMatch"] = ifGenerationMatch };
            if (PreconditionHolds(Live(bucket, name), query))
            {
                stored = Store(bucket, name, data, contentType, metadata);
            }
        }

        if (stored is null)
        {
            await WriteErrorAsync(ctx, 412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
            return null;
        }

        await WriteJsonAsync(ctx, 200, Resource(stored));
        return stored;
    }

    private StoredObject Store(string bucket, string name, byte[] data, string contentType, Dictionary<string, string> metadata)
    {
        var now = DateTimeOffset.UtcNow;
        var stored = new StoredObject(bucket, name, ++_generation, data, contentType, metadata, now, ReferenceCrc32C.Base64(data), Convert.ToBase64String(MD5.HashData(data)));
        if (!_objects.TryGetValue((bucket, name), out var versions))
        {
            _objects[(bucket, name)] = versions = [];
        }

        if (versions.Count > 0)
        {
            versions[^1].Live = false;
        }

        versions.Add(stored);
        return stored;
    }

    private StoredObject? Live(string bucket, string name) =>
        _objects.TryGetValue((bucket, name), out var versions) && versions[^1].Live ? versions[^1] : null;

    private StoredObject? Find(string bucket, string name, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        if (query.TryGetValue("generation", out var g) && g.Count > 0)
        {
            var generation = long.Parse(g.ToString(), CultureInfo.InvariantCulture);
            return _objects.TryGetValue((bucket, name), out var versions) ? versions.FirstOrDefault(v => v.Generation == generation) : null;
        }

        return Live(bucket, name);
    }

    private static bool PreconditionHolds(StoredObject? live, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        if (!query.TryGetValue("ifGenerationMatch", out var value) || string.IsNullOrEmpty(value))
        {
            return true;
        }

        var expected = long.Parse(value.ToString(), CultureInfo.InvariantCulture);
        return expected == 0 ? live is null : live?.Generation == expected;
    }

    private static JsonObject Resource(StoredObject o)
    {
        var json = new JsonObject
        {
            ["kind"] = "storage#object",
            ["id"] = $"{o.Bucket}/{o.Name}/{o.Generation}",
            ["name"] = o.Name,
            ["bucket"] = o.Bucket,
            ["generation"] = o.Generation.ToString(CultureInfo.InvariantCulture),
            ["metageneration"] = "1",
            ["contentType"] = o.ContentType,
            ["storageClass"] = "STANDARD",
            ["size"] = o.Data.Length.ToString(CultureInfo.InvariantCulture),
            ["md5Hash"] = o.Md5,
            ["crc32c"] = o.Crc32C,
            ["etag"] = "CKih16GjycICEAE=",
            ["timeCreated"] = o.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["updated"] = o.Created.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (o.Metadata.Count > 0)
        {
            json["metadata"] = new JsonObject(o.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        }

        return json;
    }

    private static Dictionary<string, string> Metadata(JsonObject meta) =>
        meta["metadata"] is JsonObject m ? m.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>()) : [];

    private static string Q(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, string key) =>
        query.TryGetValue(key, out var value) ? value.ToString() : string.Empty;

    private static string Unescape(string segment) => Uri.UnescapeDataString(segment);

    private static string Error(int code, string reason, string message) =>
        new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason }),
            },
        }.ToJsonString();

    private static Task WriteErrorAsync(HttpContext ctx, int status, string reason, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        return ctx.Response.WriteAsync(Error(status, reason, message));
    }

    private static Task WriteJsonAsync(HttpContext ctx, int status, JsonNode json)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=UTF-8";
        return ctx.Response.WriteAsync(json.ToJsonString(), Encoding.UTF8);
    }

    private sealed record StoredObject(string Bucket, string Name, long Generation, byte[] Data, string ContentType, Dictionary<string, string> Metadata, DateTimeOffset Created, string Crc32C, string Md5)
    {
        public bool Live { get; set; } = true;
    }

    private sealed class Session(string bucket, string name, string contentType, Dictionary<string, string> metadata, string ifGenerationMatch)
    {
        public string Bucket { get; } = bucket;

        public string Name { get; } = name;

        public string ContentType { get; } = contentType;

        public Dictionary<string, string> Metadata { get; } = metadata;

        public string IfGenerationMatch { get; } = ifGenerationMatch;

        public MemoryStream Data { get; } = new();

        public StoredObject? Stored { get; set; }
    }
}
