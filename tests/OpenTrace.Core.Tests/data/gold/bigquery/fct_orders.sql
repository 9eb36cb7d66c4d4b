-- fct_orders: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.fct_orders`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.fct_orders`
(
  `order_id` STRING OPTIONS(description = 'Order id.'),
  `customer_id` STRING OPTIONS(description = 'Customer id of the order (dim_customers).'),
  `order_status` STRING OPTIONS(description = 'Status as published, lower case.'),
  `purchased_at` TIMESTAMP OPTIONS(description = 'When the order was placed (UTC).'),
  `order_purchase_date` DATE OPTIONS(description = 'Day the order was placed (UTC); joins dim_date.'),
  `approved_at` TIMESTAMP OPTIONS(description = 'When the payment was approved; null before approval.'),
  `delivered_to_carrier_at` TIMESTAMP OPTIONS(description = 'When the seller handed the order to the carrier; null before.'),
  `delivered_to_customer_at` TIMESTAMP OPTIONS(description = 'When the customer received the order; null until delivered.'),
  `estimated_delivery_date` DATE OPTIONS(description = 'Delivery date promised at purchase.'),
  `item_count` INT64 OPTIONS(description = 'Items in the order.'),
  `seller_count` INT64 OPTIONS(description = 'Distinct sellers of the order\'s items.'),
  `items_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item prices.'),
  `freight_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item freight.'),
  `order_value` NUMERIC(18, 2) OPTIONS(description = 'Items plus freight.'),
  `payment_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of the order\'s payments (all methods and instalment plans).'),
  `payment_count` INT64 OPTIONS(description = 'Payment rows of the order (vouchers add rows).'),
  `payment_types` STRING OPTIONS(description = 'Payment methods used, comma-separated in alphabetical order; null when the order has no payment.'),
  `max_installments` INT64 OPTIONS(description = 'Largest instalment count among the order\'s payments.'),
  `review_score` INT64 OPTIONS(description = 'Score of the order\'s latest answered review, 1 to 5; null when not reviewed.'),
  `purchase_to_delivery_days` INT64 OPTIONS(description = 'Calendar days from purchase to delivery; null until delivered.'),
  `delivered_vs_estimated_days` INT64 OPTIONS(description = 'Calendar days from the estimated date to the delivery date; negative is early, null until delivered.'),
  `is_late` BOOL OPTIONS(description = 'Delivered after the start of the estimated delivery date; null until delivered.'),
  `is_delivered` BOOL OPTIONS(description = 'True when the status is delivered.')
)
PARTITION BY DATE_TRUNC(`order_purchase_date`, MONTH)
CLUSTER BY `order_status`, `customer_id`
OPTIONS(description = 'One row per order: status, lifecycle timestamps, item and payment totals, the latest review score and the delivery measures. Delivery days count calendar days (UTC); an order is late when it was delivered after the start of its estimated delivery date, the timestamp comparison analyses of the published data use.')
AS
SELECT
  CAST(`order_id` AS STRING) AS `order_id`,
  CAST(`customer_id` AS STRING) AS `customer_id`,
  CAST(`order_status` AS STRING) AS `order_status`,
  CAST(`purchased_at` AS TIMESTAMP) AS `purchased_at`,
  CAST(`order_purchase_date` AS DATE) AS `order_purchase_date`,
  CAST(`approved_at` AS TIMESTAMP) AS `approved_at`,
  CAST(`delivered_to_carrier_at` AS TIMESTAMP) AS `delivered_to_carrier_at`,
  CAST(`delivered_to_customer_at` AS TIMESTAMP) AS `delivered_to_customer_at`,
  CAST(`estimated_delivery_date` AS DATE) AS `estimated_delivery_date`,
  CAST(`item_count` AS INT64) AS `item_count`,
  CAST(`seller_count` AS INT64) AS `seller_count`,
  CAST(`items_value` AS NUMERIC) AS `items_value`,
  CAST(`freight_value` AS NUMERIC) AS `freight_value`,
  CAST(`order_value` AS NUMERIC) AS `order_value`,
  CAST(`payment_value` AS NUMERIC) AS `payment_value`,
  CAST(`payment_count` AS INT64) AS `payment_count`,
  CAST(`payment_types` AS STRING) AS `payment_types`,
  CAST(`max_installments` AS INT64) AS `max_installments`,
  CAST(`review_score` AS INT64) AS `review_score`,
  CAST(`purchase_to_delivery_days` AS INT64) AS `purchase_to_delivery_days`,
  CAST(`delivered_vs_estimated_days` AS INT64) AS `delivered_vs_estimated_days`,
  CAST(`is_late` AS BOOL) AS `is_late`,
  CAST(`is_delivered` AS BOOL) AS `is_delivered`
FROM (
WITH items AS (
  SELECT
    i.order_id,
    COUNT(*) AS item_count,
    COUNT(DISTINCT i.seller_id) AS seller_count,
    SUM(i.price) AS items_value,
    SUM(i.freight_value) AS freight_value
  FROM `silver.olist__order_items` AS i
  GROUP BY i.order_id
),
payments AS (
  SELECT
    p.order_id,
    SUM(p.payment_value) AS payment_value,
    COUNT(*) AS payment_count,
    MAX(p.payment_installments) AS max_installments,
    STRING_AGG(DISTINCT p.payment_type, ', ' ORDER BY p.payment_type) AS payment_types
  FROM `silver.olist__order_payments` AS p
  GROUP BY p.order_id
),
latest_review AS (
  SELECT r.order_id, r.review_score
  FROM (
    SELECT
      order_id,
      review_score,
      ROW_NUMBER() OVER (
        PARTITION BY order_id
        ORDER BY review_answer_timestamp DESC, review_creation_date DESC, review_id
      ) AS review_rank
    FROM `silver.olist__order_reviews`
  ) AS r
  WHERE r.review_rank = 1
),
orders AS (
  SELECT
    o.*,
    DATE(o.order_purchase_timestamp) AS purchase_day,
    DATE(o.order_delivered_customer_date) AS delivered_day,
    DATE(o.order_estimated_delivery_date) AS estimated_day
  FROM `silver.olist__orders` AS o
)
SELECT
  o.order_id,
  o.customer_id,
  o.order_status,
  o.order_purchase_timestamp AS purchased_at,
  o.purchase_day AS order_purchase_date,
  o.order_approved_at AS approved_at,
  o.order_delivered_carrier_date AS delivered_to_carrier_at,
  o.order_delivered_customer_date AS delivered_to_customer_at,
  o.estimated_day AS estimated_delivery_date,
  COALESCE(i.item_count, 0) AS item_count,
  COALESCE(i.seller_count, 0) AS seller_count,
  COALESCE(i.items_value, 0) AS items_value,
  COALESCE(i.freight_value, 0) AS freight_value,
  COALESCE(i.items_value, 0) + COALESCE(i.freight_value, 0) AS order_value,
  COALESCE(p.payment_value, 0) AS payment_value,
  COALESCE(p.payment_count, 0) AS payment_count,
  p.payment_types,
  p.max_installments,
  r.review_score,
  DATE_DIFF(o.delivered_day, o.purchase_day, DAY) AS purchase_to_delivery_days,
  DATE_DIFF(o.delivered_day, o.estimated_day, DAY) AS delivered_vs_estimated_days,
  CASE
    WHEN o.order_delivered_customer_date IS NULL THEN NULL
    ELSE o.order_delivered_customer_date > o.order_estimated_delivery_date
  END AS is_late,
  o.order_status = 'delivered' AS is_delivered
FROM orders AS o
LEFT JOIN items AS i
  ON i.order_id = o.order_id
LEFT JOIN payments AS p
  ON p.order_id = o.order_id
LEFT JOIN latest_review AS r
  ON r.order_id = o.order_id
) AS model;

-- test: unique(order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_orders` AS t
WHERE t.`order_id` IS NOT NULL
GROUP BY t.`order_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`order_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(customer_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`customer_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(customer_id -> dim_customers.customer_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`customer_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_orders` AS t
LEFT JOIN (SELECT DISTINCT `customer_id` AS `parent_key` FROM `gold.dim_customers`) AS p ON t.`customer_id` = p.`parent_key`
WHERE t.`customer_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`customer_id`
) AS failures
LIMIT 20;

-- test: not_null(order_status)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`order_status` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(order_status)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_status` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_orders` AS t
WHERE t.`order_status` IS NOT NULL AND t.`order_status` NOT IN ('delivered', 'shipped', 'canceled', 'unavailable', 'invoiced', 'processing', 'created', 'approved')
GROUP BY t.`order_status`
) AS failures
LIMIT 20;

