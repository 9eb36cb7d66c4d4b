-- fct_reviews: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.fct_reviews`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.fct_reviews`
(
  `review_id` STRING OPTIONS(description = 'Review id.'),
  `order_id` STRING OPTIONS(description = 'Order reviewed.'),
  `review_score` INT64 OPTIONS(description = 'Score from 1 (worst) to 5.'),
  `has_title` BOOL OPTIONS(description = 'True when the review has a non-blank title.'),
  `has_comment` BOOL OPTIONS(description = 'True when the review has a non-blank comment.'),
  `comment_length` INT64 OPTIONS(description = 'Characters in the (scrubbed) comment; 0 without one.'),
  `review_created_date` DATE OPTIONS(description = 'Day the satisfaction survey was sent.'),
  `answered_at` TIMESTAMP OPTIONS(description = 'When the customer answered.'),
  `answer_hours` INT64 OPTIONS(description = 'Whole hours from the survey to the answer.'),
  `is_latest_for_order` BOOL OPTIONS(description = 'True for the order\'s latest answered review (the score fct_orders carries).')
)
PARTITION BY DATE_TRUNC(`review_created_date`, MONTH)
CLUSTER BY `review_score`
OPTIONS(description = 'One row per review and order (the published data repeats a review id across orders), with the score, whether the customer wrote a title or comment, and how long the answer took. Comment text stays in silver.')
AS
SELECT
  CAST(`review_id` AS STRING) AS `review_id`,
  CAST(`order_id` AS STRING) AS `order_id`,
  CAST(`review_score` AS INT64) AS `review_score`,
  CAST(`has_title` AS BOOL) AS `has_title`,
  CAST(`has_comment` AS BOOL) AS `has_comment`,
  CAST(`comment_length` AS INT64) AS `comment_length`,
  CAST(`review_created_date` AS DATE) AS `review_created_date`,
  CAST(`answered_at` AS TIMESTAMP) AS `answered_at`,
  CAST(`answer_hours` AS INT64) AS `answer_hours`,
  CAST(`is_latest_for_order` AS BOOL) AS `is_latest_for_order`
FROM (
SELECT
  r.review_id,
  r.order_id,
  r.review_score,
  COALESCE(TRIM(r.review_comment_title), '') <> '' AS has_title,
  COALESCE(TRIM(r.review_comment_message), '') <> '' AS has_comment,
  COALESCE(LENGTH(r.review_comment_message), 0) AS comment_length,
  DATE(r.review_creation_date) AS review_created_date,
  r.review_answer_timestamp AS answered_at,
  TIMESTAMP_DIFF(r.review_answer_timestamp, r.review_creation_date, HOUR) AS answer_hours,
  ROW_NUMBER() OVER (
    PARTITION BY r.order_id
    ORDER BY r.review_answer_timestamp DESC, r.review_creation_date DESC, r.review_id
  ) = 1 AS is_latest_for_order
FROM `silver.olist__order_reviews` AS r
) AS model;

-- test: not_null(review_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_reviews` AS t
WHERE t.`review_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_reviews` AS t
WHERE t.`order_id` IS NULL
) AS failures
LIMIT 20;

-- test: relationships(order_id -> fct_orders.order_id) [warn]
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`order_id` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_reviews` AS t
LEFT JOIN (SELECT DISTINCT `order_id` AS `parent_key` FROM `gold.fct_orders`) AS p ON t.`order_id` = p.`parent_key`
WHERE t.`order_id` IS NOT NULL AND p.`parent_key` IS NULL
GROUP BY t.`order_id`
) AS failures
LIMIT 20;

-- test: not_null(review_score)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_reviews` AS t
WHERE t.`review_score` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(review_score)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`review_score` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_reviews` AS t
WHERE t.`review_score` IS NOT NULL AND t.`review_score` NOT IN (1, 2, 3, 4, 5)
GROUP BY t.`review_score`
) AS failures
LIMIT 20;

-- test: expression(answer_hours >= 0) [warn]
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_reviews` AS t
WHERE NOT (answer_hours >= 0)
) AS failures
LIMIT 20;

-- test: not_null(is_latest_for_order)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.fct_reviews` AS t
WHERE t.`is_latest_for_order` IS NULL
) AS failures
LIMIT 20;

-- test: unique(review_id, order_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`review_id`, t.`order_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.fct_reviews` AS t
GROUP BY t.`review_id`, t.`order_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__order_reviews)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.fct_reviews`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__order_reviews`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.fct_reviews`
COPY `gold_staging.fct_reviews`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.fct_reviews`;
