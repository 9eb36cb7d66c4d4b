using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Tests.Gold;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Features;

/// <summary>Reading feature files: the repository's Olist definitions, and every mistake named with its file and line.</summary>
public sealed class FeatureFileTests
{
    private const string Group = """
        kind: feature_group
        description: Test group.
        owner: tests
        entity: {column: seller_id}
        ttl: 90d
        features:
          - {name: late_rate, type: float64, description: Late share.}
        query: |
          SELECT seller_id, event_timestamp, late_rate FROM {{ ref('fct_orders') }}
        """;

    [Fact]
    public void OlistCatalog_HasTheThreeGroupsAndTheLateDeliveryTask_CheckedAgainstGold()
    {
        var catalog = FeatureCatalog.Load(RepositoryFiles.Pipelines, GoldProject.Load(RepositoryFiles.Pipelines));

        Assert.Equal(["customer", "product", "seller"], catalog.Groups.Select(g => g.Name));
        var seller = catalog.FindGroup("seller")!;
        Assert.Equal(("seller_id", TimeSpan.FromDays(90), StalePolicy.Flag, "data-platform"), (seller.EntityColumn, seller.Ttl, seller.OnStale, seller.Owner));
        Assert.Contains(seller.Features, f => f.Name == "late_rate_90d" && f.Type.Kind == ColumnType.Float64);
        Assert.Equal(["gold.fct_order_items", "gold.fct_orders", "gold.fct_reviews"], seller.References.Select(r => $"gold.{r.Name}").Distinct().Order());
        var task = Assert.Single(catalog.Tasks);
        Assert.Equal(("late_delivery", "order_id", "purchase_timestamp", "is_late"), (task.Name, task.Key, task.EventTimestamp, task.Label));
        Assert.Equal(["customer", "seller", "product"], task.Entities.Select(e => e.Group));
        Assert.All(task.Features, f => Assert.NotEqual(ColumnType.String, catalog.FindGroup(f.Group)!.Find(f.Feature)!.Type.Kind));
        Assert.Equal(new TaskFeature("seller", "late_rate_smoothed"), task.Baseline);
    }

    [Theory]
    [InlineData("ttl: 90d", "ttl: soon", 5, "'ttl' of feature group 'g' is a duration such as 30m, 12h or 90d, not 'soon'.")]
    [InlineData("ttl: 90d", "ttl: 90d\nretention: 3d", 6, "Unknown key 'retention' in feature group 'g'.")]
    [InlineData("type: float64", "type: decimal", 7, "Feature 'late_rate' has type 'decimal'; feature types are float64, int64, bool, string, timestamp.")]
    [InlineData("{name: late_rate,", "{name: created_at,", 7, "Feature name 'created_at' is taken")]
    [InlineData("ttl: 90d", "ttl: 90d\non_stale: drop", 6, "'on_stale' of feature group 'g' is one of flag, omit, not 'drop'.")]
    [InlineData("ttl: 90d\n", "", 1, "Feature group 'g' needs 'ttl'")]
    [InlineData("entity: {column: seller_id}", "entity: {column: seller-id}", 4, "'seller-id' (column of the entity) is not a name")]
    public void GroupMistakes_AreNamedWithTheFileAndLine(string find, string replace, int line, string message)
    {
        var error = Assert.Throws<OpenTraceException>(() => FeatureGroupReader.Read("/p/olist/features/g.yaml", "olist", Group.Replace(find, replace, StringComparison.Ordinal)));

        Assert.Equal(("/p/olist/features/g.yaml", line), (error.File, error.Row));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_UnknownGoldModel_IsNamedWithTheFileAndLine()
    {
        using var pipelines = PipelinesWith(("g.yaml", Group.Replace("fct_orders", "fct_order", StringComparison.Ordinal)));

        var error = Assert.Throws<OpenTraceException>(() => FeatureCatalog.Load(pipelines.Path, GoldProject.Load(RepositoryFiles.Pipelines)));

        Assert.Equal((pipelines.Combine("olist", "features", "g.yaml"), 9), (error.File, error.Row));
        Assert.Contains("ref('fct_order') names no gold model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_FileWithoutKind_IsRejected()
    {
        using var pipelines = PipelinesWith(("g.yaml", Group.Replace("kind: feature_group\n", string.Empty, StringComparison.Ordinal)));

        var error = Assert.Throws<OpenTraceException>(() => FeatureCatalog.Load(pipelines.Path));

        Assert.Contains("starts with 'kind: feature_group' or 'kind: prediction'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_TaskJoiningAnUnknownGroup_OrATextFeature_IsRejected()
    {
        var task = """
            kind: prediction
            description: Test.
            owner: tests
            key: id
            event_timestamp: happened_at
            label: outcome
            entities: [{group: sellers, column: seller_id}]
            labels: |
              SELECT 1
            """;
        using var unknown = PipelinesWith(("g.yaml", Group), ("t.yaml", task));
        using var text = PipelinesWith(("g.yaml", Group.Replace("type: float64", "type: string", StringComparison.Ordinal)), ("t.yaml", task.Replace("group: sellers", "group: g", StringComparison.Ordinal) + "\nfeatures: [g.late_rate]\n"));

        Assert.Contains("joins feature group 'sellers', which no features folder declares", Assert.Throws<OpenTraceException>(() => FeatureCatalog.Load(unknown.Path)).Message, StringComparison.Ordinal);
        Assert.Contains("Feature g.late_rate is string; a model takes float64, int64 and bool features", Assert.Throws<OpenTraceException>(() => FeatureCatalog.Load(text.Path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_TheSameNameInTwoDomains_IsRejected()
    {
        using var pipelines = PipelinesWith(("g.yaml", Group));
        Directory.CreateDirectory(pipelines.Combine("other", "features"));
        File.WriteAllText(pipelines.Combine("other", "features", "g.yaml"), Group);

        var error = Assert.Throws<OpenTraceException>(() => FeatureCatalog.Load(pipelines.Path));

        Assert.Contains("'g' is declared more than once", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectGroups_UnknownName_IsASelectError()
    {
        var catalog = FeatureCatalog.Load(RepositoryFiles.Pipelines);

        Assert.Equal(["product", "seller"], catalog.SelectGroups("seller, product").Select(g => g.Name));
        Assert.Equal("select", Assert.Throws<OpenTraceException>(() => catalog.SelectGroups("sellers")).Rule);
    }

    private static TempDirectory PipelinesWith(params (string Name, string Text)[] files)
    {
        var pipelines = new TempDirectory("opentrace-feature-files");
        Directory.CreateDirectory(pipelines.Combine("olist", "features"));
        foreach (var (name, text) in files)
        {
            File.WriteAllText(pipelines.Combine("olist", "features", name), text);
        }

        return pipelines;
    }
}
