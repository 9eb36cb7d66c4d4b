-- dim_customers: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_customers`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_customers`
(
  `customer_id` STRING OPTIONS(description = 'Customer id of one order (the key orders use).'),
  `customer_unique_id` STRING OPTIONS(description = 'Pseudonymised id of the person behind the customer id (the same for all of a person\'s orders).'),
  `customer_zip_code_prefix` STRING OPTIONS(description = 'First five digits of the customer\'s zip code.'),
  `customer_city` STRING OPTIONS(description = 'City, lower case.'),
  `customer_state` STRING OPTIONS(description = 'Two-letter state code.'),
  `customer_region` STRING OPTIONS(description = 'IBGE macro-region of the state.'),
  `latitude` FLOAT64 OPTIONS(description = 'Centre of the customer\'s zip code prefix; null when the prefix has no geolocation.'),
  `longitude` FLOAT64 OPTIONS(description = 'Centre of the customer\'s zip code prefix; null when the prefix has no geolocation.'),
  `person_orders` INT64 OPTIONS(description = 'Orders placed by the person (all of their customer ids).'),
  `person_first_order_at` TIMESTAMP OPTIONS(description = 'When the person placed their first order (UTC); null when none of their orders is in silver.'),
  `is_repeat_customer` BOOL OPTIONS(description = 'True when the person placed more than one order.')
)
CLUSTER BY `customer_state`
OPTIONS(description = 'One row per customer id. Olist issues a new customer id for every order; customer_unique_id (pseudonymised in silver) identifies the person, so the person\'s order count and first order show who comes back.')
AS
SELECT
  CAST(`customer_id` AS STRING) AS `customer_id`,
  CAST(`customer_unique_id` AS STRING) AS `customer_unique_id`,
  CAST(`customer_zip_code_prefix` AS STRING) AS `customer_zip_code_prefix`,
  CAST(`customer_city` AS STRING) AS `customer_city`,
  CAST(`customer_state` AS STRING) AS `customer_state`,
  CAST(`customer_region` AS STRING) AS `customer_region`,
  CAST(`latitude` AS FLOAT64) AS `latitude`,
  CAST(`longitude` AS FLOAT64) AS `longitude`,
  CAST(`person_orders` AS INT64) AS `person_orders`,
  CAST(`person_first_order_at` AS TIMESTAMP) AS `person_first_order_at`,
  CAST(`is_repeat_customer` AS BOOL) AS `is_repeat_customer`
FROM (
WITH orders_per_person AS (
  SELECT
    c.customer_unique_id,
    COUNT(DISTINCT o.order_id) AS orders_placed,
    MIN(o.order_purchase_timestamp) AS first_order_at
  FROM `silver.olist__customers` AS c
  JOIN `silver.olist__orders` AS o
    ON o.customer_id = c.customer_id
  GROUP BY c.customer_unique_id
)
SELECT
  c.customer_id,
  c.customer_unique_id,
  c.customer_zip_code_prefix,
  c.customer_city,
  c.customer_state,
  s.region AS customer_region,
  z.latitude,
  z.longitude,
  COALESCE(p.orders_placed, 0) AS person_orders,
  p.first_order_at AS person_first_order_at,
  COALESCE(p.orders_placed, 0) > 1 AS is_repeat_customer
FROM `silver.olist__customers` AS c
LEFT JOIN `gold.dim_states` AS s
  ON s.state_code = c.customer_state
LEFT JOIN `gold.dim_zip_prefixes` AS z
  ON z.zip_code_prefix = c.customer_zip_code_prefix
LEFT JOIN orders_per_person AS p
  ON p.customer_unique_id = c.customer_unique_id
) AS model;

-- test: unique(customer_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`customer_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_customers` AS t
WHERE t.`customer_id` IS NOT NULL
GROUP BY t.`customer_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(customer_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_customers` AS t
WHERE t.`customer_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(customer_unique_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_customers` AS t
WHERE t.`customer_unique_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(customer_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_customers` AS t
WHERE t.`customer_state` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(customer_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`customer_state` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_customers` AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`customer_state` = p.`parent_key`
WHERE t.`customer_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`customer_state`
) AS failures
LIMIT 20;

-- test: expression(person_orders >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_customers` AS t
WHERE NOT (person_orders >= 0)
) AS failures
LIMIT 20;

-- test: not_null(is_repeat_customer)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_customers` AS t
WHERE t.`is_repeat_customer` IS NULL
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__customers)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.dim_customers`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__customers`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_customers`
COPY `gold_staging.dim_customers`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_customers`;
