-- kpi_seller_scorecard: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.kpi_seller_scorecard`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.kpi_seller_scorecard`
(
  `seller_id` STRING OPTIONS(description = 'Seller id.'),
  `seller_state` STRING OPTIONS(description = 'Seller\'s state.'),
  `orders` INT64 OPTIONS(description = 'Orders with at least one of the seller\'s items.'),
  `items_sold` INT64 OPTIONS(description = 'Items sold.'),
  `items_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of the seller\'s item prices.'),
  `freight_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of the freight on the seller\'s items.'),
  `delivered_orders` INT64 OPTIONS(description = 'Orders delivered to the customer.'),
  `late_orders` INT64 OPTIONS(description = 'Delivered orders that arrived late.'),
  `canceled_orders` INT64 OPTIONS(description = 'Orders canceled.'),
  `late_rate` FLOAT64 OPTIONS(description = 'late_orders / delivered_orders; null without deliveries.'),
  `avg_delivery_days` FLOAT64 OPTIONS(description = 'Mean calendar days from purchase to delivery, rounded to 2 decimals.'),
  `avg_review_score` FLOAT64 OPTIONS(description = 'Mean review score of the seller\'s reviewed orders, rounded to 2 decimals.'),
  `first_sale_date` DATE OPTIONS(description = 'Day of the seller\'s first order.'),
  `last_sale_date` DATE OPTIONS(description = 'Day of the seller\'s latest order.'),
  `active_months` INT64 OPTIONS(description = 'Months with at least one order.'),
  `tier` STRING OPTIONS(description = 'inactive, top, standard or at_risk (rules in the table description).')
)
CLUSTER BY `tier`, `seller_state`
OPTIONS(description = 'One row per seller: volume, value, delivery reliability and customer satisfaction over the seller\'s whole history, with a tier. Orders count once per seller however many of the seller\'s items they hold. Tiers: inactive (no orders); top (10+ delivered orders, at most 5% late, average score 4.5+); at_risk (more than 20% late or average score below 3.5); standard otherwise.')
AS
SELECT
  CAST(`seller_id` AS STRING) AS `seller_id`,
  CAST(`seller_state` AS STRING) AS `seller_state`,
  CAST(`orders` AS INT64) AS `orders`,
  CAST(`items_sold` AS INT64) AS `items_sold`,
  CAST(`items_value` AS NUMERIC) AS `items_value`,
  CAST(`freight_value` AS NUMERIC) AS `freight_value`,
  CAST(`delivered_orders` AS INT64) AS `delivered_orders`,
  CAST(`late_orders` AS INT64) AS `late_orders`,
  CAST(`canceled_orders` AS INT64) AS `canceled_orders`,
  CAST(`late_rate` AS FLOAT64) AS `late_rate`,
  CAST(`avg_delivery_days` AS FLOAT64) AS `avg_delivery_days`,
  CAST(`avg_review_score` AS FLOAT64) AS `avg_review_score`,
  CAST(`first_sale_date` AS DATE) AS `first_sale_date`,
  CAST(`last_sale_date` AS DATE) AS `last_sale_date`,
  CAST(`active_months` AS INT64) AS `active_months`,
  CAST(`tier` AS STRING) AS `tier`
