/*
description: >-
  One row per product with its category in Portuguese and English and its dimensions. Products without a
  category get 'unknown'; categories without a translation keep their Portuguese name in English.
materialized: table
cluster_by: [product_category_name_english]
columns:
  - name: product_id
    type: string
    description: Product id.
    tests: [unique, not_null]
  - name: product_category_name
    type: string
    description: Category as published (Portuguese); null when the product has none.
  - name: product_category_name_english
    type: string
    description: Category in English from the translation table; the Portuguese name when untranslated; 'unknown' when none.
    tests: [not_null]
  - name: has_category_translation
    type: bool
    description: True when the translation table has the category.
    tests: [not_null]
  - name: product_name_length
    type: int64
    description: Characters in the product name (published as product_name_lenght).
  - name: product_description_length
    type: int64
    description: Characters in the description (published as product_description_lenght).
  - name: product_photos_qty
    type: int64
    description: Photos on the listing.
  - name: product_weight_g
    type: int64
    description: Weight in grams.
    tests:
      - expression: "product_weight_g >= 0"
  - name: product_length_cm
    type: int64
    description: Length in centimetres.
  - name: product_height_cm
    type: int64
    description: Height in centimetres.
  - name: product_width_cm
    type: int64
    description: Width in centimetres.
  - name: product_volume_cm3
    type: int64
    description: Length x height x width; null when a dimension is missing.
    tests:
      - expression: "product_volume_cm3 >= 0"
tests:
  - row_count_matches: "source('silver', 'olist__products')"
*/
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
FROM {{ source('silver', 'olist__products') }} AS p
LEFT JOIN {{ source('silver', 'olist__product_category_name_translation') }} AS t
  ON t.product_category_name = p.product_category_name
