using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Gold;

public sealed class ModelFileReaderTests
{
    private const string FullModel = """

        /*
        description: Orders by day.
        materialized: incremental
        partition_by: {column: day, granularity: month}
        cluster_by: [state]
        columns:
          - name: day
            type: date
            description: The day.
          - name: state
            type: string
            description: State code.
            tests:
              - not_null
              - relationships: {to: "ref('states')", field: code, severity: warn}
          - name: orders
            type: int64
            description: Orders.
            tests:
              - accepted_values: {values: [1, 2]}
          - name: revenue
            type: numeric(18,2)
            description: Revenue.
        tests:
          - unique: [day, state]
          - row_count: {min: 1, max: 10}
          - row_count_matches: {to: "source('silver', 'shop__orders')", where: "status <> 'x'"}
          - expression: "orders >= 0"
          - sql:
              name: no_future_days
              query: |
                SELECT * FROM {{ this() }}
                WHERE day > DATE '2100-01-01'
        */
        SELECT day, state, COUNT(*) AS orders, SUM(v) AS revenue
        FROM {{ source('silver', 'shop__orders') }} AS o
        WHERE {{ changed('o', source('silver', 'shop__orders')) }}
        GROUP BY 1, 2
        """;

    [Fact]
    public void ReadModel_FullHeader_ReadsEveryPart()
    {
        var model = ModelText.Model("daily", FullModel);

        Assert.Equal("daily", model.Name);
        Assert.Equal(Materialization.Incremental, model.Materialization);
        Assert.Equal(new PartitionSpec("day", PartitionGranularity.Month), model.PartitionBy);
        Assert.Equal(["state"], model.ClusterBy);
        Assert.Equal(new GoldType(ColumnType.Decimal, 18, 2), model.FindColumn("revenue")!.Type);
        Assert.Equal(
            ["not_null(state)", "relationships(state -> states.code)", "accepted_values(orders)", "unique(day, state)", "row_count(min 1, max 10)", "row_count_matches(silver.shop__orders)", "expression(orders >= 0)", "no_future_days", "not_null(day)"],
            model.Tests.Select(t => t.Name));
        Assert.Equal(TestSeverity.Warn, model.Tests.Single(t => t is RelationshipTest).Severity);
        Assert.Equal(16, model.Tests.Single(t => t is RelationshipTest).Line);
        Assert.Equal(["states"], model.DependsOnModels);
        Assert.Equal(["silver.shop__orders"], model.DependsOnSources);
        Assert.Equal(37, model.Body.Calls.First().Line);
    }

    [Theory]
    [InlineData("SELECT 1", 1, "starts with its header")]
    [InlineData("/*\ndescription: x\n", 1, "not closed")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: text\n    description: A.\n*/\nSELECT 1 AS a", 5, "type 'text'")]
    [InlineData("/*\ndescription: x\nmaterialised: table\ncolumns: []\n*/\nSELECT 1", 3, "Unknown key 'materialised'")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: string\n*/\nSELECT 1", 4, "needs 'description'")]
    [InlineData("/*\ndescription: x\nmaterialized: incremental\ncolumns:\n  - name: a\n    type: string\n    description: A.\n*/\nSELECT 1", 2, "needs partition_by")]
    [InlineData("/*\ndescription: x\npartition_by: a\ncolumns:\n  - name: a\n    type: string\n    description: A.\n*/\nSELECT 1", 3, "date or timestamp")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: int64\n    description: A.\n    tests:\n      - accepted_values: [1, two]\n*/\nSELECT 1", 8, "'two' is not a int64 literal")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: int64\n    description: A.\n    tests: [uniq]\n*/\nSELECT 1", 7, "Unknown test 'uniq'")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: int64\n    description: A.\ntests: [not_null]\n*/\nSELECT 1", 7, "belongs under a column")]
    [InlineData("/*\ndescription: [x\n*/\nSELECT 1", 3, "Invalid YAML")]
    [InlineData("/*\ndescription: x\ncolumns:\n  - name: a\n    type: int64\n    description: A.\n*/\n  \n", 7, "no SQL")]
    public void ReadModel_Mistake_NamesFileLineAndRule(string text, int line, string reason)
    {
        var error = Assert.Throws<OpenTraceException>(() => ModelFileReader.ReadModel("models/m.sql", "shop", text));

        Assert.Equal("models/m.sql", error.File);
        Assert.Equal(line, error.Row);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadSources_DefaultsAndOverrides()
    {
        var sources = ModelText.Sources();

        Assert.Equal(["silver.shop__orders", "silver.shop__items", "silver.shop__rates"], sources.Select(s => s.Key));
        Assert.Equal(new FreshnessRule(TimeSpan.FromHours(12), TimeSpan.FromDays(2)), sources[0].Freshness);
        Assert.Equal("_ingested_at", sources[0].LoadedAtColumn);
        Assert.Equal("loaded", sources[1].LoadedAtColumn);
        Assert.Equal("_lineage_id", sources[1].LineageColumn);
        Assert.Null(sources[2].Freshness);
        Assert.Equal(8, sources[2].Line);
    }

    [Theory]
    [InlineData("sources:\n  - dataset: silver\n    freshness: {warn_after: soon}\n    tables: [a]", 3, "not a duration")]
    [InlineData("sources:\n  - dataset: silver\n    tables: [a, a]", 3, "declared twice")]
    [InlineData("sources:\n  - tables: [a]", 2, "needs 'dataset'")]
    public void ReadSources_Mistake_NamesLine(string text, int line, string reason)
    {
        var error = Assert.Throws<OpenTraceException>(() => ModelFileReader.ReadSources("models/sources.yaml", text));

        Assert.Equal(line, error.Row);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30m", 0.5)]
    [InlineData("12h", 12)]
    [InlineData("2d", 48)]
    [InlineData("1.5d", 36)]
    public void TryParseDuration_Units(string text, double hours) =>
        Assert.Equal(TimeSpan.FromHours(hours), ModelFileReader.TryParseDuration(text));
}
