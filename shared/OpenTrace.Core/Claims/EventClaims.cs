using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Documents;

namespace OpenTrace.Core.Claims;

/// <summary>
/// Exactly-once effects on an at-least-once trigger: a delivery claims its event key with create-if-absent in the
/// document store. A second delivery sees the claim and does nothing; a claim whose holder crashed expires after
/// the lease so a retry can finish the work.
/// </summary>
public sealed class EventClaims(IDocumentStore store, TimeProvider time, TimeSpan lease)
{
    /// <summary>The collection claims live in.</summary>
    public const string Collection = "event_claims";

    private const string Running = "running";
    private const string Done = "done";
    private const string Released = "released";

    /// <summary>The claim key of one function's work on one object generation.</summary>
    public static string KeyFor(string function, string bucket, string name, long generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{function}:gs://{bucket}/{name}#{generation}");

    /// <summary>Tries to claim <paramref name="key"/> for <paramref name="owner"/> (a run id).</summary>
    public async Task<ClaimResult> TryClaimAsync(string key, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var id = DocumentId(key);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.GetUtcNow();
            var created = await store.CreateAsync(Collection, id, Fields(key, owner, Running, now, attempts: 1), cancellationToken);
            if (created is not null)
            {
                return ClaimResult.Claimed(new EventClaim(id, key, owner, created.UpdateTime, created.CreateTime));
            }

            var existing = await store.GetAsync(Collection, id, cancellationToken);
            if (existing is null)
            {
                continue; // deleted between our create and get; try again
            }

            var state = existing.Get<string>("state");
            if (state == Done)
            {
                return ClaimResult.Done(existing.Get<string>("outcome"), existing.Get<string>("owner"));
            }

            var leaseUntil = existing.Get<DateTimeOffset>("lease_until");
            if (state == Released || leaseUntil <= now)
            {
                var attempts = existing.Get<long>("attempts") + 1;
                var taken = await store.ReplaceAsync(Collection, id, Fields(key, owner, Running, now, attempts), existing.UpdateTime, cancellationToken);
                if (taken is not null)
                {
                    return ClaimResult.Claimed(new EventClaim(id, key, owner, taken.UpdateTime, taken.CreateTime));
                }

                continue; // someone else took it first; look again
            }

            return ClaimResult.Held(existing.Get<string>("owner"), leaseUntil);
        }

        var last = await store.GetAsync(Collection, id, cancellationToken);
        return ClaimResult.Held(last?.Get<string>("owner"), last?.Get<DateTimeOffset>("lease_until") ?? time.GetUtcNow().Add(lease));
    }

    /// <summary>
    /// Marks the claimed work done with an outcome (for example <c>succeeded</c> or <c>quarantined</c>).
    /// Throws <see cref="TransientException"/> when the lease was lost to another delivery meanwhile.
    /// </summary>
    public async Task CompleteAsync(EventClaim claim, string outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var fields = new Dictionary<string, object?>(Fields(claim.Key, claim.Owner, Done, time.GetUtcNow(), attempts: 0))
        {
            ["outcome"] = outcome,
        };
        var done = await store.ReplaceAsync(Collection, claim.DocumentId, fields, claim.UpdateTime, cancellationToken);
        if (done is null)
        {
            throw new TransientException($"The claim on {claim.Key} was taken over by another delivery before {claim.Owner} finished; the retry will see its outcome.");
        }
    }

    /// <summary>Gives the claim up after a failure so that a retry can start at once instead of waiting for the lease.</summary>
    public async Task ReleaseAsync(EventClaim claim, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await store.ReplaceAsync(Collection, claim.DocumentId, Fields(claim.Key, claim.Owner, Released, time.GetUtcNow(), attempts: 0), claim.UpdateTime, cancellationToken);
    }

    /// <summary>True when the work under <paramref name="key"/> was completed (with any outcome).</summary>
    public async Task<bool> IsDoneAsync(string key, CancellationToken cancellationToken = default)
    {
        var existing = await store.GetAsync(Collection, DocumentId(key), cancellationToken);
        return existing?.Get<string>("state") == Done;
    }

    /// <summary>Removes the claim entirely (used by replay, which reprocesses on purpose).</summary>
    public Task<bool> ForgetAsync(string key, CancellationToken cancellationToken = default) =>
        store.DeleteAsync(Collection, DocumentId(key), cancellationToken);

    /// <summary>Document ids cannot hold '/', so the key is hashed; the key itself is kept as a field.</summary>
    internal static string DocumentId(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private Dictionary<string, object?> Fields(string key, string owner, string state, DateTimeOffset now, long attempts) => new()
    {
        ["key"] = key,
        ["owner"] = owner,
        ["state"] = state,
        ["changed_at"] = now,
        ["lease_until"] = now.Add(lease),
        ["attempts"] = attempts,
    };
}

/// <summary>A claim held by this delivery.</summary>
/// <param name="DocumentId">Document id in <see cref="EventClaims.Collection"/>.</param>
/// <param name="Key">The claimed key.</param>
/// <param name="Owner">Who holds it (a run id).</param>
/// <param name="UpdateTime">Update time of the claim document, the precondition for completing it.</param>
/// <param name="FirstClaimedAt">When the first delivery claimed the key (kept across takeovers), so that every attempt at
/// the same work can name its outputs alike.</param>
public sealed record EventClaim(string DocumentId, string Key, string Owner, DateTimeOffset UpdateTime, DateTimeOffset FirstClaimedAt);

/// <summary>Result of <see cref="EventClaims.TryClaimAsync"/>.</summary>
public sealed record ClaimResult
{
    private ClaimResult()
    {
    }

    /// <summary>This delivery holds the claim and must do the work; null otherwise.</summary>
    public EventClaim? Claim { get; private init; }

    /// <summary>True when the work was already done by an earlier delivery.</summary>
    public bool AlreadyDone { get; private init; }

    /// <summary>Outcome recorded by the earlier delivery, when <see cref="AlreadyDone"/>.</summary>
    public string? PreviousOutcome { get; private init; }

    /// <summary>Owner of the claim when it is held or done elsewhere.</summary>
    public string? HeldBy { get; private init; }

    /// <summary>When the other holder's lease ends, when it is still running elsewhere.</summary>
    public DateTimeOffset? HeldUntil { get; private init; }

    /// <summary>True when another delivery is doing the work right now (answer 5xx so the event comes back).</summary>
    public bool HeldElsewhere => Claim is null && !AlreadyDone;

    internal static ClaimResult Claimed(EventClaim claim) => new() { Claim = claim };

    internal static ClaimResult Done(string? outcome, string? owner) => new() { AlreadyDone = true, PreviousOutcome = outcome, HeldBy = owner };

    internal static ClaimResult Held(string? owner, DateTimeOffset until) => new() { HeldBy = owner, HeldUntil = until };
}
