/*
description: >-
  Daily sales by customer state and product category (English). An order counts on the day it was placed unless
  it was canceled or unavailable, and only with at least one item. Revenue is what customers paid: each order's
  payments are allocated to its items in proportion to price plus freight, in cents that add up exactly to the
  order's payments. An order with items in two categories counts once in each (orders do not add up across
  categories; revenue does).
materialized: incremental
partition_by: sale_date
cluster_by: [customer_state, product_category]
columns:
  - name: sale_date
    type: date
    description: Day the orders were placed (UTC).
    tests:
      - relationships: {to: "ref('dim_date')", field: date_day}
  - name: customer_state
    type: string
    description: Customer's state.
    tests:
      - not_null
      - relationships: {to: "ref('dim_states')", field: state_code}
  - name: product_category
    type: string
    description: Product category in English (dim_products.product_category_name_english).
    tests: [not_null]
  - name: orders
    type: int64
    description: Orders with at least one item in the category.
    tests:
      - expression: "orders >= 1"
  - name: items
    type: int64
    description: Items sold.
    tests:
      - expression: "items >= orders"
  - name: items_value
    type: numeric(18,2)
    description: Sum of item prices.
  - name: freight_value
    type: numeric(18,2)
    description: Sum of item freight.
  - name: revenue
    type: numeric(18,2)
    description: Payments allocated to the items, in the currency of the orders (BRL).
    tests:
      - not_null
      - expression: "revenue >= 0"
tests:
  - unique: [sale_date, customer_state, product_category]
  - sql:
      name: revenue_reconciles_with_silver_payments
      query: |
        SELECT k.revenue, s.payments
        FROM (SELECT SUM(revenue) AS revenue FROM {{ this() }}) AS k
        CROSS JOIN (
          SELECT SUM(p.payment_value) AS payments
          FROM {{ source('silver', 'olist__order_payments') }} AS p
          JOIN {{ source('silver', 'olist__orders') }} AS o
            ON o.order_id = p.order_id
          WHERE o.order_status NOT IN ('canceled', 'unavailable')
            AND EXISTS (
              SELECT 1 FROM {{ source('silver', 'olist__order_items') }} AS i
              WHERE i.order_id = o.order_id
            )
        ) AS s
        WHERE COALESCE(k.revenue, 0) <> COALESCE(s.payments, 0)
*/
-- Orders whose rows changed since the last build: their days are rebuilt whole.
WITH changed_orders AS (
  SELECT o.order_id
  FROM {{ source('silver', 'olist__orders') }} AS o
  WHERE {{ changed('o', source('silver', 'olist__orders')) }}
  UNION DISTINCT
  SELECT i.order_id
  FROM {{ source('silver', 'olist__order_items') }} AS i
  WHERE {{ changed('i', source('silver', 'olist__order_items')) }}
  UNION DISTINCT
  SELECT p.order_id
  FROM {{ source('silver', 'olist__order_payments') }} AS p
  WHERE {{ changed('p', source('silver', 'olist__order_payments')) }}
  UNION DISTINCT
  SELECT o.order_id
  FROM {{ source('silver', 'olist__orders') }} AS o
  JOIN {{ source('silver', 'olist__customers') }} AS c
    ON c.customer_id = o.customer_id
  WHERE {{ changed('c', source('silver', 'olist__customers')) }}
  UNION DISTINCT
  SELECT i.order_id
  FROM {{ source('silver', 'olist__order_items') }} AS i
  JOIN {{ source('silver', 'olist__products') }} AS pr
    ON pr.product_id = i.product_id
  WHERE {{ changed('pr', source('silver', 'olist__products')) }}
  UNION DISTINCT
  SELECT i.order_id
  FROM {{ source('silver', 'olist__order_items') }} AS i
  JOIN {{ source('silver', 'olist__products') }} AS pr
    ON pr.product_id = i.product_id
  JOIN {{ source('silver', 'olist__product_category_name_translation') }} AS t
    ON t.product_category_name = pr.product_category_name
  WHERE {{ changed('t', source('silver', 'olist__product_category_name_translation')) }}
),
affected_days AS (
  SELECT DISTINCT f.order_purchase_date AS sale_date
  FROM {{ ref('fct_orders') }} AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
sales_orders AS (
  SELECT f.order_id, f.order_purchase_date AS sale_date, f.customer_id, f.payment_value
  FROM {{ ref('fct_orders') }} AS f
  WHERE f.order_status NOT IN ('canceled', 'unavailable')
    AND f.item_count > 0
    AND f.order_purchase_date IN (SELECT sale_date FROM affected_days)
),
sales_items AS (
  SELECT
    s.sale_date,
    s.order_id,
    s.customer_id,
    s.payment_value,
    i.price,
    i.freight_value,
    i.item_value,
    COALESCE(d.product_category_name_english, 'unknown') AS product_category,
    SUM(i.item_value) OVER (
      PARTITION BY i.order_id ORDER BY i.order_item_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS value_through_item,
    SUM(i.item_value) OVER (PARTITION BY i.order_id) AS order_items_value
  FROM sales_orders AS s
  JOIN {{ ref('fct_order_items') }} AS i
    ON i.order_id = s.order_id
  LEFT JOIN {{ ref('dim_products') }} AS d
    ON d.product_id = i.product_id
),
-- Each item gets the rounded share of payments up to and including it minus the share before it, so an
-- order's item revenues add up to its payments to the cent.
allocated AS (
  SELECT
    sale_date,
    order_id,
    customer_id,
    product_category,
    price,
    freight_value,
    {{ cast('ROUND(payment_value * value_through_item / order_items_value, 2)', 'numeric(18,2)') }}
      - {{ cast('ROUND(payment_value * (value_through_item - item_value) / order_items_value, 2)', 'numeric(18,2)') }} AS revenue
  FROM sales_items
)
SELECT
  a.sale_date,
  c.customer_state,
  a.product_category,
  COUNT(DISTINCT a.order_id) AS orders,
  COUNT(*) AS items,
  SUM(a.price) AS items_value,
  SUM(a.freight_value) AS freight_value,
  SUM(a.revenue) AS revenue
FROM allocated AS a
LEFT JOIN {{ ref('dim_customers') }} AS c
  ON c.customer_id = a.customer_id
GROUP BY a.sale_date, c.customer_state, a.product_category
