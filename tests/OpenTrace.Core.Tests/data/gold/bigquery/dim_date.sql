-- dim_date: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_date`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_date`
(
  `date_day` DATE OPTIONS(description = 'The day.'),
  `year` INT64 OPTIONS(description = 'Calendar year.'),
  `quarter` INT64 OPTIONS(description = 'Quarter of the year, 1 to 4.'),
  `month` INT64 OPTIONS(description = 'Month of the year, 1 to 12.'),
  `day_of_month` INT64 OPTIONS(description = 'Day of the month, 1 to 31.'),
  `iso_day_of_week` INT64 OPTIONS(description = 'ISO day of the week, Monday 1 to Sunday 7.'),
  `day_name` STRING OPTIONS(description = 'English day name, e.g. Monday.'),
  `month_name` STRING OPTIONS(description = 'English month name, e.g. January.'),
  `year_month` STRING OPTIONS(description = 'Year and month as YYYY-MM.'),
  `month_start` DATE OPTIONS(description = 'First day of the month.'),
  `week_start` DATE OPTIONS(description = 'Monday of the ISO week.'),
  `is_weekend` BOOL OPTIONS(description = 'True on Saturdays and Sundays.')
)
OPTIONS(description = 'One row per calendar day, from 1 January of the year of the first purchase to 31 December of the year of the last purchase or delivery. Join facts on their *_date columns. Estimated delivery dates are left out of the range: a mistyped estimate (a year like 2099) would otherwise add decades of days.')
AS
SELECT
  CAST(`date_day` AS DATE) AS `date_day`,
  CAST(`year` AS INT64) AS `year`,
  CAST(`quarter` AS INT64) AS `quarter`,
  CAST(`month` AS INT64) AS `month`,
  CAST(`day_of_month` AS INT64) AS `day_of_month`,
  CAST(`iso_day_of_week` AS INT64) AS `iso_day_of_week`,
  CAST(`day_name` AS STRING) AS `day_name`,
  CAST(`month_name` AS STRING) AS `month_name`,
  CAST(`year_month` AS STRING) AS `year_month`,
  CAST(`month_start` AS DATE) AS `month_start`,
  CAST(`week_start` AS DATE) AS `week_start`,
  CAST(`is_weekend` AS BOOL) AS `is_weekend`
FROM (
WITH order_moments AS (
  SELECT o.order_purchase_timestamp AS moment FROM `silver.olist__orders` AS o
  UNION ALL
  SELECT o.order_delivered_customer_date FROM `silver.olist__orders` AS o
),
bounds AS (
  SELECT
    DATE_TRUNC(DATE(MIN(moment)), YEAR) AS first_day,
    DATE_ADD(DATE_ADD(DATE_TRUNC(DATE(MAX(moment)), YEAR), INTERVAL 1 YEAR), INTERVAL -1 DAY) AS last_day
  FROM order_moments
)
SELECT
  date_day,
  EXTRACT(YEAR FROM date_day) AS year,
  EXTRACT(QUARTER FROM date_day) AS quarter,
  EXTRACT(MONTH FROM date_day) AS month,
  EXTRACT(DAY FROM date_day) AS day_of_month,
  MOD(EXTRACT(DAYOFWEEK FROM date_day) + 5, 7) + 1 AS iso_day_of_week,
  FORMAT_DATE('%A', date_day) AS day_name,
  FORMAT_DATE('%B', date_day) AS month_name,
  FORMAT_DATE('%Y-%m', date_day) AS year_month,
  DATE_TRUNC(date_day, MONTH) AS month_start,
  DATE_TRUNC(date_day, ISOWEEK) AS week_start,
  MOD(EXTRACT(DAYOFWEEK FROM date_day) + 5, 7) + 1 >= 6 AS is_weekend
FROM UNNEST(GENERATE_DATE_ARRAY((SELECT first_day FROM bounds), (SELECT last_day FROM bounds), INTERVAL 1 DAY)) AS date_day
) AS model;

-- test: unique(date_day)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`date_day`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_date` AS t
WHERE t.`date_day` IS NOT NULL
GROUP BY t.`date_day`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(date_day)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_date` AS t
WHERE t.`date_day` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(quarter)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`quarter` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_date` AS t
WHERE t.`quarter` IS NOT NULL AND t.`quarter` NOT IN (1, 2, 3, 4)
GROUP BY t.`quarter`
) AS failures
LIMIT 20;

-- test: expression(month BETWEEN 1 AND 12)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_date` AS t
WHERE NOT (month BETWEEN 1 AND 12)
) AS failures
LIMIT 20;

-- test: expression(day_of_month BETWEEN 1 AND 31)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_date` AS t
WHERE NOT (day_of_month BETWEEN 1 AND 31)
) AS failures
LIMIT 20;

-- test: accepted_values(iso_day_of_week)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`iso_day_of_week` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_date` AS t
WHERE t.`iso_day_of_week` IS NOT NULL AND t.`iso_day_of_week` NOT IN (1, 2, 3, 4, 5, 6, 7)
GROUP BY t.`iso_day_of_week`
) AS failures
LIMIT 20;

-- test: not_null(is_weekend)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_date` AS t
WHERE t.`is_weekend` IS NULL
) AS failures
LIMIT 20;

-- test: row_count(min 365)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT `row_count` FROM (SELECT COUNT(*) AS `row_count` FROM `gold_staging.dim_date`) AS c
WHERE `row_count` < 365
) AS failures
LIMIT 20;

-- test: no_gaps_between_days
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT d.date_day, d.next_day
FROM (
  SELECT date_day, LEAD(date_day) OVER (ORDER BY date_day) AS next_day
  FROM `gold_staging.dim_date`
) AS d
WHERE d.next_day IS NOT NULL
  AND DATE_DIFF(d.next_day, d.date_day, DAY) <> 1
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_date`
COPY `gold_staging.dim_date`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_date`;