-- test: not_null(purchased_at)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`purchased_at` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(order_purchase_date)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`order_purchase_date` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(order_purchase_date -> dim_date.date_day)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_purchase_date` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_orders` AS t
LEFT JOIN (SELECT DISTINCT `date_day` AS `parent_key` FROM `gold.dim_date`) AS p ON t.`order_purchase_date` = p.`parent_key`
WHERE t.`order_purchase_date` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`order_purchase_date`
) AS failures
LIMIT 20;

-- test: not_null(item_count)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`item_count` IS NULL
) AS failures
LIMIT 20;

-- test: expression(item_count >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE NOT (item_count >= 0)
) AS failures
LIMIT 20;

-- test: not_null(items_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`items_value` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(freight_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`freight_value` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(order_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`order_value` IS NULL
) AS failures
LIMIT 20;

-- test: expression(order_value = items_value + freight_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE NOT (order_value = items_value + freight_value)
) AS failures
LIMIT 20;

-- test: not_null(payment_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`payment_value` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(review_score)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`review_score` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_orders` AS t
WHERE t.`review_score` IS NOT NULL AND t.`review_score` NOT IN (1, 2, 3, 4, 5)
GROUP BY t.`review_score`
) AS failures
LIMIT 20;

-- test: expression(purchase_to_delivery_days >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE NOT (purchase_to_delivery_days >= 0)
) AS failures
LIMIT 20;

-- test: expression(NOT is_late OR delivered_vs_estimated_days >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE NOT (NOT is_late OR delivered_vs_estimated_days >= 0)
) AS failures
LIMIT 20;

-- test: not_null(is_delivered)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE t.`is_delivered` IS NULL
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.fct_orders`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__orders`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- test: delivered_orders_have_delivery_time [warn]
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_orders` AS t
WHERE NOT (NOT is_delivered OR delivered_to_customer_at IS NOT NULL)
) AS failures
LIMIT 20;

-- test: payments_reconcile_with_silver
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT f.payments AS gold_payments, s.payments AS silver_payments
FROM (SELECT SUM(payment_value) AS payments FROM `gold_staging.fct_orders`) AS f
CROSS JOIN (
  SELECT SUM(p.payment_value) AS payments
  FROM `silver.olist__order_payments` AS p
  JOIN `silver.olist__orders` AS o
    ON o.order_id = p.order_id
) AS s
WHERE f.payments <> s.payments
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.fct_orders`
COPY `gold_staging.fct_orders`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.fct_orders`;
