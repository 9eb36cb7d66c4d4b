using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Features.Tests;

public sealed class MaterializationTests(OlistFeatureFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstRun_WritesEveryGroupsHistoryOffline_AndTheLatestRowPerEntityOnline()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);

        var run = await world.Materializer().RunAsync(cancellationToken: Ct);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        foreach (var group in run.Groups)
        {
            Assert.Equal(FeatureGroupStatus.Succeeded, group.Status);
            Assert.Equal(FeatureMode.Full, group.Mode);
            var rows = await world.ScalarAsync<long>($"SELECT COUNT(*) FROM features.{group.Group}", Ct);
            var entities = await world.ScalarAsync<long>($"SELECT COUNT(DISTINCT {world.Catalog().FindGroup(group.Group)!.EntityColumn}) FROM features.{group.Group}", Ct);
            Assert.Equal(rows, group.RowsWritten);
            Assert.Equal(entities, group.OnlineWritten);
            Assert.True(rows > entities, $"{group.Group}: {rows} rows for {entities} entities is no history");
        }
    }
}
