/*
description: >-
  One row per order item (an order of three units of a product has three items), with its product, seller,
  price and freight, and the order's purchase day and status for slicing.
materialized: table
partition_by: {column: order_purchase_date, granularity: month}
cluster_by: [seller_id, product_id]
columns:
  - name: order_id
    type: string
    description: Order id.
    tests:
      - not_null
      # warn: silver quarantines orders with impossible dates, and their items may remain
      - relationships: {to: "ref('fct_orders')", field: order_id, severity: warn}
  - name: order_item_id
    type: int64
    description: Position of the item in the order, from 1.
    tests:
      - not_null
      - expression: "order_item_id >= 1"
  - name: product_id
    type: string
    description: Product sold.
    tests:
      - not_null
      - relationships: {to: "ref('dim_products')", field: product_id}
  - name: seller_id
    type: string
    description: Seller who sold it.
    tests:
      - not_null
      - relationships: {to: "ref('dim_sellers')", field: seller_id}
  - name: customer_id
    type: string
    description: Customer id of the order.
  - name: order_status
    type: string
    description: Status of the order.
  - name: order_purchase_date
    type: date
    description: Day the order was placed (UTC).
  - name: shipping_limit_at
    type: timestamp
    description: Deadline for the seller to hand the item to the carrier.
  - name: price
    type: numeric(18,2)
    description: Item price.
    tests:
      - not_null
      - expression: "price > 0"
  - name: freight_value
    type: numeric(18,2)
    description: Freight charged for the item (an order's freight is split across its items).
    tests:
      - not_null
      - expression: "freight_value >= 0"
  - name: item_value
    type: numeric(18,2)
    description: Price plus freight.
    tests:
      - expression: "item_value = price + freight_value"
tests:
  - unique: [order_id, order_item_id]
  - row_count_matches: "source('silver', 'olist__order_items')"
*/
SELECT
  i.order_id,
  i.order_item_id,
  i.product_id,
  i.seller_id,
  o.customer_id,
  o.order_status,
  {{ to_date('o.order_purchase_timestamp') }} AS order_purchase_date,
  i.shipping_limit_date AS shipping_limit_at,
  i.price,
  i.freight_value,
  i.price + i.freight_value AS item_value
FROM {{ source('silver', 'olist__order_items') }} AS i
LEFT JOIN {{ source('silver', 'olist__orders') }} AS o
  ON o.order_id = i.order_id
