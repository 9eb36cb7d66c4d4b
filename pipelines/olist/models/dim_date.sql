/*
description: >-
  One row per calendar day, from 1 January of the year of the first purchase to 31 December of the year of the
  last purchase or delivery. Join facts on their *_date columns. Estimated delivery dates are left out of the
  range: a mistyped estimate (a year like 2099) would otherwise add decades of days.
materialized: table
columns:
  - name: date_day
    type: date
    description: The day.
    tests: [unique, not_null]
  - name: year
    type: int64
    description: Calendar year.
  - name: quarter
    type: int64
    description: Quarter of the year, 1 to 4.
    tests:
      - accepted_values: {values: [1, 2, 3, 4]}
  - name: month
    type: int64
    description: Month of the year, 1 to 12.
    tests:
      - expression: "month BETWEEN 1 AND 12"
  - name: day_of_month
    type: int64
    description: Day of the month, 1 to 31.
    tests:
      - expression: "day_of_month BETWEEN 1 AND 31"
  - name: iso_day_of_week
    type: int64
    description: ISO day of the week, Monday 1 to Sunday 7.
    tests:
      - accepted_values: {values: [1, 2, 3, 4, 5, 6, 7]}
  - name: day_name
    type: string
    description: English day name, e.g. Monday.
  - name: month_name
    type: string
    description: English month name, e.g. January.
  - name: year_month
    type: string
    description: Year and month as YYYY-MM.
  - name: month_start
    type: date
    description: First day of the month.
  - name: week_start
    type: date
    description: Monday of the ISO week.
  - name: is_weekend
    type: bool
    description: True on Saturdays and Sundays.
    tests: [not_null]
tests:
  - row_count: {min: 365}
  - sql:
      name: no_gaps_between_days
      query: |
        SELECT d.date_day, d.next_day
        FROM (
          SELECT date_day, LEAD(date_day) OVER (ORDER BY date_day) AS next_day
          FROM {{ this() }}
        ) AS d
        WHERE d.next_day IS NOT NULL
          AND {{ date_diff('day', 'd.date_day', 'd.next_day') }} <> 1
*/
WITH order_moments AS (
  SELECT o.order_purchase_timestamp AS moment FROM {{ source('silver', 'olist__orders') }} AS o
  UNION ALL
  SELECT o.order_delivered_customer_date FROM {{ source('silver', 'olist__orders') }} AS o
),
bounds AS (
  SELECT
    {{ date_trunc('year', to_date('MIN(moment)')) }} AS first_day,
    {{ date_add('day', -1, date_add('year', 1, date_trunc('year', to_date('MAX(moment)')))) }} AS last_day
  FROM order_moments
)
SELECT
  date_day,
  EXTRACT(YEAR FROM date_day) AS year,
  EXTRACT(QUARTER FROM date_day) AS quarter,
  EXTRACT(MONTH FROM date_day) AS month,
  EXTRACT(DAY FROM date_day) AS day_of_month,
  {{ iso_day_of_week('date_day') }} AS iso_day_of_week,
  {{ format_date('%A', 'date_day') }} AS day_name,
  {{ format_date('%B', 'date_day') }} AS month_name,
  {{ format_date('%Y-%m', 'date_day') }} AS year_month,
  {{ date_trunc('month', 'date_day') }} AS month_start,
  {{ date_trunc('week', 'date_day') }} AS week_start,
  {{ iso_day_of_week('date_day') }} >= 6 AS is_weekend
FROM {{ date_spine('(SELECT first_day FROM bounds)', '(SELECT last_day FROM bounds)') }}
