-- dim_sellers: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_sellers`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_sellers`
(
  `seller_id` STRING OPTIONS(description = 'Seller id.'),
  `seller_zip_code_prefix` STRING OPTIONS(description = 'First five digits of the seller\'s zip code.'),
  `seller_city` STRING OPTIONS(description = 'City, lower case.'),
  `seller_state` STRING OPTIONS(description = 'Two-letter state code.'),
  `seller_region` STRING OPTIONS(description = 'IBGE macro-region of the state.'),
  `latitude` FLOAT64 OPTIONS(description = 'Centre of the seller\'s zip code prefix; null when the prefix has no geolocation.'),
  `longitude` FLOAT64 OPTIONS(description = 'Centre of the seller\'s zip code prefix; null when the prefix has no geolocation.')
)
CLUSTER BY `seller_state`
OPTIONS(description = 'One row per seller, with location and macro-region.')
AS
SELECT
  CAST(`seller_id` AS STRING) AS `seller_id`,
  CAST(`seller_zip_code_prefix` AS STRING) AS `seller_zip_code_prefix`,
  CAST(`seller_city` AS STRING) AS `seller_city`,
  CAST(`seller_state` AS STRING) AS `seller_state`,
  CAST(`seller_region` AS STRING) AS `seller_region`,
  CAST(`latitude` AS FLOAT64) AS `latitude`,
  CAST(`longitude` AS FLOAT64) AS `longitude`
FROM (
SELECT
  s.seller_id,
  s.seller_zip_code_prefix,
  s.seller_city,
  s.seller_state,
  st.region AS seller_region,
  z.latitude,
  z.longitude
FROM `silver.olist__sellers` AS s
LEFT JOIN `gold.dim_states` AS st
  ON st.state_code = s.seller_state
LEFT JOIN `gold.dim_zip_prefixes` AS z
  ON z.zip_code_prefix = s.seller_zip_code_prefix
) AS model;

-- test: unique(seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_sellers` AS t
WHERE t.`seller_id` IS NOT NULL
GROUP BY t.`seller_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(seller_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_sellers` AS t
WHERE t.`seller_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(seller_state)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_sellers` AS t
WHERE t.`seller_state` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(seller_state -> dim_states.state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`seller_state` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_sellers` AS t
LEFT JOIN (SELECT DISTINCT `state_code` AS `parent_key` FROM `gold.dim_states`) AS p ON t.`seller_state` = p.`parent_key`
WHERE t.`seller_state` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`seller_state`
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__sellers)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.dim_sellers`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__sellers`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_sellers`
COPY `gold_staging.dim_sellers`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_sellers`;
