using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Silver;

public sealed class SilverSqlTests
{
    private static readonly TableId Target = SilverTables.TableFor(new TableRoute("olist", "orders"));
    private static readonly TableId Staging = SilverTables.StagingFor(new TableRoute("olist", "orders"), "abc");

    [Fact]
    public void Merge_BigQuery_QuotesWithBackticksAndOrdersByTheColumnThenIngestionThenRow()
    {
        var sql = SilverSql.Merge(SqlDialect.BigQuery, Target, Staging, ["order_id", "status", "updated_at", "_lineage_id", "_ingested_at", "_row_number"], ["order_id", "status", "updated_at", "coupon", "_lineage_id", "_ingested_at", "_row_number"], ["order_id"], "updated_at");

        Assert.StartsWith("MERGE INTO `silver.olist__orders` AS T USING `ops.silver_staging__olist__orders__abc` AS S ON T.`order_id` = S.`order_id`", sql, StringComparison.Ordinal);
        Assert.Contains("WHEN MATCHED AND (S.`_lineage_id` = T.`_lineage_id` OR (S.`updated_at` > T.`updated_at`", sql, StringComparison.Ordinal);
        Assert.Contains("(S.`_ingested_at` > T.`_ingested_at` OR (S.`_ingested_at` = T.`_ingested_at` AND S.`_row_number` > T.`_row_number`))", sql, StringComparison.Ordinal);
        Assert.Contains("`coupon` = NULL", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("`order_id` = S.`order_id`,", sql, StringComparison.Ordinal);
        Assert.EndsWith("WHEN NOT MATCHED THEN INSERT (`order_id`, `status`, `updated_at`, `_lineage_id`, `_ingested_at`, `_row_number`) VALUES (S.`order_id`, S.`status`, S.`updated_at`, S.`_lineage_id`, S.`_ingested_at`, S.`_row_number`)", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_DuckDb_QuotesWithDoubleQuotesAndNeedsAKey()
    {
        var sql = SilverSql.Merge(SqlDialect.DuckDb, Target, Staging, ["a"], ["a"], ["a"], null);

        Assert.StartsWith("MERGE INTO \"silver\".\"olist__orders\" AS T USING \"ops\".\"silver_staging__olist__orders__abc\" AS S ON T.\"a\" = S.\"a\"", sql, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SilverSql.Merge(SqlDialect.DuckDb, Target, Staging, ["a"], ["a"], [], null));
    }

    [Theory]
    [InlineData(SqlDialect.BigQuery, "DELETE FROM `silver.olist__orders` WHERE `_lineage_id` = @lineage")]
    [InlineData(SqlDialect.DuckDb, "DELETE FROM \"silver\".\"olist__orders\" WHERE \"_lineage_id\" = @lineage")]
    public void DeleteLineage_UsesAParameter(SqlDialect dialect, string expected) =>
        Assert.Equal(expected, SilverSql.DeleteLineage(dialect, Target));

    [Fact]
    public void Orphans_JoinsTheDistinctParentKeysForOneFile()
    {
        var sql = SilverSql.Orphans(SqlDialect.BigQuery, Target, "customer_id", SilverTables.TableFor(new TableRoute("olist", "customers")), "customer_id");

        Assert.Contains("LEFT JOIN (SELECT DISTINCT `customer_id` AS k FROM `silver.olist__customers`) AS p ON p.k = c.`customer_id`", sql, StringComparison.Ordinal);
        Assert.Contains("WHERE c.`_lineage_id` = @lineage AND c.`customer_id` IS NOT NULL", sql, StringComparison.Ordinal);
        Assert.Contains("CAST(c.`customer_id` AS STRING)", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_DeriveFromTheRouteAndTheLineage()
    {
        var route = new TableRoute("olist", "orders");

        Assert.Equal("silver/olist/orders/ingest_date=2024-02-01/abc.parquet", SilverTables.SilverObject(route, new DateOnly(2024, 2, 1), "abc"));
        Assert.Equal("quarantine/olist/orders/ingest_date=2024-02-01/abc.parquet", SilverTables.QuarantineObject(route, new DateOnly(2024, 2, 1), "abc"));
        Assert.Equal("abc:42", SilverTables.RowQuarantineId("abc", 42));
        Assert.Equal("abc:file", SilverTables.FileQuarantineId("abc"));
        Assert.Equal(new TableId("ops", "silver_staging__olist__orders__abc"), Staging);
    }
}
