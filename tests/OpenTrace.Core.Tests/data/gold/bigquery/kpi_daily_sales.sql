-- kpi_daily_sales: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.kpi_daily_sales`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.kpi_daily_sales`
(
  `sale_date` DATE OPTIONS(description = 'Day the orders were placed (UTC).'),
  `customer_state` STRING OPTIONS(description = 'Customer\'s state.'),
  `product_category` STRING OPTIONS(description = 'Product category in English (dim_products.product_category_name_english).'),
  `orders` INT64 OPTIONS(description = 'Orders with at least one item in the category.'),
  `items` INT64 OPTIONS(description = 'Items sold.'),
  `items_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item prices.'),
  `freight_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item freight.'),
  `revenue` NUMERIC(18, 2) OPTIONS(description = 'Payments allocated to the items, in the currency of the orders (BRL).')
)
PARTITION BY `sale_date`
CLUSTER BY `customer_state`, `product_category`
OPTIONS(description = 'Daily sales by customer state and product category (English). An order counts on the day it was placed unless it was canceled or unavailable, and only with at least one item. Revenue is what customers paid: each order\'s payments are allocated to its items in proportion to price plus freight, in cents that add up exactly to the order\'s payments. An order with items in two categories counts once in each (orders do not add up across categories; revenue does).')
AS
SELECT
  CAST(`sale_date` AS DATE) AS `sale_date`,
  CAST(`customer_state` AS STRING) AS `customer_state`,
  CAST(`product_category` AS STRING) AS `product_category`,
  CAST(`orders` AS INT64) AS `orders`,
  CAST(`items` AS INT64) AS `items`,
  CAST(`items_value` AS NUMERIC) AS `items_value`,
  CAST(`freight_value` AS NUMERIC) AS `freight_value`,
  CAST(`revenue` AS NUMERIC) AS `revenue`
