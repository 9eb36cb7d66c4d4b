using OpenTrace.Functions.Features.Tests.Support;

namespace OpenTrace.Functions.Serve.Tests.Support;

/// <summary>Predict request bodies made from orders of the generated data.</summary>
internal static class Orders
{
    /// <summary>The predict request of the <paramref name="skip"/>-th delivered order (by id): its ids and request-time fields.</summary>
    public static async Task<Dictionary<string, object?>> RequestAsync(FeatureWorld world, int skip = 0)
    {
        var row = (await world.RowsAsync(
            $"""
            SELECT o.order_id, c.customer_unique_id, i.seller_id, i.product_id, c.customer_state, s.seller_state,
              CAST(i.price AS DOUBLE) AS price, CAST(i.freight_value AS DOUBLE) AS freight_value, CAST(o.item_count AS DOUBLE) AS item_count,
              CAST(o.estimated_delivery_date AS TIMESTAMP) AS estimated_delivery_date, o.purchased_at
            FROM gold.fct_orders AS o
            JOIN gold.dim_customers AS c ON c.customer_id = o.customer_id
            JOIN gold.fct_order_items AS i ON i.order_id = o.order_id AND i.order_item_id = 1
            JOIN gold.dim_sellers AS s ON s.seller_id = i.seller_id
            WHERE o.is_late IS NOT NULL AND o.purchased_at > TIMESTAMP '2018-06-01'
            ORDER BY o.order_id LIMIT 1 OFFSET {skip}
            """, TestContext.Current.CancellationToken)).Single();
        return new Dictionary<string, object?>
        {
            ["order_id"] = row["order_id"],
            ["customer_unique_id"] = row["customer_unique_id"],
            ["seller_id"] = row["seller_id"],
            ["product_id"] = row["product_id"],
            ["customer_state"] = row["customer_state"],
            ["seller_state"] = row["seller_state"],
            ["price"] = row["price"],
            ["freight_value"] = row["freight_value"],
            ["item_count"] = row["item_count"],
            ["estimated_delivery_date"] = row.Get<DateTimeOffset>("estimated_delivery_date"),
            ["purchase_timestamp"] = row.Get<DateTimeOffset>("purchased_at"),
        };
    }
}
