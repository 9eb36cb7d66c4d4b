/*
description: >-
  One row per payment of an order. An order can be paid in parts (for example a card and vouchers); payment_value
  is the amount of this part, paid in payment_installments instalments.
materialized: table
partition_by: {column: order_purchase_date, granularity: month}
cluster_by: [payment_type]
columns:
  - name: order_id
    type: string
    description: Order id.
    tests:
      - not_null
      # warn: silver quarantines orders with impossible dates, and their payments may remain
      - relationships: {to: "ref('fct_orders')", field: order_id, severity: warn}
  - name: payment_sequential
    type: int64
    description: Number of this payment within the order, from 1.
    tests: [not_null]
  - name: payment_type
    type: string
    description: Method, lower case.
    tests:
      - not_null
      - accepted_values: {values: [credit_card, boleto, voucher, debit_card, not_defined]}
  - name: payment_installments
    type: int64
    description: Instalments the payment is split into (0 appears in the published data for a few card payments).
    tests:
      - expression: "payment_installments >= 0"
  - name: payment_value
    type: numeric(18,2)
    description: Amount paid.
    tests:
      - not_null
      - expression: "payment_value >= 0"
  - name: order_purchase_date
    type: date
    description: Day the order was placed (UTC).
tests:
  - unique: [order_id, payment_sequential]
  - row_count_matches: "source('silver', 'olist__order_payments')"
*/
SELECT
  p.order_id,
  p.payment_sequential,
  p.payment_type,
  p.payment_installments,
  p.payment_value,
  {{ to_date('o.order_purchase_timestamp') }} AS order_purchase_date
FROM {{ source('silver', 'olist__order_payments') }} AS p
LEFT JOIN {{ source('silver', 'olist__orders') }} AS o
  ON o.order_id = p.order_id
