/*
description: >-
  One row per customer id. Olist issues a new customer id for every order; customer_unique_id (pseudonymised in
  silver) identifies the person, so the person's order count and first order show who comes back.
materialized: table
cluster_by: [customer_state]
columns:
  - name: customer_id
    type: string
    description: Customer id of one order (the key orders use).
    tests: [unique, not_null]
  - name: customer_unique_id
    type: string
    description: Pseudonymised id of the person behind the customer id (the same for all of a person's orders).
    tests: [not_null]
  - name: customer_zip_code_prefix
    type: string
    description: First five digits of the customer's zip code.
  - name: customer_city
    type: string
    description: City, lower case.
  - name: customer_state
    type: string
    description: Two-letter state code.
    tests:
      - not_null
      - relationships: {to: "ref('dim_states')", field: state_code}
  - name: customer_region
    type: string
    description: IBGE macro-region of the state.
  - name: latitude
    type: float64
    description: Centre of the customer's zip code prefix; null when the prefix has no geolocation.
  - name: longitude
    type: float64
    description: Centre of the customer's zip code prefix; null when the prefix has no geolocation.
  - name: person_orders
    type: int64
    description: Orders placed by the person (all of their customer ids).
    tests:
      - expression: "person_orders >= 0"
  - name: person_first_order_at
    type: timestamp
    description: When the person placed their first order (UTC); null when none of their orders is in silver.
  - name: is_repeat_customer
    type: bool
    description: True when the person placed more than one order.
    tests: [not_null]
tests:
  - row_count_matches: "source('silver', 'olist__customers')"
*/
WITH orders_per_person AS (
  SELECT
    c.customer_unique_id,
    COUNT(DISTINCT o.order_id) AS orders_placed,
    MIN(o.order_purchase_timestamp) AS first_order_at
  FROM {{ source('silver', 'olist__customers') }} AS c
  JOIN {{ source('silver', 'olist__orders') }} AS o
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
FROM {{ source('silver', 'olist__customers') }} AS c
LEFT JOIN {{ ref('dim_states') }} AS s
  ON s.state_code = c.customer_state
LEFT JOIN {{ ref('dim_zip_prefixes') }} AS z
  ON z.zip_code_prefix = c.customer_zip_code_prefix
LEFT JOIN orders_per_person AS p
  ON p.customer_unique_id = c.customer_unique_id
