using OpenTrace.Core;
using OpenTrace.Core.Claims;
using OpenTrace.Embedded.Documents;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Documents;

/// <summary>Exactly-once claims (Core's <see cref="EventClaims"/>) on the SQLite document store.</summary>
public sealed class EventClaimsOnSqliteTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly TempDirectory _home = new("opentrace-claims");
    private readonly ManualTimeProvider _clock = new();
    private readonly SqliteDocumentStore _store;
    private readonly EventClaims _claims;
    private readonly string _key = EventClaims.KeyFor("bronze", "bronze", "olist/orders/orders.csv", 1714564800000000);

    public EventClaimsOnSqliteTests()
    {
        _store = new SqliteDocumentStore(_home.Combine("online.sqlite"), _clock);
        _claims = new EventClaims(_store, _clock, Lease);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _store.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task TwoConcurrentClaims_ExactlyOneGetsIt_TheOtherSeesItHeld()
    {
        var outcomes = await Concurrently.RunAsync(2, i => _claims.TryClaimAsync(_key, $"run-{i}", Ct));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        var winner = Assert.Single(outcomes, o => o.Result!.Claim is not null);
        var loser = Assert.Single(outcomes, o => o.Result!.Claim is null);
        Assert.True(loser.Result!.HeldElsewhere);
        Assert.Equal($"run-{winner.Index}", loser.Result.HeldBy);
        Assert.Equal(_clock.GetUtcNow() + Lease, loser.Result.HeldUntil);
    }

    [Fact]
    public async Task AnExpiredLease_LetsARetryTakeOver_AndTheFirstHolderCannotComplete()
    {
        var first = await _claims.TryClaimAsync(_key, "crashed-run", Ct);
        Assert.True((await _claims.TryClaimAsync(_key, "early-retry", Ct)).HeldElsewhere);

        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var retry = await _claims.TryClaimAsync(_key, "retry", Ct);

        Assert.NotNull(retry.Claim);
        Assert.Equal("retry", retry.Claim.Owner);
        await Assert.ThrowsAsync<TransientException>(() => _claims.CompleteAsync(first.Claim!, "succeeded", Ct));
        await _claims.CompleteAsync(retry.Claim, "succeeded", Ct);
    }

    [Fact]
    public async Task Complete_ThenTryClaim_IsAlreadyDone_WithTheOutcome()
    {
        var claim = (await _claims.TryClaimAsync(_key, "run-1", Ct)).Claim!;
        await _claims.CompleteAsync(claim, "quarantined", Ct);

        _clock.Advance(TimeSpan.FromDays(1));
        var again = await _claims.TryClaimAsync(_key, "run-2", Ct);

        Assert.True(again.AlreadyDone);
        Assert.Null(again.Claim);
        Assert.Equal("quarantined", again.PreviousOutcome);
        Assert.Equal("run-1", again.HeldBy);
    }

    [Fact]
    public async Task Release_LetsARetryClaimAtOnce()
    {
        var claim = (await _claims.TryClaimAsync(_key, "failed-run", Ct)).Claim!;

        await _claims.ReleaseAsync(claim, Ct);
        var retry = await _claims.TryClaimAsync(_key, "retry", Ct);

        Assert.NotNull(retry.Claim);
        Assert.Equal("retry", retry.Claim.Owner);
    }

    [Fact]
    public async Task Forget_LetsTheSameKeyBeClaimedAgain()
    {
        var claim = (await _claims.TryClaimAsync(_key, "run-1", Ct)).Claim!;
        await _claims.CompleteAsync(claim, "succeeded", Ct);

        Assert.True(await _claims.ForgetAsync(_key, Ct));

        Assert.NotNull((await _claims.TryClaimAsync(_key, "replay", Ct)).Claim);
    }
}
