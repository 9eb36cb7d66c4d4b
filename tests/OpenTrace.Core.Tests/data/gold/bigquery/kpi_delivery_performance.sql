-- kpi_delivery_performance: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.kpi_delivery_performance`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.kpi_delivery_performance`
(
  `purchase_month` DATE OPTIONS(description = 'First day of the month the orders were placed in (UTC).'),
  `seller_state` STRING OPTIONS(description = 'State of a seller of the order.'),
  `seller_region` STRING OPTIONS(description = 'IBGE macro-region of the seller state.'),
  `delivered_orders` INT64 OPTIONS(description = 'Orders delivered to the customer.'),
  `late_orders` INT64 OPTIONS(description = 'Delivered orders that arrived after the estimated date (fct_orders.is_late).'),
  `late_rate` FLOAT64 OPTIONS(description = 'late_orders / delivered_orders.'),
  `avg_delivery_days` FLOAT64 OPTIONS(description = 'Mean calendar days from purchase to delivery, rounded to 2 decimals.'),
  `avg_delivered_vs_estimated_days` FLOAT64 OPTIONS(description = 'Mean days from the estimated date to delivery (negative is early), rounded to 2 decimals.'),
  `avg_days_late_when_late` FLOAT64 OPTIONS(description = 'Mean days past the estimate among late orders; null when none was late.'),
  `avg_review_score` FLOAT64 OPTIONS(description = 'Mean review score of the orders that were reviewed, rounded to 2 decimals.')
)
PARTITION BY DATE_TRUNC(`purchase_month`, MONTH)
CLUSTER BY `seller_state`
OPTIONS(description = 'Delivery performance of delivered orders by purchase month and seller state: how many arrived late, how long delivery took and how far from the estimate. An order with sellers in two states counts in both.')
AS
SELECT
  CAST(`purchase_month` AS DATE) AS `purchase_month`,
  CAST(`seller_state` AS STRING) AS `seller_state`,
  CAST(`seller_region` AS STRING) AS `seller_region`,
  CAST(`delivered_orders` AS INT64) AS `delivered_orders`,
  CAST(`late_orders` AS INT64) AS `late_orders`,
  CAST(`late_rate` AS FLOAT64) AS `late_rate`,
  CAST(`avg_delivery_days` AS FLOAT64) AS `avg_delivery_days`,
  CAST(`avg_delivered_vs_estimated_days` AS FLOAT64) AS `avg_delivered_vs_estimated_days`,
  CAST(`avg_days_late_when_late` AS FLOAT64) AS `avg_days_late_when_late`,
  CAST(`avg_review_score` AS FLOAT64) AS `avg_review_score`
