/*
description: >-
  One row per seller: volume, value, delivery reliability and customer satisfaction over the seller's whole
  history, with a tier. Orders count once per seller however many of the seller's items they hold.
  Tiers: inactive (no orders); top (10+ delivered orders, at most 5% late, average score 4.5+);
  at_risk (more than 20% late or average score below 3.5); standard otherwise.
materialized: table
cluster_by: [tier, seller_state]
columns:
  - name: seller_id
    type: string
    description: Seller id.
    tests:
      - unique
      - not_null
      - relationships: {to: "ref('dim_sellers')", field: seller_id}
  - name: seller_state
    type: string
    description: Seller's state.
  - name: orders
    type: int64
    description: Orders with at least one of the seller's items.
    tests: [not_null]
  - name: items_sold
    type: int64
    description: Items sold.
  - name: items_value
    type: numeric(18,2)
    description: Sum of the seller's item prices.
  - name: freight_value
    type: numeric(18,2)
    description: Sum of the freight on the seller's items.
  - name: delivered_orders
    type: int64
    description: Orders delivered to the customer.
  - name: late_orders
    type: int64
    description: Delivered orders that arrived late.
    tests:
      - expression: "late_orders <= delivered_orders"
  - name: canceled_orders
    type: int64
    description: Orders canceled.
  - name: late_rate
    type: float64
    description: late_orders / delivered_orders; null without deliveries.
    tests:
      - expression: "late_rate BETWEEN 0 AND 1"
  - name: avg_delivery_days
    type: float64
    description: Mean calendar days from purchase to delivery, rounded to 2 decimals.
  - name: avg_review_score
    type: float64
    description: Mean review score of the seller's reviewed orders, rounded to 2 decimals.
    tests:
      - expression: "avg_review_score BETWEEN 1 AND 5"
  - name: first_sale_date
    type: date
    description: Day of the seller's first order.
  - name: last_sale_date
    type: date
    description: Day of the seller's latest order.
  - name: active_months
    type: int64
    description: Months with at least one order.
  - name: tier
    type: string
    description: inactive, top, standard or at_risk (rules in the table description).
    tests:
      - not_null
      - accepted_values: {values: [inactive, top, standard, at_risk]}
tests:
  - row_count_matches: "ref('dim_sellers')"
  - expression:
      name: sales_dates_in_order
      sql: "first_sale_date <= last_sale_date"
*/
WITH seller_items AS (
  SELECT
    i.seller_id,
    i.order_id,
    i.price,
    i.freight_value,
    o.order_status,
    o.order_purchase_date,
    o.is_late,
    o.purchase_to_delivery_days,
    o.review_score
  FROM {{ ref('fct_order_items') }} AS i
  JOIN {{ ref('fct_orders') }} AS o
    ON o.order_id = i.order_id
),
volume AS (
  SELECT
    seller_id,
    COUNT(DISTINCT order_id) AS orders,
    COUNT(*) AS items_sold,
    SUM(price) AS items_value,
    SUM(freight_value) AS freight_value,
    COUNT(DISTINCT CASE WHEN order_status = 'delivered' THEN order_id END) AS delivered_orders,
    COUNT(DISTINCT CASE WHEN order_status = 'delivered' AND is_late THEN order_id END) AS late_orders,
    COUNT(DISTINCT CASE WHEN order_status = 'canceled' THEN order_id END) AS canceled_orders,
    MIN(order_purchase_date) AS first_sale_date,
    MAX(order_purchase_date) AS last_sale_date,
    COUNT(DISTINCT {{ date_trunc('month', 'order_purchase_date') }}) AS active_months
  FROM seller_items
  GROUP BY seller_id
),
-- One row per seller and order, so an order with several of the seller's items weighs once.
seller_orders AS (
  SELECT DISTINCT seller_id, order_id, review_score, purchase_to_delivery_days
  FROM seller_items
),
quality AS (
  SELECT
    seller_id,
    ROUND(AVG(review_score), 2) AS avg_review_score,
    ROUND(AVG(purchase_to_delivery_days), 2) AS avg_delivery_days
  FROM seller_orders
  GROUP BY seller_id
),
scored AS (
  SELECT
    s.seller_id,
    s.seller_state,
    COALESCE(v.orders, 0) AS orders,
    COALESCE(v.items_sold, 0) AS items_sold,
    COALESCE(v.items_value, 0) AS items_value,
    COALESCE(v.freight_value, 0) AS freight_value,
    COALESCE(v.delivered_orders, 0) AS delivered_orders,
    COALESCE(v.late_orders, 0) AS late_orders,
    COALESCE(v.canceled_orders, 0) AS canceled_orders,
    {{ safe_divide('v.late_orders', 'v.delivered_orders') }} AS late_rate,
    q.avg_delivery_days,
    q.avg_review_score,
    v.first_sale_date,
    v.last_sale_date,
    COALESCE(v.active_months, 0) AS active_months
  FROM {{ ref('dim_sellers') }} AS s
  LEFT JOIN volume AS v
    ON v.seller_id = s.seller_id
  LEFT JOIN quality AS q
    ON q.seller_id = s.seller_id
)
SELECT
  scored.*,
  CASE
    WHEN orders = 0 THEN 'inactive'
    WHEN delivered_orders >= 10 AND late_rate <= 0.05 AND avg_review_score >= 4.5 THEN 'top'
    WHEN late_rate > 0.2 OR avg_review_score < 3.5 THEN 'at_risk'
    ELSE 'standard'
  END AS tier
FROM scored
