-- dim_zip_prefixes: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_zip_prefixes`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_zip_prefixes`
(
  `zip_code_prefix` STRING OPTIONS(description = 'First five digits of the zip code, as text (leading zeros kept).'),
  `latitude` FLOAT64 OPTIONS(description = 'Mean latitude of the prefix\'s points inside Brazil.'),
  `longitude` FLOAT64 OPTIONS(description = 'Mean longitude of the prefix\'s points inside Brazil.'),
  `geolocation_points` INT64 OPTIONS(description = 'Number of geolocation rows averaged.')
)
CLUSTER BY `zip_code_prefix`
OPTIONS(description = 'One row per 5-digit zip code prefix with the centre of its geolocation points. Points outside Brazil\'s bounding box (which silver keeps with a warning) are left out, so a stray point cannot move a centre abroad.')
AS
SELECT
  CAST(`zip_code_prefix` AS STRING) AS `zip_code_prefix`,
  CAST(`latitude` AS FLOAT64) AS `latitude`,
  CAST(`longitude` AS FLOAT64) AS `longitude`,
  CAST(`geolocation_points` AS INT64) AS `geolocation_points`
FROM (
SELECT
  g.geolocation_zip_code_prefix AS zip_code_prefix,
  AVG(g.geolocation_lat) AS latitude,
  AVG(g.geolocation_lng) AS longitude,
  COUNT(*) AS geolocation_points
FROM `silver.olist__geolocation` AS g
WHERE g.geolocation_lat BETWEEN -33.75 AND 5.3
  AND g.geolocation_lng BETWEEN -73.99 AND -34.79
GROUP BY g.geolocation_zip_code_prefix
) AS model;

-- test: unique(zip_code_prefix)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`zip_code_prefix`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_zip_prefixes` AS t
WHERE t.`zip_code_prefix` IS NOT NULL
GROUP BY t.`zip_code_prefix`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(zip_code_prefix)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE t.`zip_code_prefix` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(latitude)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE t.`latitude` IS NULL
) AS failures
LIMIT 20;

-- test: expression(latitude BETWEEN -33.75 AND 5.3)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE NOT (latitude BETWEEN -33.75 AND 5.3)
) AS failures
LIMIT 20;

-- test: not_null(longitude)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE t.`longitude` IS NULL
) AS failures
LIMIT 20;

-- test: expression(longitude BETWEEN -73.99 AND -34.79)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE NOT (longitude BETWEEN -73.99 AND -34.79)
) AS failures
LIMIT 20;

-- test: expression(geolocation_points >= 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_zip_prefixes` AS t
WHERE NOT (geolocation_points >= 1)
) AS failures
LIMIT 20;

-- test: row_count(min 1)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT `row_count` FROM (SELECT COUNT(*) AS `row_count` FROM `gold_staging.dim_zip_prefixes`) AS c
WHERE `row_count` < 1
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_zip_prefixes`
COPY `gold_staging.dim_zip_prefixes`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_zip_prefixes`;
