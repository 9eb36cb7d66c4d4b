/*
description: >-
  Delivery performance of delivered orders by purchase month and seller state: how many arrived late, how long
  delivery took and how far from the estimate. An order with sellers in two states counts in both.
materialized: incremental
partition_by: {column: purchase_month, granularity: month}
cluster_by: [seller_state]
columns:
  - name: purchase_month
    type: date
    description: First day of the month the orders were placed in (UTC).
    tests:
      - expression: "EXTRACT(DAY FROM purchase_month) = 1"
  - name: seller_state
    type: string
    description: State of a seller of the order.
    tests:
      - not_null
      - relationships: {to: "ref('dim_states')", field: state_code}
  - name: seller_region
    type: string
    description: IBGE macro-region of the seller state.
  - name: delivered_orders
    type: int64
    description: Orders delivered to the customer.
    tests:
      - expression: "delivered_orders >= 1"
  - name: late_orders
    type: int64
    description: Delivered orders that arrived after the estimated date (fct_orders.is_late).
    tests:
      - expression: "late_orders <= delivered_orders"
  - name: late_rate
    type: float64
    description: late_orders / delivered_orders.
    tests:
      - expression: "late_rate BETWEEN 0 AND 1"
  - name: avg_delivery_days
    type: float64
    description: Mean calendar days from purchase to delivery, rounded to 2 decimals.
  - name: avg_delivered_vs_estimated_days
    type: float64
    description: Mean days from the estimated date to delivery (negative is early), rounded to 2 decimals.
  - name: avg_days_late_when_late
    type: float64
    description: Mean days past the estimate among late orders; null when none was late.
  - name: avg_review_score
    type: float64
    description: Mean review score of the orders that were reviewed, rounded to 2 decimals.
tests:
  - unique: [purchase_month, seller_state]
  - sql:
      name: delivered_orders_reconcile_with_fct_orders
      query: |
        SELECT k.orders AS kpi_orders, f.orders AS fact_orders
        FROM (SELECT SUM(delivered_orders) AS orders FROM {{ this() }}) AS k
        CROSS JOIN (
          SELECT COUNT(*) AS orders
          FROM (
            SELECT DISTINCT o.order_id, s.seller_state
            FROM {{ ref('fct_orders') }} AS o
            JOIN {{ ref('fct_order_items') }} AS i ON i.order_id = o.order_id
            JOIN {{ ref('dim_sellers') }} AS s ON s.seller_id = i.seller_id
            WHERE o.order_status = 'delivered' AND o.delivered_to_customer_at IS NOT NULL
          ) AS pairs
        ) AS f
        WHERE COALESCE(k.orders, 0) <> f.orders
*/
WITH changed_orders AS (
  SELECT o.order_id
  FROM {{ source('silver', 'olist__orders') }} AS o
  WHERE {{ changed('o', source('silver', 'olist__orders')) }}
  UNION DISTINCT
  SELECT i.order_id
  FROM {{ source('silver', 'olist__order_items') }} AS i
  WHERE {{ changed('i', source('silver', 'olist__order_items')) }}
  UNION DISTINCT
  SELECT i.order_id
  FROM {{ source('silver', 'olist__order_items') }} AS i
  JOIN {{ source('silver', 'olist__sellers') }} AS s
    ON s.seller_id = i.seller_id
  WHERE {{ changed('s', source('silver', 'olist__sellers')) }}
  UNION DISTINCT
  SELECT r.order_id
  FROM {{ source('silver', 'olist__order_reviews') }} AS r
  WHERE {{ changed('r', source('silver', 'olist__order_reviews')) }}
),
affected_months AS (
  SELECT DISTINCT {{ date_trunc('month', 'f.order_purchase_date') }} AS purchase_month
  FROM {{ ref('fct_orders') }} AS f
  JOIN changed_orders AS c
    ON c.order_id = f.order_id
),
delivered AS (
  SELECT
    f.order_id,
    {{ date_trunc('month', 'f.order_purchase_date') }} AS purchase_month,
    f.purchase_to_delivery_days,
    f.delivered_vs_estimated_days,
    f.is_late,
    f.review_score
  FROM {{ ref('fct_orders') }} AS f
  WHERE f.order_status = 'delivered'
    AND f.delivered_to_customer_at IS NOT NULL
    AND {{ date_trunc('month', 'f.order_purchase_date') }} IN (SELECT purchase_month FROM affected_months)
),
order_seller_states AS (
  SELECT DISTINCT i.order_id, s.seller_state, s.seller_region
  FROM {{ ref('fct_order_items') }} AS i
  JOIN {{ ref('dim_sellers') }} AS s
    ON s.seller_id = i.seller_id
)
SELECT
  d.purchase_month,
  s.seller_state,
  s.seller_region,
  COUNT(*) AS delivered_orders,
  {{ count_if('d.is_late') }} AS late_orders,
  {{ safe_divide(count_if('d.is_late'), 'COUNT(*)') }} AS late_rate,
  ROUND(AVG(d.purchase_to_delivery_days), 2) AS avg_delivery_days,
  ROUND(AVG(d.delivered_vs_estimated_days), 2) AS avg_delivered_vs_estimated_days,
  ROUND(AVG(CASE WHEN d.is_late THEN d.delivered_vs_estimated_days END), 2) AS avg_days_late_when_late,
  ROUND(AVG(d.review_score), 2) AS avg_review_score
FROM delivered AS d
JOIN order_seller_states AS s
  ON s.order_id = d.order_id
GROUP BY d.purchase_month, s.seller_state, s.seller_region
