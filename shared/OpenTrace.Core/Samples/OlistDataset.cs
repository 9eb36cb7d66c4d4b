namespace OpenTrace.Core.Samples;

/// <summary>One file of the public Olist e-commerce dataset.</summary>
/// <param name="FileName">The published file name, e.g. <c>olist_orders_dataset.csv</c>.</param>
/// <param name="Table">The table it lands in within the <c>olist</c> domain, e.g. <c>orders</c>.</param>
/// <param name="Columns">The header, in published order and spelling (including <c>product_name_lenght</c>).</param>
/// <param name="Key">The columns that identify a row (empty for geolocation, which has no key).</param>
public sealed record OlistFile(string FileName, string Table, IReadOnlyList<string> Columns, IReadOnlyList<string> Key);

/// <summary>
/// The nine files of the public Brazilian e-commerce dataset by Olist: file names, table names and headers exactly
/// as published, so the real files can be dropped in unchanged and generated ones look the same.
/// </summary>
public static class OlistDataset
{
    /// <summary>The domain the tables belong to.</summary>
    public const string Domain = "olist";

    /// <summary><c>olist_customers_dataset.csv</c> → <c>customers</c>.</summary>
    public static OlistFile Customers { get; } = new(
        "olist_customers_dataset.csv",
        "customers",
        ["customer_id", "customer_unique_id", "customer_zip_code_prefix", "customer_city", "customer_state"],
        ["customer_id"]);

    /// <summary><c>olist_geolocation_dataset.csv</c> → <c>geolocation</c> (many rows per zip prefix).</summary>
    public static OlistFile Geolocation { get; } = new(
        "olist_geolocation_dataset.csv",
        "geolocation",
        ["geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng", "geolocation_city", "geolocation_state"],
        []);

    /// <summary><c>olist_order_items_dataset.csv</c> → <c>order_items</c>.</summary>
    public static OlistFile OrderItems { get; } = new(
        "olist_order_items_dataset.csv",
        "order_items",
        ["order_id", "order_item_id", "product_id", "seller_id", "shipping_limit_date", "price", "freight_value"],
        ["order_id", "order_item_id"]);

    /// <summary><c>olist_order_payments_dataset.csv</c> → <c>order_payments</c>.</summary>
    public static OlistFile OrderPayments { get; } = new(
        "olist_order_payments_dataset.csv",
        "order_payments",
        ["order_id", "payment_sequential", "payment_type", "payment_installments", "payment_value"],
        ["order_id", "payment_sequential"]);

    /// <summary><c>olist_order_reviews_dataset.csv</c> → <c>order_reviews</c>. The key is review and order together:
    /// the published data reuses some review ids across orders.</summary>
    public static OlistFile OrderReviews { get; } = new(
        "olist_order_reviews_dataset.csv",
        "order_reviews",
        ["review_id", "order_id", "review_score", "review_comment_title", "review_comment_message", "review_creation_date", "review_answer_timestamp"],
        ["review_id", "order_id"]);

    /// <summary><c>olist_orders_dataset.csv</c> → <c>orders</c>.</summary>
    public static OlistFile Orders { get; } = new(
        "olist_orders_dataset.csv",
        "orders",
        ["order_id", "customer_id", "order_status", "order_purchase_timestamp", "order_approved_at", "order_delivered_carrier_date", "order_delivered_customer_date", "order_estimated_delivery_date"],
        ["order_id"]);

    /// <summary><c>olist_products_dataset.csv</c> → <c>products</c>.</summary>
    public static OlistFile Products { get; } = new(
        "olist_products_dataset.csv",
        "products",
        ["product_id", "product_category_name", "product_name_lenght", "product_description_lenght", "product_photos_qty", "product_weight_g", "product_length_cm", "product_height_cm", "product_width_cm"],
        ["product_id"]);

    /// <summary><c>olist_sellers_dataset.csv</c> → <c>sellers</c>.</summary>
    public static OlistFile Sellers { get; } = new(
        "olist_sellers_dataset.csv",
        "sellers",
        ["seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"],
        ["seller_id"]);

    /// <summary><c>product_category_name_translation.csv</c> → <c>product_category_name_translation</c>.</summary>
    public static OlistFile CategoryTranslation { get; } = new(
        "product_category_name_translation.csv",
        "product_category_name_translation",
        ["product_category_name", "product_category_name_english"],
        ["product_category_name"]);

    /// <summary>All nine files, ordered by file name.</summary>
    public static IReadOnlyList<OlistFile> Files { get; } =
        [Customers, Geolocation, OrderItems, OrderPayments, OrderReviews, Orders, Products, Sellers, CategoryTranslation];

    /// <summary>The file with this published name (ordinal, case-sensitive), or null.</summary>
    public static OlistFile? FindByFileName(string fileName) => Files.FirstOrDefault(f => f.FileName == fileName);

    /// <summary>The file that lands in this table (e.g. <c>orders</c>), or null.</summary>
    public static OlistFile? FindByTable(string table) => Files.FirstOrDefault(f => f.Table == table);

    /// <summary>The file name → table name map, e.g. <c>olist_orders_dataset.csv</c> → <c>orders</c>.</summary>
    public static IReadOnlyDictionary<string, string> TableByFileName { get; } =
        Files.ToDictionary(f => f.FileName, f => f.Table, StringComparer.Ordinal);
}
