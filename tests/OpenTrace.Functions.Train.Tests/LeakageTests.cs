using OpenTrace.Core.Features;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;
using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Train.Tests;

/// <summary>
/// A training example for an event at T takes, per group, the latest row with event_timestamp ≤ T AND created_at ≤ T:
/// never a value from after the event, never a row written after it even if its event time is earlier.
/// </summary>
public sealed class LeakageTests(OlistFeatureFixture fixture)
{
    private static readonly DateTimeOffset T = new(2018, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AValueForAfterTheEvent_IsNeverUsed_EvenWhenItWasWrittenBefore()
    {
        // e.g. a value stamped with a later event time (a scheduled or forecast event) stored ahead of it
        await using var world = FeatureWorld.Create(warehouse: null);
        var catalog = await SyntheticAsync(world,
            ("known before", T.AddHours(-1), T.AddHours(-1), 1.0),
            ("stamped after the event", T.AddMinutes(30), T.AddMinutes(-30), 3.0),
            ("after the event", T.AddMinutes(40), T.AddMinutes(40), 4.0));

        var example = await SingleExampleAsync(world, catalog);

        Assert.Equal(1f, Value(example, catalog));
    }

    [Fact]
    public async Task ARowWrittenAfterTheEvent_IsNeverUsed_EvenWhenItsEventTimeIsEarlier()
    {
        await using var world = FeatureWorld.Create(warehouse: null);
        var catalog = await SyntheticAsync(world,
            ("known before", T.AddHours(-1), T.AddHours(-1), 1.0),
            ("corrected later", T.AddMinutes(-30), T.AddHours(1), 2.0),
            ("after the event", T.AddMinutes(30), T.AddMinutes(30), 3.0));

        var example = await SingleExampleAsync(world, catalog);

        Assert.Equal(1f, Value(example, catalog));
    }

    [Fact]
    public async Task NoRowKnownAtTheEvent_LeavesTheGroupAbsent()
    {
        await using var world = FeatureWorld.Create(warehouse: null);
        var catalog = await SyntheticAsync(world, ("after the event", T.AddSeconds(1), T.AddSeconds(1), 3.0), ("written after", T.AddHours(-2), T.AddSeconds(1), 2.0));

        var example = await SingleExampleAsync(world, catalog);

        Assert.Equal([0f, 0f], example.Features[..2]);
    }

    [Fact]
    public async Task OnGeneratedData_EveryExample_SeesOnlyDeliveriesCompletedBeforeItsOrder()
    {
        await using var world = FeatureWorld.Create(fixture.GoldWarehouse);
        var catalog = world.Catalog();
        await world.Materializer(catalog: catalog).RunAsync(new FeatureRunRequest { Select = "seller" }, cancellationToken: Ct);
        var task = catalog.Tasks.Single() with { Entities = [new TaskEntity("seller", "seller_id")], Features = [new TaskFeature("seller", "deliveries_total")] };
        var only = FeatureCatalog.Create([catalog.FindGroup("seller")!], [task]);

        var set = await new TrainingSetBuilder(world.Warehouse, only).BuildAsync(only.Tasks.Single(), cancellationToken: Ct);

        // Recomputed from gold with no feature store: the seller's orders delivered at or before the order was placed.
        var expected = (await world.RowsAsync(
            """
            SELECT o.order_id,
              (SELECT COUNT(DISTINCT d.order_id) FROM gold.fct_order_items AS di JOIN gold.fct_orders AS d ON d.order_id = di.order_id
               WHERE di.seller_id = i.seller_id AND d.delivered_to_customer_at <= o.purchased_at AND d.is_late IS NOT NULL) AS delivered_before
            FROM gold.fct_orders AS o JOIN gold.fct_order_items AS i ON i.order_id = o.order_id AND i.order_item_id = 1
            WHERE o.is_late IS NOT NULL
            """, Ct)).ToDictionary(r => r.Get<string>("order_id")!, r => r.Get<long>("delivered_before"), StringComparer.Ordinal);
        Assert.Equal(expected.Count, set.Examples.Count);
        Assert.All(set.Examples, e => Assert.Equal(expected[e.Key], (long)e.Features[1]));
        Assert.Contains(set.Examples, e => e.Features[1] > 5);
    }

    /// <summary>
    /// A group <c>g</c> keyed by <c>e</c> with one feature <c>v</c>, its offline rows as given (name, event time,
    /// created_at, value), and a task with one labelled event for entity "a" at <see cref="T"/>.
    /// </summary>
    private static async Task<FeatureCatalog> SyntheticAsync(FeatureWorld world, params (string Name, DateTimeOffset EventTimestamp, DateTimeOffset CreatedAt, double Value)[] rows)
    {
        var group = FeatureGroupReader.Read("g.yaml", "test", """
            kind: feature_group
            description: A test group.
            owner: tests
            entity: {column: e}
            ttl: 3650d
            features:
              - {name: v, type: float64, description: A value.}
            query: |
              SELECT e, event_timestamp, v FROM {{ source('test', 'g_source') }}
            """);
        var task = PredictionTaskReader.Read("t.yaml", "test", """
            kind: prediction
            description: A test task.
            owner: tests
            key: id
            event_timestamp: happened_at
            label: outcome
            entities: [{group: g, column: e}]
            labels: |
              SELECT id, happened_at, outcome, e FROM {{ source('test', 'labels') }}
            """);
        var catalog = FeatureCatalog.Create([group], [task]);
        await world.Warehouse.EnsureDatasetAsync("test", Ct);
        await world.Warehouse.ExecuteAsync($"CREATE TABLE test.labels AS SELECT 'event-1' AS id, {Literal(T)} AS happened_at, TRUE AS outcome, 'a' AS e", cancellationToken: Ct);
        await world.Warehouse.EnsureDatasetAsync("features", Ct);
        await world.Warehouse.EnsureTableAsync(group.OfflineSchema(), Ct);
        foreach (var (name, at, created, value) in rows)
        {
            await world.Warehouse.AppendRowsAsync(group.OfflineTable,
            [
                new Dictionary<string, object?>
                {
                    ["e"] = "a", ["event_timestamp"] = at, ["created_at"] = created, ["v"] = value,
                    ["_materialized_at"] = created, ["_run_id"] = name,
                },
            ], Ct);
        }

        return catalog;
    }

    private static async Task<TrainingExample> SingleExampleAsync(FeatureWorld world, FeatureCatalog catalog) =>
        Assert.Single((await new TrainingSetBuilder(world.Warehouse, catalog).BuildAsync(catalog.Tasks.Single(), cancellationToken: Ct)).Examples);

    private static float Value(TrainingExample example, FeatureCatalog catalog)
    {
        var layout = new FeatureLayout(catalog.Tasks.Single(), catalog.Groups);
        Assert.Equal(["g.present", "g.v"], layout.Names);
        Assert.Equal(1f, example.Features[0]);
        return example.Features[1];
    }

    private static string Literal(DateTimeOffset at) => $"TIMESTAMP '{at.UtcDateTime:yyyy-MM-dd HH:mm:ss}'";
}