FROM (
WITH changed_orders AS (
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  WHERE TRUE
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  WHERE TRUE
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__sellers` AS s
    ON s.seller_id = i.seller_id
  WHERE TRUE
  UNION DISTINCT
  SELECT r.order_id
  FROM `silver.olist__order_reviews` AS r
  WHERE TRUE
),
affected_months AS (
  SELECT DISTINCT DATE_TRUNC(f.order_purchase_date, MONTH) AS purchase_month
  FROM `gold.fct_orders` AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
delivered AS (
  SELECT
    f.order_id,
    DATE_TRUNC(f.order_purchase_date, MONTH) AS purchase_month,
    f.purchase_to_delivery_days,
    f.delivered_vs_estimated_days,
    f.is_late,
    f.review_score
  FROM `gold.fct_orders` AS f
  WHERE f.order_status = 'delivered'
    AND f.delivered_to_customer_at IS NOT NULL
    AND DATE_TRUNC(f.order_purchase_date, MONTH) IN (SELECT purchase_month FROM affected_months)
),
order_seller_states AS (
  SELECT DISTINCT i.order_id, s.seller_state, s.seller_region
  FROM `gold.fct_order_items` AS i
  JOIN `gold.dim_sellers` AS s
    ON s.seller_id = i.seller_id
)
SELECT
  d.purchase_month,
  s.seller_state,
  s.seller_region,
  COUNT(*) AS delivered_orders,
  COUNTIF(d.is_late) AS late_orders,
  SAFE_DIVIDE(COUNTIF(d.is_late), COUNT(*)) AS late_rate,
  ROUND(AVG(d.purchase_to_delivery_days), 2) AS avg_delivery_days,
  ROUND(AVG(d.delivered_vs_estimated_days), 2) AS avg_delivered_vs_estimated_days,
  ROUND(AVG(CASE WHEN d.is_late THEN d.delivered_vs_estimated_days END), 2) AS avg_days_late_when_late,
  ROUND(AVG(d.review_score), 2) AS avg_review_score
FROM delivered AS d
JOIN order_seller_states AS s
  ON s.order_id = d.order_id
GROUP BY d.purchase_month, s.seller_state, s.seller_region
) AS model;

-- build: incremental, with one changed lineage id per source
CREATE OR REPLACE TABLE `gold_staging.kpi_delivery_performance`
(
  `purchase_month` DATE OPTIONS(description = 'First day of the month the orders were placed in (UTC).'),
  `seller_state` STRING OPTIONS(description = 'State of a seller of the order.'),
  `seller_region` STRING OPTIONS(description = 'IBGE macro-region of the seller state.'),
  `delivered_orders` INT64 OPTIONS(description = 'Orders delivered to the customer.'),
  `late_orders` INT64 OPTIONS(description = 'Delivered orders that arrived after the estimated date (fct_orders.is_late).'),
  `late_rate` FLOAT64 OPTIONS(description = 'late_orders / delivered_orders.'),
  `avg_delivery_days` FLOAT64 OPTIONS(description = 'Mean calendar days from purchase to delivery, rounded to 2 decimals.'),
  `avg_delivered_vs_estimated_days` FLOAT64 OPTIONS(description = 'Mean days from the estimated date to delivery (negative is early), rounded to 2 decimals.'),
  `avg_days_late_when_late` FLOAT64 OPTIONS(description = 'Mean days past the estimate among late orders; null when none was late.'),
  `avg_review_score` FLOAT64 OPTIONS(description = 'Mean review score of the orders that were reviewed, rounded to 2 decimals.')
)
PARTITION BY DATE_TRUNC(`purchase_month`, MONTH)
CLUSTER BY `seller_state`
OPTIONS(description = 'Delivery performance of delivered orders by purchase month and seller state: how many arrived late, how long delivery took and how far from the estimate. An order with sellers in two states counts in both.')
AS
SELECT
  CAST(`purchase_month` AS DATE) AS `purchase_month`,
  CAST(`seller_state` AS STRING) AS `seller_state`,
  CAST(`seller_region` AS STRING) AS `seller_region`,
  CAST(`delivered_orders` AS INT64) AS `delivered_orders`,
  CAST(`late_orders` AS INT64) AS `late_orders`,
  CAST(`late_rate` AS FLOAT64) AS `late_rate`,
  CAST(`avg_delivery_days` AS FLOAT64) AS `avg_delivery_days`,
  CAST(`avg_delivered_vs_estimated_days` AS FLOAT64) AS `avg_delivered_vs_estimated_days`,
  CAST(`avg_days_late_when_late` AS FLOAT64) AS `avg_days_late_when_late`,
  CAST(`avg_review_score` AS FLOAT64) AS `avg_review_score`
FROM (
WITH changed_orders AS (
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  WHERE o.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  WHERE i.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__sellers` AS s
    ON s.seller_id = i.seller_id
  WHERE s.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT r.order_id
  FROM `silver.olist__order_reviews` AS r
  WHERE r.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
),
affected_months AS (
  SELECT DISTINCT DATE_TRUNC(f.order_purchase_date, MONTH) AS purchase_month
  FROM `gold.fct_orders` AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
delivered AS (
  SELECT
    f.order_id,
    DATE_TRUNC(f.order_purchase_date, MONTH) AS purchase_month,
    f.purchase_to_delivery_days,
    f.delivered_vs_estimated_days,
    f.is_late,
    f.review_score
  FROM `gold.fct_orders` AS f
  WHERE f.order_status = 'delivered'
    AND f.delivered_to_customer_at IS NOT NULL
    AND DATE_TRUNC(f.order_purchase_date, MONTH) IN (SELECT purchase_month FROM affected_months)
),
order_seller_states AS (
  SELECT DISTINCT i.order_id, s.seller_state, s.seller_region
  FROM `gold.fct_order_items` AS i
  JOIN `gold.dim_sellers` AS s
    ON s.seller_id = i.seller_id
)
SELECT
  d.purchase_month,
  s.seller_state,
  s.seller_region,
  COUNT(*) AS delivered_orders,
  COUNTIF(d.is_late) AS late_orders,
  SAFE_DIVIDE(COUNTIF(d.is_late), COUNT(*)) AS late_rate,
  ROUND(AVG(d.purchase_to_delivery_days), 2) AS avg_delivery_days,
  ROUND(AVG(d.delivered_vs_estimated_days), 2) AS avg_delivered_vs_estimated_days,
  ROUND(AVG(CASE WHEN d.is_late THEN d.delivered_vs_estimated_days END), 2) AS avg_days_late_when_late,
  ROUND(AVG(d.review_score), 2) AS avg_review_score
FROM delivered AS d
JOIN order_seller_states AS s
  ON s.order_id = d.order_id
GROUP BY d.purchase_month, s.seller_state, s.seller_region
) AS model;

-- test (full build): expression(EXTRACT(DAY FROM purchase_month) = 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE NOT (EXTRACT(DAY FROM purchase_month) = 1)
) AS failures
LIMIT 20;

-- test (full build): not_null(seller_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE t.`seller_state` IS NULL
) AS failures
LIMIT 20;

-- test (full build): relationships(seller_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_state` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_delivery_performance` AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`seller_state` = p.`parent_key`
WHERE t.`seller_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`seller_state`
) AS failures
LIMIT 20;

-- test (full build): expression(delivered_orders >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE NOT (delivered_orders >= 1)
) AS failures
LIMIT 20;

-- test (full build): expression(late_orders <= delivered_orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE NOT (late_orders <= delivered_orders)
) AS failures
LIMIT 20;

-- test (full build): expression(late_rate BETWEEN 0 AND 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE NOT (late_rate BETWEEN 0 AND 1)
) AS failures
LIMIT 20;

-- test (full build): unique(purchase_month, seller_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`purchase_month`, t.`seller_state`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_delivery_performance` AS t
GROUP BY t.`purchase_month`, t.`seller_state`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test (full build): delivered_orders_reconcile_with_fct_orders
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT k.orders AS kpi_orders, f.orders AS fact_orders
FROM (SELECT SUM(delivered_orders) AS orders FROM `gold_staging.kpi_delivery_performance`) AS k
CROSS JOIN (
  SELECT COUNT(*) AS orders
  FROM (
    SELECT DISTINCT o.order_id, s.seller_state
    FROM `gold.fct_orders` AS o
    JOIN `gold.fct_order_items` AS i ON i.order_id = o.order_id
    JOIN `gold.dim_sellers` AS s ON s.seller_id = i.seller_id
    WHERE o.order_status = 'delivered' AND o.delivered_to_customer_at IS NOT NULL
  ) AS pairs
) AS f
WHERE COALESCE(k.orders, 0) <> f.orders
) AS failures
LIMIT 20;

-- test (full build): not_null(purchase_month)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_delivery_performance` AS t
WHERE t.`purchase_month` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): expression(EXTRACT(DAY FROM purchase_month) = 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE NOT (EXTRACT(DAY FROM purchase_month) = 1)
) AS failures
LIMIT 20;

-- test (incremental build): not_null(seller_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE t.`seller_state` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): relationships(seller_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_state` AS `value`, COUNT(*) AS `occurrences`
FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`seller_state` = p.`parent_key`
WHERE t.`seller_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`seller_state`
) AS failures
LIMIT 20;

-- test (incremental build): expression(delivered_orders >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE NOT (delivered_orders >= 1)
) AS failures
LIMIT 20;

-- test (incremental build): expression(late_orders <= delivered_orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE NOT (late_orders <= delivered_orders)
) AS failures
LIMIT 20;

-- test (incremental build): expression(late_rate BETWEEN 0 AND 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE NOT (late_rate BETWEEN 0 AND 1)
) AS failures
LIMIT 20;

-- test (incremental build): unique(purchase_month, seller_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`purchase_month`, t.`seller_state`, COUNT(*) AS `occurrences`
FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
GROUP BY t.`purchase_month`, t.`seller_state`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test (incremental build): delivered_orders_reconcile_with_fct_orders
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT k.orders AS kpi_orders, f.orders AS fact_orders
FROM (SELECT SUM(delivered_orders) AS orders FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
)) AS k
CROSS JOIN (
  SELECT COUNT(*) AS orders
  FROM (
    SELECT DISTINCT o.order_id, s.seller_state
    FROM `gold.fct_orders` AS o
    JOIN `gold.fct_order_items` AS i ON i.order_id = o.order_id
    JOIN `gold.dim_sellers` AS s ON s.seller_id = i.seller_id
    WHERE o.order_status = 'delivered' AND o.delivered_to_customer_at IS NOT NULL
  ) AS pairs
) AS f
WHERE COALESCE(k.orders, 0) <> f.orders
) AS failures
LIMIT 20;

-- test (incremental build): not_null(purchase_month)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold.kpi_delivery_performance`
  WHERE DATE_TRUNC(`purchase_month`, MONTH) NOT IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance` WHERE DATE_TRUNC(`purchase_month`, MONTH) IS NOT NULL)
  UNION ALL
  SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`
) AS t
WHERE t.`purchase_month` IS NULL
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.kpi_delivery_performance`
COPY `gold_staging.kpi_delivery_performance`;

-- publish: incremental
BEGIN TRANSACTION;
DELETE FROM `gold.kpi_delivery_performance`
WHERE DATE_TRUNC(`purchase_month`, MONTH) IN (SELECT DISTINCT DATE_TRUNC(`purchase_month`, MONTH) FROM `gold_staging.kpi_delivery_performance`);
INSERT INTO `gold.kpi_delivery_performance` (`purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score`)
SELECT `purchase_month`, `seller_state`, `seller_region`, `delivered_orders`, `late_orders`, `late_rate`, `avg_delivery_days`, `avg_delivered_vs_estimated_days`, `avg_days_late_when_late`, `avg_review_score` FROM `gold_staging.kpi_delivery_performance`;
COMMIT TRANSACTION;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.kpi_delivery_performance`;
