/*
description: >-
  One row per review and order (the published data repeats a review id across orders), with the score, whether
  the customer wrote a title or comment, and how long the answer took. Comment text stays in silver.
materialized: table
partition_by: {column: review_created_date, granularity: month}
cluster_by: [review_score]
columns:
  - name: review_id
    type: string
    description: Review id.
    tests: [not_null]
  - name: order_id
    type: string
    description: Order reviewed.
    tests:
      - not_null
      - relationships: {to: "ref('fct_orders')", field: order_id, severity: warn}
  - name: review_score
    type: int64
    description: Score from 1 (worst) to 5.
    tests:
      - not_null
      - accepted_values: {values: [1, 2, 3, 4, 5]}
  - name: has_title
    type: bool
    description: True when the review has a non-blank title.
  - name: has_comment
    type: bool
    description: True when the review has a non-blank comment.
  - name: comment_length
    type: int64
    description: Characters in the (scrubbed) comment; 0 without one.
  - name: review_created_date
    type: date
    description: Day the satisfaction survey was sent.
  - name: answered_at
    type: timestamp
    description: When the customer answered.
  - name: answer_hours
    type: int64
    description: Whole hours from the survey to the answer.
    tests:
      - expression:
          sql: "answer_hours >= 0"
          severity: warn
  - name: is_latest_for_order
    type: bool
    description: True for the order's latest answered review (the score fct_orders carries).
    tests: [not_null]
tests:
  - unique: [review_id, order_id]
  - row_count_matches: "source('silver', 'olist__order_reviews')"
*/
SELECT
  r.review_id,
  r.order_id,
  r.review_score,
  COALESCE(TRIM(r.review_comment_title), '') <> '' AS has_title,
  COALESCE(TRIM(r.review_comment_message), '') <> '' AS has_comment,
  COALESCE(LENGTH(r.review_comment_message), 0) AS comment_length,
  {{ to_date('r.review_creation_date') }} AS review_created_date,
  r.review_answer_timestamp AS answered_at,
  {{ timestamp_diff('hour', 'r.review_creation_date', 'r.review_answer_timestamp') }} AS answer_hours,
  ROW_NUMBER() OVER (
    PARTITION BY r.order_id
    ORDER BY r.review_answer_timestamp DESC, r.review_creation_date DESC, r.review_id
  ) = 1 AS is_latest_for_order
FROM {{ source('silver', 'olist__order_reviews') }} AS r
