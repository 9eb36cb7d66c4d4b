/*
description: >-
  One row per 5-digit zip code prefix with the centre of its geolocation points. Points outside Brazil's
  bounding box (which silver keeps with a warning) are left out, so a stray point cannot move a centre abroad.
materialized: table
cluster_by: [zip_code_prefix]
columns:
  - name: zip_code_prefix
    type: string
    description: First five digits of the zip code, as text (leading zeros kept).
    tests: [unique, not_null]
  - name: latitude
    type: float64
    description: Mean latitude of the prefix's points inside Brazil.
    tests:
      - not_null
      - expression: "latitude BETWEEN -33.75 AND 5.3"
  - name: longitude
    type: float64
    description: Mean longitude of the prefix's points inside Brazil.
    tests:
      - not_null
      - expression: "longitude BETWEEN -73.99 AND -34.79"
  - name: geolocation_points
    type: int64
    description: Number of geolocation rows averaged.
    tests:
      - expression: "geolocation_points >= 1"
tests:
  - row_count: {min: 1}
*/
SELECT
  g.geolocation_zip_code_prefix AS zip_code_prefix,
  AVG(g.geolocation_lat) AS latitude,
  AVG(g.geolocation_lng) AS longitude,
  COUNT(*) AS geolocation_points
FROM {{ source('silver', 'olist__geolocation') }} AS g
WHERE g.geolocation_lat BETWEEN -33.75 AND 5.3
  AND g.geolocation_lng BETWEEN -73.99 AND -34.79
GROUP BY g.geolocation_zip_code_prefix
