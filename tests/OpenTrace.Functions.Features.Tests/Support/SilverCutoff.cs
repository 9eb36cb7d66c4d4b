using System.Globalization;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Features.Tests.Support;

/// <summary>
/// Turns silver back into what it held at an instant: orders placed later (with their items, payments and reviews)
/// and reviews written later are set aside, and orders delivered later lose their delivery (shipped, not delivered).
/// <see cref="RestoreAsync"/> brings everything back as a new input file (a new lineage id), as later loads would.
/// </summary>
internal static class SilverCutoff
{
    public static async Task ApplyAsync(IWarehouse warehouse, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var at = Literal(cutoff);
        await warehouse.ExecuteAsync(
            $"""
            CREATE TABLE main.held_orders AS SELECT * FROM silver.olist__orders WHERE order_purchase_timestamp >= {at};
            CREATE TABLE main.held_items AS SELECT * FROM silver.olist__order_items WHERE order_id IN (SELECT order_id FROM main.held_orders);
            CREATE TABLE main.held_payments AS SELECT * FROM silver.olist__order_payments WHERE order_id IN (SELECT order_id FROM main.held_orders);
            CREATE TABLE main.held_reviews AS SELECT * FROM silver.olist__order_reviews
              WHERE order_id IN (SELECT order_id FROM main.held_orders) OR review_creation_date >= {at} - INTERVAL 1 DAY;
            CREATE TABLE main.held_deliveries AS SELECT * FROM silver.olist__orders
              WHERE order_purchase_timestamp < {at} AND order_delivered_customer_date >= {at};
            DELETE FROM silver.olist__order_items WHERE order_id IN (SELECT order_id FROM main.held_orders);
            DELETE FROM silver.olist__order_payments WHERE order_id IN (SELECT order_id FROM main.held_orders);
            DELETE FROM silver.olist__order_reviews AS r WHERE EXISTS (SELECT 1 FROM main.held_reviews AS h WHERE h.review_id = r.review_id AND h.order_id = r.order_id);
            DELETE FROM silver.olist__orders WHERE order_id IN (SELECT order_id FROM main.held_orders);
            UPDATE silver.olist__orders SET order_status = 'shipped', order_delivered_customer_date = NULL, _lineage_id = 'cutoff'
              WHERE order_id IN (SELECT order_id FROM main.held_deliveries);
            """,
            cancellationToken: cancellationToken);
    }

    public static async Task RestoreAsync(IWarehouse warehouse, CancellationToken cancellationToken) =>
        await warehouse.ExecuteAsync(
            """
            DELETE FROM silver.olist__orders WHERE order_id IN (SELECT order_id FROM main.held_deliveries);
            UPDATE main.held_deliveries SET _lineage_id = 'restored';
            UPDATE main.held_orders SET _lineage_id = 'restored';
            UPDATE main.held_items SET _lineage_id = 'restored';
            UPDATE main.held_payments SET _lineage_id = 'restored';
            UPDATE main.held_reviews SET _lineage_id = 'restored';
            INSERT INTO silver.olist__orders SELECT * FROM main.held_deliveries;
            INSERT INTO silver.olist__orders SELECT * FROM main.held_orders;
            INSERT INTO silver.olist__order_items SELECT * FROM main.held_items;
            INSERT INTO silver.olist__order_payments SELECT * FROM main.held_payments;
            INSERT INTO silver.olist__order_reviews SELECT * FROM main.held_reviews;
            """,
            cancellationToken: cancellationToken);

    public static string Literal(DateTimeOffset instant) =>
        $"TIMESTAMP '{instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'";
}
