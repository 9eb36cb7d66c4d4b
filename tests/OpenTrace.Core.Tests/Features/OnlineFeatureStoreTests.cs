using OpenTrace.Core.Documents;
using OpenTrace.Core.Features;
using OpenTrace.Core.Tests.Gold;

namespace OpenTrace.Core.Tests.Features;

/// <summary>The TTL rule applied at every read, and the document ids of the online store.</summary>
public sealed class OnlineFeatureStoreTests
{
    private static readonly FeatureGroup Seller = FeatureCatalog.Load(RepositoryFiles.Pipelines).FindGroup("seller")!;
    private static readonly DateTimeOffset EventTime = new(2018, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Value_IsFreshUpToItsTtl_ThenStale_NeverFresh()
    {
        var document = Document(EventTime, OnlineFeatureStore.Lifetime(Seller, EventTime).ExpireAt);

        var atTtl = OnlineFeatureStore.Interpret(Seller, "s1", document, EventTime + Seller.Ttl);
        var afterTtl = OnlineFeatureStore.Interpret(Seller, "s1", document, EventTime + Seller.Ttl + TimeSpan.FromTicks(1));

        Assert.Equal(OnlineStatus.Fresh, atTtl.Status);
        Assert.Equal(OnlineStatus.Stale, afterTtl.Status);
        Assert.Equal(0.25, afterTtl.Values["late_rate_90d"]);
    }

    [Fact]
    public void OmittingGroup_StaleValue_IsNotServed()
    {
        var omitting = Seller with { OnStale = StalePolicy.Omit };

        var read = OnlineFeatureStore.Interpret(omitting, "s1", Document(EventTime, EventTime.AddYears(20)), EventTime + Seller.Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal((OnlineStatus.Omitted, false), (read.Status, read.IsServed));
        Assert.Empty(read.Values);
    }

    [Fact]
    public void DocumentPastItsExpiry_IsMissing()
    {
        var expireAt = EventTime.AddDays(1);

        Assert.Equal(OnlineStatus.Missing, OnlineFeatureStore.Interpret(Seller, "s1", Document(EventTime, expireAt), expireAt).Status);
        Assert.Equal(OnlineStatus.Missing, OnlineFeatureStore.Interpret(Seller, "s1", null, EventTime).Status);
    }

    [Fact]
    public void Lifetime_ExpiresAfterTheStalePointByTheKeepPeriod()
    {
        var (staleAt, expireAt) = OnlineFeatureStore.Lifetime(Seller, EventTime);

        Assert.Equal(EventTime + TimeSpan.FromDays(90), staleAt);
        Assert.Equal(staleAt + TimeSpan.FromDays(3650), expireAt);
    }

    [Theory]
    [InlineData("seller", "abc", "seller:abc")]
    [InlineData("seller", "a/b", "seller:a%2Fb")]
    [InlineData("seller", "50%/x", "seller:50%25%2Fx")]
    public void DocumentId_EscapesSlashesAndPercents(string group, string entity, string id)
    {
        Assert.Equal(id, OnlineFeatureStore.DocumentId(group, entity));
        Assert.DoesNotContain('/', OnlineFeatureStore.DocumentId(group, entity));
    }

    private static StoredDocument Document(DateTimeOffset eventTimestamp, DateTimeOffset expireAt) => new(
        OnlineFeatureStore.Collection,
        "seller:s1",
        new Dictionary<string, object?>
        {
            ["event_timestamp"] = eventTimestamp,
            ["expire_at"] = expireAt,
            ["values"] = new Dictionary<string, object?> { ["late_rate_90d"] = 0.25 },
        },
        eventTimestamp,
        eventTimestamp);
}
