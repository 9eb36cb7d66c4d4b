using System.Globalization;
using OpenTrace.Core;
using OpenTrace.Core.Samples;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Gold.Tests.Support;

/// <summary>
/// Builds the silver.olist__* tables in DuckDB straight from generator output, with the column types the silver
/// contracts publish (names as published, lineage columns, normalised text), merging latest-wins by key as silver does.
/// </summary>
internal static class SilverTables
{
    private const string Lineage = "_lineage_id VARCHAR, _source_uri VARCHAR, _source_generation BIGINT, _row_number BIGINT, _ingested_at TIMESTAMP";

    /// <summary>Per table: typed columns, and the SELECT list that casts the CSV's text to them.</summary>
    private static readonly Dictionary<string, (string Columns, string Select)> Tables = new(StringComparer.Ordinal)
    {
        ["customers"] = (
            "customer_id VARCHAR, customer_unique_id VARCHAR, customer_zip_code_prefix VARCHAR, customer_city VARCHAR, customer_state VARCHAR",
            "customer_id, customer_unique_id, customer_zip_code_prefix, lower(trim(customer_city)), upper(trim(customer_state))"),
        ["geolocation"] = (
            "geolocation_zip_code_prefix VARCHAR, geolocation_lat DOUBLE, geolocation_lng DOUBLE, geolocation_city VARCHAR, geolocation_state VARCHAR",
            "geolocation_zip_code_prefix, CAST(geolocation_lat AS DOUBLE), CAST(geolocation_lng AS DOUBLE), lower(trim(geolocation_city)), upper(trim(geolocation_state))"),
        ["order_items"] = (
            "order_id VARCHAR, order_item_id BIGINT, product_id VARCHAR, seller_id VARCHAR, shipping_limit_date TIMESTAMP, price DECIMAL(12,2), freight_value DECIMAL(12,2)",
            "order_id, CAST(order_item_id AS BIGINT), product_id, seller_id, CAST(shipping_limit_date AS TIMESTAMP), CAST(price AS DECIMAL(12,2)), CAST(freight_value AS DECIMAL(12,2))"),
        ["order_payments"] = (
            "order_id VARCHAR, payment_sequential BIGINT, payment_type VARCHAR, payment_installments BIGINT, payment_value DECIMAL(12,2)",
            "order_id, CAST(payment_sequential AS BIGINT), lower(trim(payment_type)), CAST(payment_installments AS BIGINT), CAST(payment_value AS DECIMAL(12,2))"),
        ["order_reviews"] = (
            "review_id VARCHAR, order_id VARCHAR, review_score BIGINT, review_comment_title VARCHAR, review_comment_message VARCHAR, review_creation_date TIMESTAMP, review_answer_timestamp TIMESTAMP",
            "review_id, order_id, CAST(review_score AS BIGINT), review_comment_title, review_comment_message, CAST(review_creation_date AS TIMESTAMP), CAST(review_answer_timestamp AS TIMESTAMP)"),
        ["orders"] = (
            "order_id VARCHAR, customer_id VARCHAR, order_status VARCHAR, order_purchase_timestamp TIMESTAMP, order_approved_at TIMESTAMP, order_delivered_carrier_date TIMESTAMP, order_delivered_customer_date TIMESTAMP, order_estimated_delivery_date TIMESTAMP",
            "order_id, customer_id, lower(trim(order_status)), CAST(order_purchase_timestamp AS TIMESTAMP), CAST(order_approved_at AS TIMESTAMP), CAST(order_delivered_carrier_date AS TIMESTAMP), CAST(order_delivered_customer_date AS TIMESTAMP), CAST(order_estimated_delivery_date AS TIMESTAMP)"),
        ["products"] = (
            "product_id VARCHAR, product_category_name VARCHAR, product_name_lenght BIGINT, product_description_lenght BIGINT, product_photos_qty BIGINT, product_weight_g BIGINT, product_length_cm BIGINT, product_height_cm BIGINT, product_width_cm BIGINT",
            "product_id, NULLIF(trim(product_category_name), ''), CAST(product_name_lenght AS BIGINT), CAST(product_description_lenght AS BIGINT), CAST(product_photos_qty AS BIGINT), CAST(product_weight_g AS BIGINT), CAST(product_length_cm AS BIGINT), CAST(product_height_cm AS BIGINT), CAST(product_width_cm AS BIGINT)"),
        ["sellers"] = (
            "seller_id VARCHAR, seller_zip_code_prefix VARCHAR, seller_city VARCHAR, seller_state VARCHAR",
            "seller_id, seller_zip_code_prefix, lower(trim(seller_city)), upper(trim(seller_state))"),
        ["product_category_name_translation"] = (
            "product_category_name VARCHAR, product_category_name_english VARCHAR",
            "product_category_name, product_category_name_english"),
    };

    /// <summary>The silver table of an Olist table, e.g. <c>silver.olist__orders</c>.</summary>
    public static TableId Table(string table) => new(Datasets.Silver, Datasets.TableName(OlistDataset.Domain, table));

    /// <summary>Generates the nine files at <paramref name="scale"/> into <paramref name="directory"/>.</summary>
    public static Task GenerateAsync(string directory, double scale, CancellationToken cancellationToken) =>
        new OlistGenerator(new OlistGeneratorOptions { Scale = scale, Seed = 7 }).WriteToDirectoryAsync(directory, cancellationToken: cancellationToken);

    /// <summary>
    /// Merges every file in <paramref name="directory"/> into its silver table as one input file with lineage id
    /// <paramref name="lineageId"/>: rows with a key already present are replaced (latest wins), others added.
    /// </summary>
    public static async Task LoadAsync(IWarehouse warehouse, string directory, string lineageId, DateTimeOffset ingestedAt, CancellationToken cancellationToken)
    {
        await warehouse.EnsureDatasetAsync(Datasets.Silver, cancellationToken);
        foreach (var file in OlistDataset.Files)
        {
            var path = Path.Combine(directory, file.FileName);
            if (!File.Exists(path))
            {
                continue;
            }

            var (columns, select) = Tables[file.Table];
            var table = $"silver.{Datasets.TableName(OlistDataset.Domain, file.Table)}";
            var source = $"read_csv('{path.Replace("'", "''", StringComparison.Ordinal)}', header = true, all_varchar = true)";
            var key = file.Key.Count == 0 ? file.Columns : file.Key;
            var staged = $"SELECT {select}, '{lineageId}', 'gs://bronze/{file.FileName}', 1, row_number() OVER (), TIMESTAMP '{ingestedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}' FROM {source}";
            await warehouse.ExecuteAsync(
                $"""
                CREATE TABLE IF NOT EXISTS {table} ({columns}, {Lineage});
                CREATE OR REPLACE TEMP TABLE incoming AS SELECT * FROM {table} LIMIT 0;
                INSERT INTO incoming {staged};
                DELETE FROM {table} AS t WHERE EXISTS (SELECT 1 FROM incoming AS i WHERE {string.Join(" AND ", key.Select(k => $"i.{k} = t.{k}"))});
                INSERT INTO {table} SELECT * FROM incoming;
                DROP TABLE incoming;
                """,
                cancellationToken: cancellationToken);
        }
    }
}