FROM (
WITH seller_items AS (
  SELECT
    i.seller_id,
    i.order_id,
    i.price,
    i.freight_value,
    o.order_status,
    o.order_purchase_date,
    o.is_late,
    o.purchase_to_delivery_days,
    o.review_score
  FROM `gold.fct_order_items` AS i
  JOIN `gold.fct_orders` AS o
    ON o.order_id = i.order_id
),
volume AS (
  SELECT
    seller_id,
    COUNT(DISTINCT order_id) AS orders,
    COUNT(*) AS items_sold,
    SUM(price) AS items_value,
    SUM(freight_value) AS freight_value,
    COUNT(DISTINCT CASE WHEN order_status = 'delivered' THEN order_id END) AS delivered_orders,
    COUNT(DISTINCT CASE WHEN order_status = 'delivered' AND is_late THEN order_id END) AS late_orders,
    COUNT(DISTINCT CASE WHEN order_status = 'canceled' THEN order_id END) AS canceled_orders,
    MIN(order_purchase_date) AS first_sale_date,
    MAX(order_purchase_date) AS last_sale_date,
    COUNT(DISTINCT DATE_TRUNC(order_purchase_date, MONTH)) AS active_months
  FROM seller_items
  GROUP BY seller_id
),
-- One row per seller and order, so an order with several of the seller's items weighs once.
seller_orders AS (
  SELECT DISTINCT seller_id, order_id, review_score, purchase_to_delivery_days
  FROM seller_items
),
quality AS (
  SELECT
    seller_id,
    ROUND(AVG(review_score), 2) AS avg_review_score,
    ROUND(AVG(purchase_to_delivery_days), 2) AS avg_delivery_days
  FROM seller_orders
  GROUP BY seller_id
),
scored AS (
  SELECT
    s.seller_id,
    s.seller_state,
    COALESCE(v.orders, 0) AS orders,
    COALESCE(v.items_sold, 0) AS items_sold,
    COALESCE(v.items_value, 0) AS items_value,
    COALESCE(v.freight_value, 0) AS freight_value,
    COALESCE(v.delivered_orders, 0) AS delivered_orders,
    COALESCE(v.late_orders, 0) AS late_orders,
    COALESCE(v.canceled_orders, 0) AS canceled_orders,
    SAFE_DIVIDE(v.late_orders, v.delivered_orders) AS late_rate,
    q.avg_delivery_days,
    q.avg_review_score,
    v.first_sale_date,
    v.last_sale_date,
    COALESCE(v.active_months, 0) AS active_months
  FROM `gold.dim_sellers` AS s
  LEFT JOIN volume AS v
    ON v.seller_id = s.seller_id
  LEFT JOIN quality AS q
    ON q.seller_id = s.seller_id
)
SELECT
  scored.*,
  CASE
    WHEN orders = 0 THEN 'inactive'
    WHEN delivered_orders >= 10 AND late_rate <= 0.05 AND avg_review_score >= 4.5 THEN 'top'
    WHEN late_rate > 0.2 OR avg_review_score < 3.5 THEN 'at_risk'
    ELSE 'standard'
  END AS tier
FROM scored
) AS model;

-- test: unique(seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE t.`seller_id` IS NOT NULL
GROUP BY t.`seller_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE t.`seller_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(seller_id -> dim_sellers.seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_seller_scorecard` AS t
LEFT JOIN (SELECT DISTINCT `seller_id` AS `parent_key` FROM `gold.dim_sellers`) AS p ON t.`seller_id` = p.`parent_key`
WHERE t.`seller_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`seller_id`
) AS failures
LIMIT 20;

-- test: not_null(orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE t.`orders` IS NULL
) AS failures
LIMIT 20;

-- test: expression(late_orders <= delivered_orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE NOT (late_orders <= delivered_orders)
) AS failures
LIMIT 20;

-- test: expression(late_rate BETWEEN 0 AND 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE NOT (late_rate BETWEEN 0 AND 1)
) AS failures
LIMIT 20;

-- test: expression(avg_review_score BETWEEN 1 AND 5)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE NOT (avg_review_score BETWEEN 1 AND 5)
) AS failures
LIMIT 20;

-- test: not_null(tier)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE t.`tier` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(tier)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`tier` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE t.`tier` IS NOT NULL AND t.`tier` NOT IN ('inactive', 'top', 'standard', 'at_risk')
GROUP BY t.`tier`
) AS failures
LIMIT 20;

-- test: row_count_matches(dim_sellers)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.kpi_seller_scorecard`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `gold.dim_sellers`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- test: sales_dates_in_order
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_seller_scorecard` AS t
WHERE NOT (first_sale_date <= last_sale_date)
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.kpi_seller_scorecard`
COPY `gold_staging.kpi_seller_scorecard`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.kpi_seller_scorecard`;
