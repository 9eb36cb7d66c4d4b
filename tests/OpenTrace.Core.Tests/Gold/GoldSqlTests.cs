using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Gold;

public sealed class GoldSqlTests
{
    [Theory]
    [InlineData("to_date('ts')", "DATE(ts)", "CAST(ts AS DATE)")]
    [InlineData("date_trunc('month', 'd')", "DATE_TRUNC(d, MONTH)", "CAST(date_trunc('month', d) AS DATE)")]
    [InlineData("date_trunc('week', 'd')", "DATE_TRUNC(d, ISOWEEK)", "CAST(date_trunc('week', d) AS DATE)")]
    [InlineData("date_diff('day', 'a', 'b')", "DATE_DIFF(b, a, DAY)", "date_diff('day', a, b)")]
    [InlineData("timestamp_diff('hour', 'a', 'b')", "TIMESTAMP_DIFF(b, a, HOUR)", "date_sub('hour', a, b)")]
    [InlineData("date_add('month', -2, 'd')", "DATE_ADD(d, INTERVAL -2 MONTH)", "CAST(d + INTERVAL (-2) MONTH AS DATE)")]
    [InlineData("iso_day_of_week('d')", "MOD(EXTRACT(DAYOFWEEK FROM d) + 5, 7) + 1", "isodow(d)")]
    [InlineData("format_date('%Y-%m', 'd')", "FORMAT_DATE('%Y-%m', d)", "strftime(d, '%Y-%m')")]
    [InlineData("cast('x', 'numeric(18,2)')", "CAST(x AS NUMERIC)", "CAST(x AS DECIMAL(18, 2))")]
    [InlineData("safe_cast('x', 'int64')", "SAFE_CAST(x AS INT64)", "TRY_CAST(x AS BIGINT)")]
    [InlineData("safe_divide('a', 'b')", "SAFE_DIVIDE(a, b)", "((a) / NULLIF(b, 0))")]
    [InlineData("current_timestamp()", "CURRENT_TIMESTAMP()", "CAST(get_current_timestamp() AS TIMESTAMP)")]
    [InlineData("string_agg('t', ', ', distinct=true)", "STRING_AGG(DISTINCT t, ', ' ORDER BY t)", "string_agg(DISTINCT t, ', ' ORDER BY t)")]
    [InlineData("count_if('x > 1')", "COUNTIF(x > 1)", "CAST(count_if(x > 1) AS BIGINT)")]
    [InlineData("bool_or('x')", "LOGICAL_OR(x)", "bool_or(x)")]
    [InlineData("ref('a')", "`gold.a`", "\"gold\".\"a\"")]
    [InlineData("source('silver', 'shop__orders')", "`silver.shop__orders`", "\"silver\".\"shop__orders\"")]
    [InlineData("date_trunc('year', to_date('MIN(ts)'))", "DATE_TRUNC(DATE(MIN(ts)), YEAR)", "CAST(date_trunc('year', CAST(MIN(ts) AS DATE)) AS DATE)")]
    public void Macro_RendersForEachDialect(string call, string bigQuery, string duckDb)
    {
        var (project, model) = ProjectSelecting($"{{{{ {call} }}}}");

        Assert.Contains($"FROM (\n{bigQuery}\n) AS model", new GoldSql(project, SqlDialect.BigQuery).Select(model), StringComparison.Ordinal);
        Assert.Contains($"FROM (\n{duckDb}\n) AS model", new GoldSql(project, SqlDialect.DuckDb).Select(model), StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_EscapesEachDialectsWay()
    {
        var project = GoldProject.Empty;

        Assert.Equal(@"'it\'s a \\ path\nnext'", new GoldSql(project, SqlDialect.BigQuery).Literal("it's a \\ path\nnext"));
        Assert.Equal("'it''s a \\ path\nnext'", new GoldSql(project, SqlDialect.DuckDb).Literal("it's a \\ path\nnext"));
    }

    [Fact]
    public void Changed_FullBuildIsTrue_IncrementalListsChangedFiles_NoChangeIsFalse()
    {
        var model = ModelText.Model("inc", """
            /*
            description: inc.
            materialized: incremental
            partition_by: d
            columns:
              - name: d
                type: date
                description: Day.
            */
            SELECT o.d FROM {{ source('silver', 'shop__orders') }} AS o
            WHERE {{ changed('o', source('silver', 'shop__orders')) }}
              OR {{ changed('o', source('silver', 'shop__items')) }}
            """);
        var sql = new GoldSql(ModelText.Project(model), SqlDialect.BigQuery);
        var changes = new IncrementalChanges(new Dictionary<string, IReadOnlyList<string>> { ["silver.shop__orders"] = ["aa", "bb"] });

        Assert.Contains("WHERE TRUE\n  OR TRUE", sql.Select(model), StringComparison.Ordinal);
        Assert.Contains("WHERE o.`_lineage_id` IN ('aa', 'bb')\n  OR FALSE", sql.Select(model, changes), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DuckDb_SortsByPartitionThenClusterColumns_AndCommentsColumns()
    {
        var model = ModelText.Model("m", """
            /*
            description: It's m.
            partition_by: d
            cluster_by: [k]
            columns:
              - name: k
                type: string
                description: Key.
              - name: d
                type: date
                description: Day.
            */
            SELECT 'x' AS k, DATE '2020-01-01' AS d;
            """);
        var sql = new GoldSql(ModelText.Project(model), SqlDialect.DuckDb);

        Assert.Equal(
            "CREATE OR REPLACE TABLE \"gold_staging\".\"m\" AS\nSELECT\n  CAST(\"k\" AS VARCHAR) AS \"k\",\n  CAST(\"d\" AS DATE) AS \"d\"\nFROM (\nSELECT 'x' AS k, DATE '2020-01-01' AS d\n) AS model\nORDER BY \"d\", \"k\"",
            sql.Build(model));
        Assert.Equal(
            ["COMMENT ON TABLE \"gold_staging\".\"m\" IS 'It''s m.'", "COMMENT ON COLUMN \"gold_staging\".\"m\".\"k\" IS 'Key.'", "COMMENT ON COLUMN \"gold_staging\".\"m\".\"d\" IS 'Day.'"],
            sql.DescribeStaging(model));
    }

    [Fact]
    public void DefinitionHash_FollowsTheRenderedSqlOnly()
    {
        var a = ModelText.Simple("a", "SELECT 'x' AS id");
        var same = ModelText.Simple("a", "SELECT 'x' AS id");
        var edited = ModelText.Simple("a", "SELECT 'y' AS id");
        var retested = ModelText.Model("a", ModelTextWithTest("not_null"));

        string Hash(GoldModel m, SqlDialect d) => new GoldSql(ModelText.Project(m), d).DefinitionHash(m);

        Assert.Equal(Hash(a, SqlDialect.DuckDb), Hash(same, SqlDialect.DuckDb));
        Assert.NotEqual(Hash(a, SqlDialect.DuckDb), Hash(edited, SqlDialect.DuckDb));
        Assert.NotEqual(Hash(a, SqlDialect.DuckDb), Hash(retested, SqlDialect.DuckDb));
        Assert.NotEqual(Hash(a, SqlDialect.DuckDb), Hash(a, SqlDialect.BigQuery));
    }

    [Fact]
    public void Publish_Incremental_ReplacesWholePartitionsInOneTransaction()
    {
        var model = ModelText.Model("m", """
            /*
            description: m.
            materialized: incremental
            partition_by: {column: ts, granularity: month}
            columns:
              - name: ts
                type: timestamp
                description: When.
            */
            SELECT CURRENT_TIMESTAMP AS ts
            """);

        var publish = new GoldSql(ModelText.Project(model), SqlDialect.BigQuery).Publish(model, incremental: true);

        Assert.Equal(
            "BEGIN TRANSACTION;\nDELETE FROM `gold.m`\nWHERE TIMESTAMP_TRUNC(`ts`, MONTH) IN (SELECT DISTINCT TIMESTAMP_TRUNC(`ts`, MONTH) FROM `gold_staging.m`);\nINSERT INTO `gold.m` (`ts`)\nSELECT `ts` FROM `gold_staging.m`;\nCOMMIT TRANSACTION;",
            publish);
    }

    private static string ModelTextWithTest(string test) => $"""
        /*
        description: a for tests.
        columns:
          - name: id
            type: string
            description: Key.
            tests: [unique, {test}]
        */
        SELECT 'x' AS id
        """;

    private static (GoldProject Project, GoldModel Model) ProjectSelecting(string expression)
    {
        var model = ModelText.Simple("m", expression);
        return (ModelText.Project(ModelText.Simple("a", "SELECT 'x' AS id"), model), model);
    }
}
