/*
description: One row per seller, with location and macro-region.
materialized: table
cluster_by: [seller_state]
columns:
  - name: seller_id
    type: string
    description: Seller id.
    tests: [unique, not_null]
  - name: seller_zip_code_prefix
    type: string
    description: First five digits of the seller's zip code.
  - name: seller_city
    type: string
    description: City, lower case.
  - name: seller_state
    type: string
    description: Two-letter state code.
    tests:
      - not_null
      - relationships: {to: "ref('dim_states')", field: state_code}
  - name: seller_region
    type: string
    description: IBGE macro-region of the state.
  - name: latitude
    type: float64
    description: Centre of the seller's zip code prefix; null when the prefix has no geolocation.
  - name: longitude
    type: float64
    description: Centre of the seller's zip code prefix; null when the prefix has no geolocation.
tests:
  - row_count_matches: "source('silver', 'olist__sellers')"
*/
SELECT
  s.seller_id,
  s.seller_zip_code_prefix,
  s.seller_city,
  s.seller_state,
  st.region AS seller_region,
  z.latitude,
  z.longitude
FROM {{ source('silver', 'olist__sellers') }} AS s
LEFT JOIN {{ ref('dim_states') }} AS st
  ON st.state_code = s.seller_state
LEFT JOIN {{ ref('dim_zip_prefixes') }} AS z
  ON z.zip_code_prefix = s.seller_zip_code_prefix