FROM (
-- Orders whose rows changed since the last build: their days are rebuilt whole.
WITH changed_orders AS (
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  WHERE TRUE
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  WHERE TRUE
  UNION DISTINCT
  SELECT p.order_id
  FROM `silver.olist__order_payments` AS p
  WHERE TRUE
  UNION DISTINCT
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  JOIN `silver.olist__customers` AS c
    ON c.customer_id = o.customer_id
  WHERE TRUE
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__products` AS pr
    ON pr.product_id = i.product_id
  WHERE TRUE
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__products` AS pr
    ON pr.product_id = i.product_id
  JOIN `silver.olist__product_category_name_translation` AS t
    ON t.product_category_name = pr.product_category_name
  WHERE TRUE
),
affected_days AS (
  SELECT DISTINCT f.order_purchase_date AS sale_date
  FROM `gold.fct_orders` AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
sales_orders AS (
  SELECT f.order_id, f.order_purchase_date AS sale_date, f.customer_id, f.payment_value
  FROM `gold.fct_orders` AS f
  WHERE f.order_status NOT IN ('canceled', 'unavailable')
    AND f.item_count > 0
    AND f.order_purchase_date IN (SELECT sale_date FROM affected_days)
),
sales_items AS (
  SELECT
    s.sale_date,
    s.order_id,
    s.customer_id,
    s.payment_value,
    i.price,
    i.freight_value,
    i.item_value,
    COALESCE(d.product_category_name_english, 'unknown') AS product_category,
    SUM(i.item_value) OVER (
      PARTITION BY i.order_id ORDER BY i.order_item_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS value_through_item,
    SUM(i.item_value) OVER (PARTITION BY i.order_id) AS order_items_value
  FROM sales_orders AS s
  JOIN `gold.fct_order_items` AS i
    ON i.order_id = s.order_id
  LEFT JOIN `gold.dim_products` AS d
    ON d.product_id = i.product_id
),
-- Each item gets the rounded share of payments up to and including it minus the share before it, so an
-- order's item revenues add up to its payments to the cent.
allocated AS (
  SELECT
    sale_date,
    order_id,
    customer_id,
    product_category,
    price,
    freight_value,
    CAST(ROUND(payment_value * value_through_item / order_items_value, 2) AS NUMERIC)
      - CAST(ROUND(payment_value * (value_through_item - item_value) / order_items_value, 2) AS NUMERIC) AS revenue
  FROM sales_items
)
SELECT
  a.sale_date,
  c.customer_state,
  a.product_category,
  COUNT(DISTINCT a.order_id) AS orders,
  COUNT(*) AS items,
  SUM(a.price) AS items_value,
  SUM(a.freight_value) AS freight_value,
  SUM(a.revenue) AS revenue
FROM allocated AS a
LEFT JOIN `gold.dim_customers` AS c
  ON c.customer_id = a.customer_id
GROUP BY a.sale_date, c.customer_state, a.product_category
) AS model;

-- build: incremental, with one changed lineage id per source
CREATE OR REPLACE TABLE `gold_staging.kpi_daily_sales`
(
  `sale_date` DATE OPTIONS(description = 'Day the orders were placed (UTC).'),
  `customer_state` STRING OPTIONS(description = 'Customer\'s state.'),
  `product_category` STRING OPTIONS(description = 'Product category in English (dim_products.product_category_name_english).'),
  `orders` INT64 OPTIONS(description = 'Orders with at least one item in the category.'),
  `items` INT64 OPTIONS(description = 'Items sold.'),
  `items_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item prices.'),
  `freight_value` NUMERIC(18, 2) OPTIONS(description = 'Sum of item freight.'),
  `revenue` NUMERIC(18, 2) OPTIONS(description = 'Payments allocated to the items, in the currency of the orders (BRL).')
)
PARTITION BY `sale_date`
CLUSTER BY `customer_state`, `product_category`
OPTIONS(description = 'Daily sales by customer state and product category (English). An order counts on the day it was placed unless it was canceled or unavailable, and only with at least one item. Revenue is what customers paid: each order\'s payments are allocated to its items in proportion to price plus freight, in cents that add up exactly to the order\'s payments. An order with items in two categories counts once in each (orders do not add up across categories; revenue does).')
AS
SELECT
  CAST(`sale_date` AS DATE) AS `sale_date`,
  CAST(`customer_state` AS STRING) AS `customer_state`,
  CAST(`product_category` AS STRING) AS `product_category`,
  CAST(`orders` AS INT64) AS `orders`,
  CAST(`items` AS INT64) AS `items`,
  CAST(`items_value` AS NUMERIC) AS `items_value`,
  CAST(`freight_value` AS NUMERIC) AS `freight_value`,
  CAST(`revenue` AS NUMERIC) AS `revenue`
FROM (
-- Orders whose rows changed since the last build: their days are rebuilt whole.
WITH changed_orders AS (
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  WHERE o.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  WHERE i.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT p.order_id
  FROM `silver.olist__order_payments` AS p
  WHERE p.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT o.order_id
  FROM `silver.olist__orders` AS o
  JOIN `silver.olist__customers` AS c
    ON c.customer_id = o.customer_id
  WHERE c.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__products` AS pr
    ON pr.product_id = i.product_id
  WHERE pr.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
  UNION DISTINCT
  SELECT i.order_id
  FROM `silver.olist__order_items` AS i
  JOIN `silver.olist__products` AS pr
    ON pr.product_id = i.product_id
  JOIN `silver.olist__product_category_name_translation` AS t
    ON t.product_category_name = pr.product_category_name
  WHERE t.`_lineage_id` IN ('0123456789abcdef0123456789abcdef')
),
affected_days AS (
  SELECT DISTINCT f.order_purchase_date AS sale_date
  FROM `gold.fct_orders` AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
sales_orders AS (
  SELECT f.order_id, f.order_purchase_date AS sale_date, f.customer_id, f.payment_value
  FROM `gold.fct_orders` AS f
  WHERE f.order_status NOT IN ('canceled', 'unavailable')
    AND f.item_count > 0
    AND f.order_purchase_date IN (SELECT sale_date FROM affected_days)
),
sales_items AS (
  SELECT
    s.sale_date,
    s.order_id,
    s.customer_id,
    s.payment_value,
    i.price,
    i.freight_value,
    i.item_value,
    COALESCE(d.product_category_name_english, 'unknown') AS product_category,
    SUM(i.item_value) OVER (
      PARTITION BY i.order_id ORDER BY i.order_item_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS value_through_item,
    SUM(i.item_value) OVER (PARTITION BY i.order_id) AS order_items_value
  FROM sales_orders AS s
  JOIN `gold.fct_order_items` AS i
    ON i.order_id = s.order_id
  LEFT JOIN `gold.dim_products` AS d
    ON d.product_id = i.product_id
),
-- Each item gets the rounded share of payments up to and including it minus the share before it, so an
-- order's item revenues add up to its payments to the cent.
allocated AS (
  SELECT
    sale_date,
    order_id,
    customer_id,
    product_category,
    price,
    freight_value,
    CAST(ROUND(payment_value * value_through_item / order_items_value, 2) AS NUMERIC)
      - CAST(ROUND(payment_value * (value_through_item - item_value) / order_items_value, 2) AS NUMERIC) AS revenue
  FROM sales_items
)
SELECT
  a.sale_date,
  c.customer_state,
  a.product_category,
  COUNT(DISTINCT a.order_id) AS orders,
  COUNT(*) AS items,
  SUM(a.price) AS items_value,
  SUM(a.freight_value) AS freight_value,
  SUM(a.revenue) AS revenue
FROM allocated AS a
LEFT JOIN `gold.dim_customers` AS c
  ON c.customer_id = a.customer_id
GROUP BY a.sale_date, c.customer_state, a.product_category
) AS model;

-- test (full build): relationships(sale_date -> dim_date.date_day)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`sale_date` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_daily_sales` AS t
LEFT JOIN (SELECT DISTINCT `date_day` AS `parent_key` FROM `gold.dim_date`) AS p ON t.`sale_date` = p.`parent_key`
WHERE t.`sale_date` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`sale_date`
) AS failures
LIMIT 20;

-- test (full build): not_null(customer_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE t.`customer_state` IS NULL
) AS failures
LIMIT 20;

-- test (full build): relationships(customer_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`customer_state` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_daily_sales` AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`customer_state` = p.`parent_key`
WHERE t.`customer_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`customer_state`
) AS failures
LIMIT 20;

-- test (full build): not_null(product_category)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE t.`product_category` IS NULL
) AS failures
LIMIT 20;

-- test (full build): expression(orders >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE NOT (orders >= 1)
) AS failures
LIMIT 20;

-- test (full build): expression(items >= orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE NOT (items >= orders)
) AS failures
LIMIT 20;

-- test (full build): not_null(revenue)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE t.`revenue` IS NULL
) AS failures
LIMIT 20;

-- test (full build): expression(revenue >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE NOT (revenue >= 0)
) AS failures
LIMIT 20;

-- test (full build): unique(sale_date, customer_state, product_category)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`sale_date`, t.`customer_state`, t.`product_category`, COUNT(*) AS `occurrences`
FROM `gold_staging.kpi_daily_sales` AS t
GROUP BY t.`sale_date`, t.`customer_state`, t.`product_category`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test (full build): revenue_reconciles_with_silver_payments
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT k.revenue, s.payments
FROM (SELECT SUM(revenue) AS revenue FROM `gold_staging.kpi_daily_sales`) AS k
CROSS JOIN (
  SELECT SUM(p.payment_value) AS payments
  FROM `silver.olist__order_payments` AS p
  JOIN `silver.olist__orders` AS o
    ON o.order_id = p.order_id
  WHERE o.order_status NOT IN ('canceled', 'unavailable')
    AND EXISTS (
      SELECT 1 FROM `silver.olist__order_items` AS i
      WHERE i.order_id = o.order_id
    )
) AS s
WHERE COALESCE(k.revenue, 0) <> COALESCE(s.payments, 0)
) AS failures
LIMIT 20;

-- test (full build): not_null(sale_date)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.kpi_daily_sales` AS t
WHERE t.`sale_date` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): relationships(sale_date -> dim_date.date_day)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`sale_date` AS `value`, COUNT(*) AS `occurrences`
FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
LEFT JOIN (SELECT DISTINCT `date_day` AS `parent_key` FROM `gold.dim_date`) AS p ON t.`sale_date` = p.`parent_key`
WHERE t.`sale_date` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`sale_date`
) AS failures
LIMIT 20;

-- test (incremental build): not_null(customer_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE t.`customer_state` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): relationships(customer_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`customer_state` AS `value`, COUNT(*) AS `occurrences`
FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`customer_state` = p.`parent_key`
WHERE t.`customer_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`customer_state`
) AS failures
LIMIT 20;

-- test (incremental build): not_null(product_category)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE t.`product_category` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): expression(orders >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE NOT (orders >= 1)
) AS failures
LIMIT 20;

-- test (incremental build): expression(items >= orders)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE NOT (items >= orders)
) AS failures
LIMIT 20;

-- test (incremental build): not_null(revenue)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE t.`revenue` IS NULL
) AS failures
LIMIT 20;

-- test (incremental build): expression(revenue >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE NOT (revenue >= 0)
) AS failures
LIMIT 20;

-- test (incremental build): unique(sale_date, customer_state, product_category)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`sale_date`, t.`customer_state`, t.`product_category`, COUNT(*) AS `occurrences`
FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
GROUP BY t.`sale_date`, t.`customer_state`, t.`product_category`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test (incremental build): revenue_reconciles_with_silver_payments
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT k.revenue, s.payments
FROM (SELECT SUM(revenue) AS revenue FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
)) AS k
CROSS JOIN (
  SELECT SUM(p.payment_value) AS payments
  FROM `silver.olist__order_payments` AS p
  JOIN `silver.olist__orders` AS o
    ON o.order_id = p.order_id
  WHERE o.order_status NOT IN ('canceled', 'unavailable')
    AND EXISTS (
      SELECT 1 FROM `silver.olist__order_items` AS i
      WHERE i.order_id = o.order_id
    )
) AS s
WHERE COALESCE(k.revenue, 0) <> COALESCE(s.payments, 0)
) AS failures
LIMIT 20;

-- test (incremental build): not_null(sale_date)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM (
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold.kpi_daily_sales`
  WHERE `sale_date` NOT IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales` WHERE `sale_date` IS NOT NULL)
  UNION ALL
  SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`
) AS t
WHERE t.`sale_date` IS NULL
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.kpi_daily_sales`
COPY `gold_staging.kpi_daily_sales`;

-- publish: incremental
BEGIN TRANSACTION;
DELETE FROM `gold.kpi_daily_sales`
WHERE `sale_date` IN (SELECT DISTINCT `sale_date` FROM `gold_staging.kpi_daily_sales`);
INSERT INTO `gold.kpi_daily_sales` (`sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue`)
SELECT `sale_date`, `customer_state`, `product_category`, `orders`, `items`, `items_value`, `freight_value`, `revenue` FROM `gold_staging.kpi_daily_sales`;
COMMIT TRANSACTION;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.kpi_daily_sales`;
