-- dim_products: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_products`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_products`
(
  `product_id` STRING OPTIONS(description = 'Product id.'),
  `product_category_name` STRING OPTIONS(description = 'Category as published (Portuguese); null when the product has none.'),
  `product_category_name_english` STRING OPTIONS(description = 'Category in English from the translation table; the Portuguese name when untranslated; \'unknown\' when none.'),
  `has_category_translation` BOOL OPTIONS(description = 'True when the translation table has the category.'),
  `product_name_length` INT64 OPTIONS(description = 'Characters in the product name (published as product_name_lenght).'),
  `product_description_length` INT64 OPTIONS(description = 'Characters in the description (published as product_description_lenght).'),
  `product_photos_qty` INT64 OPTIONS(description = 'Photos on the listing.'),
  `product_weight_g` INT64 OPTIONS(description = 'Weight in grams.'),
  `product_length_cm` INT64 OPTIONS(description = 'Length in centimetres.'),
  `product_height_cm` INT64 OPTIONS(description = 'Height in centimetres.'),
  `product_width_cm` INT64 OPTIONS(description = 'Width in centimetres.'),
  `product_volume_cm3` INT64 OPTIONS(description = 'Length x height x width; null when a dimension is missing.')
)
CLUSTER BY `product_category_name_english`
OPTIONS(description = 'One row per product with its category in Portuguese and English and its dimensions. Products without a category get \'unknown\'; categories without a translation keep their Portuguese name in English.')
AS
SELECT
  CAST(`product_id` AS STRING) AS `product_id`,
  CAST(`product_category_name` AS STRING) AS `product_category_name`,
  CAST(`product_category_name_english` AS STRING) AS `product_category_name_english`,
  CAST(`has_category_translation` AS BOOL) AS `has_category_translation`,
  CAST(`product_name_length` AS INT64) AS `product_name_length`,
  CAST(`product_description_length` AS INT64) AS `product_description_length`,
  CAST(`product_photos_qty` AS INT64) AS `product_photos_qty`,
  CAST(`product_weight_g` AS INT64) AS `product_weight_g`,
  CAST(`product_length_cm` AS INT64) AS `product_length_cm`,
  CAST(`product_height_cm` AS INT64) AS `product_height_cm`,
  CAST(`product_width_cm` AS INT64) AS `product_width_cm`,
  CAST(`product_volume_cm3` AS INT64) AS `product_volume_cm3`
FROM (
SELECT
  p.product_id,
  p.product_category_name,
  COALESCE(t.product_category_name_english, p.product_category_name, 'unknown') AS product_category_name_english,
  t.product_category_name IS NOT NULL AS has_category_translation,
  p.product_name_lenght AS product_name_length,
  p.product_description_lenght AS product_description_length,
  p.product_photos_qty,
  p.product_weight_g,
  p.product_length_cm,
  p.product_height_cm,
  p.product_width_cm,
  p.product_length_cm * p.product_height_cm * p.product_width_cm AS product_volume_cm3
FROM `silver.olist__products` AS p
LEFT JOIN `silver.olist__product_category_name_translation` AS t
  ON t.product_category_name = p.product_category_name
) AS model;

-- test: unique(product_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`product_id`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_products` AS t
WHERE t.`product_id` IS NOT NULL
GROUP BY t.`product_id`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(product_id)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_products` AS t
WHERE t.`product_id` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(product_category_name_english)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_products` AS t
WHERE t.`product_category_name_english` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(has_category_translation)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_products` AS t
WHERE t.`has_category_translation` IS NULL
) AS failures
LIMIT 20;

-- test: expression(product_weight_g >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_products` AS t
WHERE NOT (product_weight_g >= 0)
) AS failures
LIMIT 20;

-- test: expression(product_volume_cm3 >= 0)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_products` AS t
WHERE NOT (product_volume_cm3 >= 0)
) AS failures
LIMIT 20;

-- test: row_count_matches(silver.olist__products)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT m.`model_rows`, o.`expected_rows`
FROM (SELECT COUNT(*) AS `model_rows` FROM `gold_staging.dim_products`) AS m
CROSS JOIN (SELECT COUNT(*) AS `expected_rows` FROM `silver.olist__products`) AS o
WHERE m.`model_rows` <> o.`expected_rows`
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_products`
COPY `gold_staging.dim_products`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_products`;
