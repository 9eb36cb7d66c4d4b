using OpenTrace.Core.Features;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Features.Tests;

/// <summary>
/// The online store enforces each group's TTL when it is read: a value older than the TTL is returned flagged stale
/// (groups that flag) or not at all (groups that omit) — never as fresh — and past its expiry it is gone.
/// </summary>
public sealed class OnlineTtlTests(OlistFeatureFixture fixture)
{
    private static readonly DateTimeOffset AfterTheData = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FlaggingGroup_ValueTurnsStaleExactlyAtItsTtl_AndIsNeverServedAsFresh()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, now: AfterTheData);
        var seller = world.Catalog().FindGroup("seller")!;
        await world.Materializer().RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct);
        var (id, eventTimestamp) = await LatestAsync(world, seller);

        var justFresh = await ReadAtAsync(world, seller, id, eventTimestamp + seller.Ttl);
        var justStale = await ReadAtAsync(world, seller, id, eventTimestamp + seller.Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal((OnlineStatus.Fresh, false), (justFresh.Status, justFresh.IsStale));
        Assert.Equal((OnlineStatus.Stale, true), (justStale.Status, justStale.IsStale));
        Assert.True(justStale.IsServed);
        Assert.Equal(justFresh.Values, justStale.Values);
        Assert.Equal(eventTimestamp, justStale.EventTimestamp);
        Assert.Equal(seller.Ttl + TimeSpan.FromSeconds(1), justStale.Age);
    }

    [Fact]
    public async Task OmittingGroup_ValueOlderThanItsTtl_IsNotServed()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines: true, now: AfterTheData);
        await world.EditFeatureFileAsync("seller", "on_stale: flag", "on_stale: omit", Ct);
        var seller = world.Catalog().FindGroup("seller")!;
        await world.Materializer().RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct);
        var (id, eventTimestamp) = await LatestAsync(world, seller);

        var fresh = await ReadAtAsync(world, seller, id, eventTimestamp + seller.Ttl);
        var stale = await ReadAtAsync(world, seller, id, eventTimestamp + seller.Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal(OnlineStatus.Fresh, fresh.Status);
        Assert.NotEmpty(fresh.Values);
        Assert.Equal(OnlineStatus.Omitted, stale.Status);
        Assert.False(stale.IsServed);
        Assert.Empty(stale.Values);
    }

    [Fact]
    public async Task ValuePastItsExpiry_IsMissing_ThoughTheStoreStillHoldsIt()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines: true, now: AfterTheData);
        await world.EditFeatureFileAsync("seller", "keep_stale_for: 3650d", "keep_stale_for: 30d", Ct);
        var seller = world.Catalog().FindGroup("seller")!;
        await world.Materializer().RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct);
        var (id, eventTimestamp) = await LatestAsync(world, seller);
        var (staleAt, expireAt) = OnlineFeatureStore.Lifetime(seller, eventTimestamp);

        var stale = await ReadAtAsync(world, seller, id, expireAt - TimeSpan.FromSeconds(1));
        var expired = await ReadAtAsync(world, seller, id, expireAt);

        Assert.Equal(eventTimestamp + seller.Ttl, staleAt);
        Assert.Equal(staleAt + TimeSpan.FromDays(30), expireAt);
        Assert.Equal(OnlineStatus.Stale, stale.Status);
        Assert.Equal(OnlineStatus.Missing, expired.Status);
        var stored = await world.Documents.GetAsync(OnlineFeatureStore.Collection, OnlineFeatureStore.DocumentId(seller.Name, id), Ct);
        Assert.Equal(expireAt, stored?.Get<DateTimeOffset>(OnlineFeatureStore.ExpireAtField));
    }

    [Fact]
    public async Task ManyLookups_ApplyEachGroupsOwnTtl()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse, now: AfterTheData);
        var catalog = world.Catalog();
        await world.Materializer(catalog: catalog).RunAsync(cancellationToken: Ct);
        var seller = catalog.FindGroup("seller")!;
        var customer = catalog.FindGroup("customer")!;
        var (sellerId, sellerAt) = await LatestAsync(world, seller);
        var (customerId, _) = await LatestAsync(world, customer);
        var clock = new ManualTimeProvider(sellerAt + seller.Ttl + TimeSpan.FromDays(1));

        var read = await new OnlineFeatureStore(world.Documents, clock).ReadManyAsync([(seller, sellerId), (customer, customerId), (seller, "no-such-seller")], Ct);

        Assert.Equal([OnlineStatus.Stale, OnlineStatus.Fresh, OnlineStatus.Missing], read.Select(r => r.Status));
    }

    private static async Task<OnlineFeatures> ReadAtAsync(FeatureWorld world, FeatureGroup group, string id, DateTimeOffset at) =>
        await new OnlineFeatureStore(world.Documents, new ManualTimeProvider(at)).ReadAsync(group, id, Ct);

    private static async Task<(string Id, DateTimeOffset EventTimestamp)> LatestAsync(FeatureWorld world, FeatureGroup group)
    {
        var row = (await world.RowsAsync($"SELECT {group.EntityColumn} AS id, MAX(event_timestamp) AS at FROM features.{group.Name} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", Ct)).Single();
        return (row.Get<string>("id")!, row.Get<DateTimeOffset>("at"));
    }
}
