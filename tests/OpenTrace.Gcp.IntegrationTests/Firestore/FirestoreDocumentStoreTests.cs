using System.Net.Http.Headers;
using System.Text.Json;
using OpenTrace.Core.Claims;
using OpenTrace.Core.Documents;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.IntegrationTests.Firestore;

[Collection(FirestoreEmulatorCollection.Name)]
public sealed class FirestoreDocumentStoreTests
{
    private readonly FirestoreEmulatorFixture _emulator;
    private readonly GcpOptions _options;
    private readonly FirestoreDocumentStore _store;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public FirestoreDocumentStoreTests(FirestoreEmulatorFixture emulator)
    {
        _emulator = emulator;
        emulator.SkipIfUnavailable();

        // A project per test keeps tests apart on the shared emulator.
        _options = new GcpOptions { ProjectId = $"test-{Guid.NewGuid():N}"[..24], Region = "europe-west1", FirestoreEmulatorHost = emulator.HostPort, InitialBackoff = TimeSpan.FromMilliseconds(10) };
        _store = Store();
    }

    [Fact]
    public async Task Create_ThenGet_ReturnsTheFieldsAndServerTimes()
    {
        Assert.Null(await _store.GetAsync("runs", "r1", _ct));

        var created = await _store.CreateAsync("runs", "r1", new Dictionary<string, object?> { ["state"] = "running", ["rows"] = 12 }, _ct);
        var read = await _store.GetAsync("runs", "r1", _ct);

        Assert.NotNull(created);
        Assert.NotNull(read);
        Assert.Equal("running", read.Get<string>("state"));
        Assert.Equal(12L, read.Fields["rows"]);
        Assert.Equal(created.UpdateTime, read.UpdateTime);
        Assert.Equal(read.CreateTime, read.UpdateTime);
    }

    [Fact]
    public async Task Create_WhenTheDocumentExists_ReturnsNullAndLeavesItUnchanged()
    {
        await _store.CreateAsync("claims", "k", new Dictionary<string, object?> { ["owner"] = "first" }, _ct);

        var second = await _store.CreateAsync("claims", "k", new Dictionary<string, object?> { ["owner"] = "second" }, _ct);

        Assert.Null(second);
        Assert.Equal("first", (await _store.GetAsync("claims", "k", _ct))!.Get<string>("owner"));
    }

    [Fact]
    public async Task Replace_HonoursTheUpdateTimePrecondition()
    {
        var created = (await _store.CreateAsync("leases", "l", new Dictionary<string, object?> { ["v"] = 1 }, _ct))!;

        var replaced = await _store.ReplaceAsync("leases", "l", new Dictionary<string, object?> { ["v"] = 2 }, created.UpdateTime, _ct);
        var stale = await _store.ReplaceAsync("leases", "l", new Dictionary<string, object?> { ["v"] = 3 }, created.UpdateTime, _ct);
        var absent = await _store.ReplaceAsync("leases", "nobody", new Dictionary<string, object?> { ["v"] = 4 }, created.UpdateTime, _ct);

        Assert.NotNull(replaced);
        Assert.True(replaced.UpdateTime > created.UpdateTime);
        Assert.Equal(created.CreateTime, replaced.CreateTime);
        Assert.Null(stale);
        Assert.Null(absent);
        Assert.Equal(2L, (await _store.GetAsync("leases", "l", _ct))!.Fields["v"]);
    }

