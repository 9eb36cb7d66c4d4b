using OpenTrace.Core.Features;
using OpenTrace.Core.Tests.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Features;

/// <summary>The feature store's SQL as rendered for BigQuery and DuckDB.</summary>
public sealed class FeatureSqlTests
{
    private static readonly FeatureCatalog Catalog = FeatureCatalog.Load(RepositoryFiles.Pipelines);

    [Fact]
    public void History_RendersGoldsMacrosPerDialect_AndCastsEveryColumn()
    {
        var seller = Catalog.FindGroup("seller")!;

        var bigQuery = new FeatureSql(SqlDialect.BigQuery).History(seller);
        var duckDb = new FeatureSql(SqlDialect.DuckDb).History(seller);

        Assert.Contains("JOIN `gold.fct_orders` AS o", bigQuery, StringComparison.Ordinal);
        Assert.Contains("TIMESTAMP_DIFF(event_timestamp, CAST('1970-01-01 00:00:00' AS TIMESTAMP), SECOND)", bigQuery, StringComparison.Ordinal);
        Assert.Contains("CAST(`late_rate_90d` AS FLOAT64) AS `late_rate_90d`", bigQuery, StringComparison.Ordinal);
        Assert.Contains("JOIN \"gold\".\"fct_orders\" AS o", duckDb, StringComparison.Ordinal);
        Assert.Contains("date_sub('second', CAST('1970-01-01 00:00:00' AS TIMESTAMP), event_timestamp)", duckDb, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", bigQuery + duckDb, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SqlDialect.BigQuery, "`")]
    [InlineData(SqlDialect.DuckDb, "\"")]
    public void PointInTime_JoinsEachGroupOnEventTimeAndCreatedAt_AtOrBeforeTheLabel(SqlDialect dialect, string q)
    {
        var task = Catalog.Tasks.Single();

        var sql = new FeatureSql(dialect).PointInTime(task, Catalog.Groups);

        foreach (var group in Catalog.Groups)
        {
            Assert.Contains($"AND g.{q}event_timestamp{q} <= l.{q}purchase_timestamp{q}", sql, StringComparison.Ordinal);
            Assert.Contains($"AND g.{q}created_at{q} <= l.{q}purchase_timestamp{q}", sql, StringComparison.Ordinal);
            Assert.Contains($"MAX(g.{q}event_timestamp{q}) AS {q}_event_timestamp{q}", sql, StringComparison.Ordinal);
            Assert.Contains($"ORDER BY g.{q}created_at{q} DESC", sql, StringComparison.Ordinal);
            Assert.Contains($"AS {q}{group.Name}__present{q}", sql, StringComparison.Ordinal);
        }

        // Both steps (the latest event time, then the rows at it) hold each group to rows written by the event.
        Assert.Equal(6, CountOf(sql, $"{q}created_at{q} <= l."));
        Assert.Contains($"AS {q}seller__late_rate_smoothed{q}", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_AfterAWatermark_StampsLateRowsWithTheWriteTime_AndSkipsStoredRows()
    {
        var customer = Catalog.FindGroup("customer")!;
        var sql = new FeatureSql(SqlDialect.BigQuery);

        var first = sql.Changes(customer, new ChangeWindow(HasStart: false, HasWatermark: false, CompareExisting: false));
        var incremental = sql.Changes(customer, new ChangeWindow(HasStart: true, HasWatermark: true, CompareExisting: true));

        Assert.Contains("w.`event_timestamp` AS `created_at`", first, StringComparison.Ordinal);
        Assert.DoesNotContain("@", first, StringComparison.Ordinal);
        Assert.Contains("WHERE h.`event_timestamp` > @from", incremental, StringComparison.Ordinal);
        Assert.Contains("CASE WHEN w.`event_timestamp` > @watermark THEN w.`event_timestamp` ELSE @now END AS `created_at`", incremental, StringComparison.Ordinal);
        Assert.Contains("FROM `features.customer` AS s", incremental, StringComparison.Ordinal);
        Assert.Contains("ABS(w.`total_spend` - e.`total_spend`) <= 0.000000001 * (1 + ABS(e.`total_spend`))", incremental, StringComparison.Ordinal);
        Assert.Contains("w.`order_count` = e.`order_count`", incremental, StringComparison.Ordinal);
    }

    [Fact]
    public void OfflineSchema_IsPartitionedByEventTime_AndClusteredByEntity()
    {
        var schema = Catalog.FindGroup("product")!.OfflineSchema();

        Assert.Equal(new TableId("features", "product"), schema.Id);
        Assert.Equal(("event_timestamp", "product_id"), (schema.PartitionBy, schema.ClusterBy!.Single()));
        Assert.Equal(["product_id", "event_timestamp", "created_at"], schema.Columns.Take(3).Select(c => c.Name));
        Assert.Equal(["_materialized_at", "_run_id"], schema.Columns.TakeLast(2).Select(c => c.Name));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
