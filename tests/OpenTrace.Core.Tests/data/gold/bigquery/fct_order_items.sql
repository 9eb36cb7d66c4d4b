-- fct_order_items: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.fct_order_items`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.fct_order_items`
(
  `order_id` STRING OPTIONS(description = 'Order id.'),
  `order_item_id` INT64 OPTIONS(description = 'Position of the item in the order, from 1.'),
  `product_id` STRING OPTIONS(description = 'Product sold.'),
  `seller_id` STRING OPTIONS(description = 'Seller who sold it.'),
  `customer_id` STRING OPTIONS(description = 'Customer id of the order.'),
  `order_status` STRING OPTIONS(description = 'Status of the order.'),
  `order_purchase_date` DATE OPTIONS(description = 'Day the order was placed (UTC).'),
  `shipping_limit_at` TIMESTAMP OPTIONS(description = 'Deadline for the seller to hand the item to the carrier.'),
  `price` NUMERIC(18, 2) OPTIONS(description = 'Item price.'),
  `freight_value` NUMERIC(18, 2) OPTIONS(description = 'Freight charged for the item (an order\'s freight is split across its items).'),
  `item_value` NUMERIC(18, 2) OPTIONS(description = 'Price plus freight.')
)
PARTITION BY DATE_TRUNC(`order_purchase_date`, MONTH)
CLUSTER BY `seller_id`, `product_id`
OPTIONS(description = 'One row per order item (an order of three units of a product has three items), with its product, seller, price and freight, and the order\'s purchase day and status for slicing.')
AS
SELECT
  CAST(`order_id` AS STRING) AS `order_id`,
  CAST(`order_item_id` AS INT64) AS `order_item_id`,
  CAST(`product_id` AS STRING) AS `product_id`,
  CAST(`seller_id` AS STRING) AS `seller_id`,
  CAST(`customer_id` AS STRING) AS `customer_id`,
  CAST(`order_status` AS STRING) AS `order_status`,
  CAST(`order_purchase_date` AS DATE) AS `order_purchase_date`,
  CAST(`shipping_limit_at` AS TIMESTAMP) AS `shipping_limit_at`,
  CAST(`price` AS NUMERIC) AS `price`,
  CAST(`freight_value` AS NUMERIC) AS `freight_value`,
  CAST(`item_value` AS NUMERIC) AS `item_value`
FROM (
SELECT
  i.order_id,
  i.order_item_id,
  i.product_id,
  i.seller_id,
  o.customer_id,
  o.order_status,
  DATE(o.order_purchase_timestamp) AS order_purchase_date,
  i.shipping_limit_date AS shipping_limit_at,
  i.price,
  i.freight_value,
  i.price + i.freight_value AS item_value
FROM `silver.olist__order_items` AS i
LEFT JOIN `silver.olist__orders` AS o
  ON o.order_id = i.order_id
) AS model;

-- test: not_null(order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`order_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(order_id -> fct_orders.order_id) [warn]
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_order_items` AS t
LEFT JOIN (SELECT DISTINCT `order_id` AS `parent_key` FROM `gold.fct_orders`) AS p ON t.`order_id` = p.`parent_key`
WHERE t.`order_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`order_id`
) AS failures
LIMIT 20;

-- test: not_null(order_item_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`order_item_id` IS NULL
) AS failures
LIMIT 20;

-- test: expression(order_item_id >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE NOT (order_item_id >= 1)
) AS failures
LIMIT 20;

-- test: not_null(product_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`product_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(product_id -> dim_products.product_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`product_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_order_items` AS t
LEFT JOIN (SELECT DISTINCT `product_id` AS `parent_key` FROM `gold.dim_products`) AS p ON t.`product_id` = p.`parent_key`
WHERE t.`product_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`product_id`
) AS failures
LIMIT 20;

-- test: not_null(seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`seller_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(seller_id -> dim_sellers.seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_order_items` AS t
LEFT JOIN (SELECT DISTINCT `seller_id` AS `parent_key` FROM `gold.dim_sellers`) AS p ON t.`seller_id` = p.`parent_key`
WHERE t.`seller_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`seller_id`
) AS failures
LIMIT 20;

-- test: not_null(price)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`price` IS NULL
) AS failures
LIMIT 20;

-- test: expression(price > 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE NOT (price > 0)
) AS failures
LIMIT 20;

-- test: not_null(freight_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE t.`freight_value` IS NULL
) AS failures
LIMIT 20;

-- test: expression(freight_value >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE NOT (freight_value >= 0)
) AS failures
LIMIT 20;

-- test: expression(item_value = price + freight_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_order_items` AS t
WHERE NOT (item_value = price + freight_value)
) AS failures
LIMIT 20;

-- test: unique(order_id, order_item_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id`, t.`order_item_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_order_items` AS t
GROUP BY t.`order_id`, t.`order_item_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__order_items)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.fct_order_items`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__order_items`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.fct_order_items`
COPY `gold_staging.fct_order_items`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.fct_order_items`;
