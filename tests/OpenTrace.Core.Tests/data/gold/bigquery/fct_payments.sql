-- fct_payments: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.fct_payments`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.fct_payments`
(
  `order_id` STRING OPTIONS(description = 'Order id.'),
  `payment_sequential` INT64 OPTIONS(description = 'Number of this payment within the order, from 1.'),
  `payment_type` STRING OPTIONS(description = 'Method, lower case.'),
  `payment_installments` INT64 OPTIONS(description = 'Instalments the payment is split into (0 appears in the published data for a few card payments).'),
  `payment_value` NUMERIC(18, 2) OPTIONS(description = 'Amount paid.'),
  `order_purchase_date` DATE OPTIONS(description = 'Day the order was placed (UTC).')
)
PARTITION BY DATE_TRUNC(`order_purchase_date`, MONTH)
CLUSTER BY `payment_type`
OPTIONS(description = 'One row per payment of an order. An order can be paid in parts (for example a card and vouchers); payment_value is the amount of this part, paid in payment_installments instalments.')
AS
SELECT
  CAST(`order_id` AS STRING) AS `order_id`,
  CAST(`payment_sequential` AS INT64) AS `payment_sequential`,
  CAST(`payment_type` AS STRING) AS `payment_type`,
  CAST(`payment_installments` AS INT64) AS `payment_installments`,
  CAST(`payment_value` AS NUMERIC) AS `payment_value`,
  CAST(`order_purchase_date` AS DATE) AS `order_purchase_date`
FROM (
SELECT
  p.order_id,
  p.payment_sequential,
  p.payment_type,
  p.payment_installments,
  p.payment_value,
  DATE(o.order_purchase_timestamp) AS order_purchase_date
FROM `silver.olist__order_payments` AS p
LEFT JOIN `silver.olist__orders` AS o
  ON o.order_id = p.order_id
) AS model;

-- test: not_null(order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE t.`order_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(order_id -> fct_orders.order_id) [warn]
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_payments` AS t
LEFT JOIN (SELECT DISTINCT `order_id` AS `parent_key` FROM `gold.fct_orders`) AS p ON t.`order_id` = p.`parent_key`
WHERE t.`order_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`order_id`
) AS failures
LIMIT 20;

-- test: not_null(payment_sequential)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE t.`payment_sequential` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(payment_type)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE t.`payment_type` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(payment_type)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`payment_type` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_payments` AS t
WHERE t.`payment_type` IS NOT NULL AND t.`payment_type` NOT IN ('credit_card', 'boleto', 'voucher', 'debit_card', 'not_defined')
GROUP BY t.`payment_type`
) AS failures
LIMIT 20;

-- test: expression(payment_installments >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE NOT (payment_installments >= 0)
) AS failures
LIMIT 20;

-- test: not_null(payment_value)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE t.`payment_value` IS NULL
) AS failures
LIMIT 20;

-- test: expression(payment_value >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_payments` AS t
WHERE NOT (payment_value >= 0)
) AS failures
LIMIT 20;

-- test: unique(order_id, payment_sequential)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id`, t.`payment_sequential`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_payments` AS t
GROUP BY t.`order_id`, t.`payment_sequential`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__order_payments)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.fct_payments`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__order_payments`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.fct_payments`
COPY `gold_staging.fct_payments`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.fct_payments`;