    [Fact]
    public async Task Replace_TwoWritersWithTheSameUpdateTime_ExactlyOneWins()
    {
        var created = (await _store.CreateAsync("leases", "race", new Dictionary<string, object?> { ["owner"] = "none" }, _ct))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            _store.ReplaceAsync("leases", "race", new Dictionary<string, object?> { ["owner"] = $"w{i}" }, created.UpdateTime, _ct)));

        var winner = Assert.Single(results, r => r is not null);
        Assert.Equal(winner!.Get<string>("owner"), (await _store.GetAsync("leases", "race", _ct))!.Get<string>("owner"));
    }

    [Fact]
    public async Task GetMany_ReturnsOneEntryPerIdInOrder_WithNullForAbsent()
    {
        await _store.WriteBatchAsync(
        [
            DocumentWrite.Upsert("online", "a", new Dictionary<string, object?> { ["n"] = 1 }),
            DocumentWrite.Upsert("online", "c", new Dictionary<string, object?> { ["n"] = 3 }),
        ], _ct);

        var docs = await _store.GetManyAsync("online", ["c", "b", "a", "c"], _ct);

        Assert.Equal([3L, null, 1L, 3L], docs.Select(d => d?.Fields["n"]));
        Assert.Empty(await _store.GetManyAsync("online", [], _ct));
    }

    [Fact]
    public async Task WriteBatch_UpsertsReplaceWholeDocumentsAndDeletesApplyTogether()
    {
        await _store.WriteBatchAsync(
        [
            DocumentWrite.Upsert("online", "x", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 }),
            DocumentWrite.Upsert("online", "gone", new Dictionary<string, object?> { ["a"] = 1 }),
        ], _ct);

        await _store.WriteBatchAsync(
        [
            DocumentWrite.Upsert("online", "x", new Dictionary<string, object?> { ["a"] = 10 }),
            DocumentWrite.Delete("online", "gone"),
            DocumentWrite.Upsert("online", "y", new Dictionary<string, object?> { ["a"] = 5 }),
        ], _ct);

        var x = (await _store.GetAsync("online", "x", _ct))!;
        Assert.Equal(new Dictionary<string, object?> { ["a"] = 10L }, x.Fields);
        Assert.Null(await _store.GetAsync("online", "gone", _ct));
        Assert.NotNull(await _store.GetAsync("online", "y", _ct));
    }

    [Fact]
    public async Task WriteBatch_OneInvalidWrite_AppliesNone()
    {
        var tooBig = new string('x', 1_100_000); // over Firestore's 1 MiB document limit

        await Assert.ThrowsAsync<GcpApiException>(() => _store.WriteBatchAsync(
        [
            DocumentWrite.Upsert("online", "ok", new Dictionary<string, object?> { ["a"] = 1 }),
            DocumentWrite.Upsert("online", "big", new Dictionary<string, object?> { ["blob"] = tooBig }),
        ], _ct));

        Assert.Null(await _store.GetAsync("online", "ok", _ct));
    }

    [Fact]
    public async Task Fields_RoundTripEveryValueType()
    {
        var when = new DateTimeOffset(2024, 6, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234560); // microsecond precision
        var fields = new Dictionary<string, object?>
        {
            ["text"] = "São Paulo",
            ["int"] = 42,
            ["long"] = long.MaxValue,
            ["double"] = 0.1 + 0.2,
            ["float"] = 1.5f,
            ["nan"] = double.NaN,
            ["flag"] = true,
            ["none"] = null,
            ["when"] = when,
            ["bytes"] = new byte[] { 0, 255, 7 },
            ["list"] = new List<object?> { "a", 1L, null, new Dictionary<string, object?> { ["in"] = "list" } },
            ["map"] = new Dictionary<string, object?> { ["nested"] = new Dictionary<string, object?> { ["deep"] = 3L }, ["empty"] = new List<object?>() },
        };

        await _store.CreateAsync("types", "all", fields, _ct);
        var read = (await _store.GetAsync("types", "all", _ct))!.Fields;

        Assert.Equal("São Paulo", read["text"]);
        Assert.Equal(42L, read["int"]);
        Assert.Equal(long.MaxValue, read["long"]);
        Assert.Equal(0.1 + 0.2, read["double"]);
        Assert.Equal(1.5, read["float"]);
        Assert.True(double.IsNaN((double)read["nan"]!));
        Assert.Equal(true, read["flag"]);
        Assert.True(read.ContainsKey("none"));
        Assert.Null(read["none"]);
        Assert.Equal(when, read["when"]);
        Assert.Equal(new byte[] { 0, 255, 7 }, read["bytes"]);
        var list = Assert.IsAssignableFrom<IReadOnlyList<object?>>(read["list"]);
        Assert.Equal(["a", 1L, null], list.Take(3));
        Assert.Equal("list", Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(list[3])["in"]);
        var map = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(read["map"]);
        Assert.Equal(3L, Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(map["nested"])["deep"]);
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyList<object?>>(map["empty"]));
    }

    [Fact]
    public async Task Delete_ReportsWhetherTheDocumentExisted()
    {
        await _store.CreateAsync("tmp", "d", new Dictionary<string, object?> { ["a"] = 1 }, _ct);

        Assert.True(await _store.DeleteAsync("tmp", "d", _ct));
        Assert.False(await _store.DeleteAsync("tmp", "d", _ct));
        Assert.Null(await _store.GetAsync("tmp", "d", _ct));
    }

    [Fact]
    public async Task TtlField_IsStoredAsATimestamp_AndExpiredDocumentsReadAsAbsent()
    {
        var past = DateTimeOffset.UtcNow.AddMinutes(-1);
        var future = DateTimeOffset.UtcNow.AddHours(1);
        await _store.WriteBatchAsync(
        [
            DocumentWrite.Upsert("features", "stale", new Dictionary<string, object?> { ["score"] = 0.4, ["expire_at"] = past }),
            DocumentWrite.Upsert("features", "fresh", new Dictionary<string, object?> { ["score"] = 0.9, ["expire_at"] = future }),
        ], _ct);

        Assert.Null(await _store.GetAsync("features", "stale", _ct));
        Assert.NotNull(await _store.GetAsync("features", "fresh", _ct));
        Assert.Equal([null, 0.9], (await _store.GetManyAsync("features", ["stale", "fresh"], _ct)).Select(d => d?.Fields["score"]));

        // Firestore's TTL policy deletes by a timestamp field: the raw document must hold a timestampValue.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"http://{_emulator.HostPort}/v1/projects/{_options.ProjectId}/databases/(default)/documents/features/fresh");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        using var response = await http.SendAsync(request, _ct);
        using var raw = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct));
        Assert.True(raw.RootElement.GetProperty("fields").GetProperty("expire_at").TryGetProperty("timestampValue", out _));

        // An expired document not yet deleted by the TTL policy does not block a create.
        Assert.NotNull(await _store.CreateAsync("features", "stale", new Dictionary<string, object?> { ["score"] = 0.5, ["expire_at"] = future }, _ct));
    }

    [Fact]
    public async Task Create_AnswerLostAfterTheWriteLanded_RetryRecognisesItsOwnDocument()
    {
        var store = Store(new LoseFirstCommitAnswer());

        var created = await store.CreateAsync("claims", "lost", new Dictionary<string, object?> { ["owner"] = "me", ["n"] = 1 }, _ct);

        Assert.NotNull(created);
        Assert.Equal("me", created.Get<string>("owner"));
    }

    [Fact]
    public async Task EventClaims_TwoConcurrentDeliveries_ExactlyOneClaims_AndACompletedClaimIsReportedDone()
    {
        var claims = new EventClaims(_store, TimeProvider.System, TimeSpan.FromMinutes(15));
        var key = EventClaims.KeyFor("bronze", "demo-bronze", "olist/orders/orders.csv", 1717236000123456);

        var results = await Task.WhenAll(claims.TryClaimAsync(key, "run-a", _ct), claims.TryClaimAsync(key, "run-b", _ct));

        var winner = Assert.Single(results, r => r.Claim is not null);
        var loser = Assert.Single(results, r => r.Claim is null);
        Assert.True(loser.HeldElsewhere);
        Assert.Equal(winner.Claim!.Owner, loser.HeldBy);

        await claims.CompleteAsync(winner.Claim, "succeeded", _ct);
        var redelivery = await claims.TryClaimAsync(key, "run-c", _ct);
        Assert.True(redelivery.AlreadyDone);
        Assert.Equal("succeeded", redelivery.PreviousOutcome);
    }

    [Fact]
    public async Task EventClaims_LeaseExpired_AnotherDeliveryTakesTheClaimOverAndTheFirstCannotComplete()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var claims = new EventClaims(_store, clock, TimeSpan.FromMinutes(15));
        var key = EventClaims.KeyFor("silver", "demo-lake", "bronze/olist/orders/x.parquet", 42);

        var first = await claims.TryClaimAsync(key, "run-a", _ct);
        clock.Now += TimeSpan.FromMinutes(16);
        var second = await claims.TryClaimAsync(key, "run-b", _ct);

        Assert.NotNull(first.Claim);
        Assert.NotNull(second.Claim);
        Assert.Equal("run-b", second.Claim.Owner);
        await Assert.ThrowsAsync<OpenTrace.Core.TransientException>(() => claims.CompleteAsync(first.Claim, "succeeded", _ct));
        await claims.CompleteAsync(second.Claim, "succeeded", _ct);
    }

    private FirestoreDocumentStore Store(DelegatingHandler? handler = null)
    {
        HttpMessageHandler inner = new SocketsHttpHandler();
        if (handler is not null)
        {
            handler.InnerHandler = inner;
            inner = handler;
        }

        return new FirestoreDocumentStore(new HttpClient(inner), _options, StaticTokenSource.FirestoreEmulatorOwner);
    }

    /// <summary>Lets the first commit reach the emulator, then drops its answer as a broken connection would.</summary>
    private sealed class LoseFirstCommitAnswer : DelegatingHandler
    {
        private int _commits;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath.EndsWith(":commit", StringComparison.Ordinal) && Interlocked.Increment(ref _commits) == 1)
            {
                response.Dispose();
                throw new HttpRequestException("Connection reset by peer (simulated after the write landed).");
            }

            return response;
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
