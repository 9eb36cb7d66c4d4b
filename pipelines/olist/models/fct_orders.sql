/*
description: >-
  One row per order: status, lifecycle timestamps, item and payment totals, the latest review score and the
  delivery measures. Delivery days count calendar days (UTC); an order is late when it was delivered after the
  start of its estimated delivery date, the timestamp comparison analyses of the published data use.
materialized: table
partition_by: {column: order_purchase_date, granularity: month}
cluster_by: [order_status, customer_id]
columns:
  - name: order_id
    type: string
    description: Order id.
    tests: [unique, not_null]
  - name: customer_id
    type: string
    description: Customer id of the order (dim_customers).
    tests:
      - not_null
      - relationships: {to: "ref('dim_customers')", field: customer_id}
  - name: order_status
    type: string
    description: Status as published, lower case.
    tests:
      - not_null
      - accepted_values: {values: [delivered, shipped, canceled, unavailable, invoiced, processing, created, approved]}
  - name: purchased_at
    type: timestamp
    description: When the order was placed (UTC).
    tests: [not_null]
  - name: order_purchase_date
    type: date
    description: Day the order was placed (UTC); joins dim_date.
    tests:
      - not_null
      - relationships: {to: "ref('dim_date')", field: date_day}
  - name: approved_at
    type: timestamp
    description: When the payment was approved; null before approval.
  - name: delivered_to_carrier_at
    type: timestamp
    description: When the seller handed the order to the carrier; null before.
  - name: delivered_to_customer_at
    type: timestamp
    description: When the customer received the order; null until delivered.
  - name: estimated_delivery_date
    type: date
    description: Delivery date promised at purchase.
  - name: item_count
    type: int64
    description: Items in the order.
    tests:
      - not_null
      - expression: "item_count >= 0"
  - name: seller_count
    type: int64
    description: Distinct sellers of the order's items.
  - name: items_value
    type: numeric(18,2)
    description: Sum of item prices.
    tests: [not_null]
  - name: freight_value
    type: numeric(18,2)
    description: Sum of item freight.
    tests: [not_null]
  - name: order_value
    type: numeric(18,2)
    description: Items plus freight.
    tests:
      - not_null
      - expression: "order_value = items_value + freight_value"
  - name: payment_value
    type: numeric(18,2)
    description: Sum of the order's payments (all methods and instalment plans).
    tests: [not_null]
  - name: payment_count
    type: int64
    description: Payment rows of the order (vouchers add rows).
  - name: payment_types
    type: string
    description: Payment methods used, comma-separated in alphabetical order; null when the order has no payment.
  - name: max_installments
    type: int64
    description: Largest instalment count among the order's payments.
  - name: review_score
    type: int64
    description: Score of the order's latest answered review, 1 to 5; null when not reviewed.
    tests:
      - accepted_values: {values: [1, 2, 3, 4, 5]}
  - name: purchase_to_delivery_days
    type: int64
    description: Calendar days from purchase to delivery; null until delivered.
    tests:
      - expression: "purchase_to_delivery_days >= 0"
  - name: delivered_vs_estimated_days
    type: int64
    description: Calendar days from the estimated date to the delivery date; negative is early, null until delivered.
  - name: is_late
    type: bool
    description: Delivered after the start of the estimated delivery date; null until delivered.
    tests:
      - expression: "NOT is_late OR delivered_vs_estimated_days >= 0"
  - name: is_delivered
    type: bool
    description: True when the status is delivered.
    tests: [not_null]
tests:
  - row_count_matches: "source('silver', 'olist__orders')"
  - expression:
      name: delivered_orders_have_delivery_time
      sql: "NOT is_delivered OR delivered_to_customer_at IS NOT NULL"
      severity: warn
  - sql:
      name: payments_reconcile_with_silver
      query: |
        SELECT f.payments AS gold_payments, s.payments AS silver_payments
        FROM (SELECT SUM(payment_value) AS payments FROM {{ this() }}) AS f
        CROSS JOIN (
          SELECT SUM(p.payment_value) AS payments
          FROM {{ source('silver', 'olist__order_payments') }} AS p
          JOIN {{ source('silver', 'olist__orders') }} AS o
            ON o.order_id = p.order_id
        ) AS s
        WHERE f.payments <> s.payments
*/
WITH items AS (
  SELECT
    i.order_id,
    COUNT(*) AS item_count,
    COUNT(DISTINCT i.seller_id) AS seller_count,
    SUM(i.price) AS items_value,
    SUM(i.freight_value) AS freight_value
  FROM {{ source('silver', 'olist__order_items') }} AS i
  GROUP BY i.order_id
),
payments AS (
  SELECT
    p.order_id,
    SUM(p.payment_value) AS payment_value,
    COUNT(*) AS payment_count,
    MAX(p.payment_installments) AS max_installments,
    {{ string_agg('p.payment_type', ', ', distinct=true) }} AS payment_types
  FROM {{ source('silver', 'olist__order_payments') }} AS p
  GROUP BY p.order_id
),
latest_review AS (
  SELECT r.order_id, r.review_score
  FROM (
    SELECT
      order_id,
      review_score,
      ROW_NUMBER() OVER (
        PARTITION BY order_id
        ORDER BY review_answer_timestamp DESC, review_creation_date DESC, review_id
      ) AS review_rank
    FROM {{ source('silver', 'olist__order_reviews') }}
  ) AS r
  WHERE r.review_rank = 1
),
orders AS (
  SELECT
    o.*,
    {{ to_date('o.order_purchase_timestamp') }} AS purchase_day,
    {{ to_date('o.order_delivered_customer_date') }} AS delivered_day,
    {{ to_date('o.order_estimated_delivery_date') }} AS estimated_day
  FROM {{ source('silver', 'olist__orders') }} AS o
)
SELECT
  o.order_id,
  o.customer_id,
  o.order_status,
  o.order_purchase_timestamp AS purchased_at,
  o.purchase_day AS order_purchase_date,
  o.order_approved_at AS approved_at,
  o.order_delivered_carrier_date AS delivered_to_carrier_at,
  o.order_delivered_customer_date AS delivered_to_customer_at,
  o.estimated_day AS estimated_delivery_date,
  COALESCE(i.item_count, 0) AS item_count,
  COALESCE(i.seller_count, 0) AS seller_count,
  COALESCE(i.items_value, 0) AS items_value,
  COALESCE(i.freight_value, 0) AS freight_value,
  COALESCE(i.items_value, 0) + COALESCE(i.freight_value, 0) AS order_value,
  COALESCE(p.payment_value, 0) AS payment_value,
  COALESCE(p.payment_count, 0) AS payment_count,
  p.payment_types,
  p.max_installments,
  r.review_score,
  {{ date_diff('day', 'o.purchase_day', 'o.delivered_day') }} AS purchase_to_delivery_days,
  {{ date_diff('day', 'o.estimated_day', 'o.delivered_day') }} AS delivered_vs_estimated_days,
  CASE
    WHEN o.order_delivered_customer_date IS NULL THEN NULL
    ELSE o.order_delivered_customer_date > o.order_estimated_delivery_date
  END AS is_late,
  o.order_status = 'delivered' AS is_delivered
FROM orders AS o
LEFT JOIN items AS i
  ON i.order_id = o.order_id
LEFT JOIN payments AS p
  ON p.order_id = o.order_id
LEFT JOIN latest_review AS r
  ON r.order_id = o.order_id
