-- dim_states: statements a gold run issues on BigQuery, in order.

-- before building: a staging table left by a failed build
DROP TABLE IF EXISTS `gold_staging.dim_states`;

-- build: full, into gold_staging
CREATE OR REPLACE TABLE `gold_staging.dim_states`
(
  `state_code` STRING OPTIONS(description = 'Two-letter state code (UF), e.g. SP.'),
  `state_name` STRING OPTIONS(description = 'State name in Portuguese.'),
  `region` STRING OPTIONS(description = 'IBGE macro-region in English.')
)
OPTIONS(description = 'Brazil\'s 27 federative units (26 states and the Federal District) with their IBGE macro-region. One row per two-letter state code (UF), the code the Olist files use for customers and sellers.')
AS
SELECT
  CAST(`state_code` AS STRING) AS `state_code`,
  CAST(`state_name` AS STRING) AS `state_name`,
  CAST(`region` AS STRING) AS `region`
FROM (
SELECT 'AC' AS state_code, 'Acre' AS state_name, 'North' AS region
UNION ALL SELECT 'AL', 'Alagoas', 'Northeast'
UNION ALL SELECT 'AM', 'Amazonas', 'North'
UNION ALL SELECT 'AP', 'Amapá', 'North'
UNION ALL SELECT 'BA', 'Bahia', 'Northeast'
UNION ALL SELECT 'CE', 'Ceará', 'Northeast'
UNION ALL SELECT 'DF', 'Distrito Federal', 'Central-West'
UNION ALL SELECT 'ES', 'Espírito Santo', 'Southeast'
UNION ALL SELECT 'GO', 'Goiás', 'Central-West'
UNION ALL SELECT 'MA', 'Maranhão', 'Northeast'
UNION ALL SELECT 'MG', 'Minas Gerais', 'Southeast'
UNION ALL SELECT 'MS', 'Mato Grosso do Sul', 'Central-West'
UNION ALL SELECT 'MT', 'Mato Grosso', 'Central-West'
UNION ALL SELECT 'PA', 'Pará', 'North'
UNION ALL SELECT 'PB', 'Paraíba', 'Northeast'
UNION ALL SELECT 'PE', 'Pernambuco', 'Northeast'
UNION ALL SELECT 'PI', 'Piauí', 'Northeast'
UNION ALL SELECT 'PR', 'Paraná', 'South'
UNION ALL SELECT 'RJ', 'Rio de Janeiro', 'Southeast'
UNION ALL SELECT 'RN', 'Rio Grande do Norte', 'Northeast'
UNION ALL SELECT 'RO', 'Rondônia', 'North'
UNION ALL SELECT 'RR', 'Roraima', 'North'
UNION ALL SELECT 'RS', 'Rio Grande do Sul', 'South'
UNION ALL SELECT 'SC', 'Santa Catarina', 'South'
UNION ALL SELECT 'SE', 'Sergipe', 'Northeast'
UNION ALL SELECT 'SP', 'São Paulo', 'Southeast'
UNION ALL SELECT 'TO', 'Tocantins', 'North'
) AS model;

-- test: unique(state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`state_code`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_states` AS t
WHERE t.`state_code` IS NOT NULL
GROUP BY t.`state_code`
HAVING COUNT(*) > 1
) AS failures
LIMIT 20;

-- test: not_null(state_code)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_states` AS t
WHERE t.`state_code` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(state_name)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_states` AS t
WHERE t.`state_name` IS NULL
) AS failures
LIMIT 20;

-- test: not_null(region)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT * FROM `gold_staging.dim_states` AS t
WHERE t.`region` IS NULL
) AS failures
LIMIT 20;

-- test: accepted_values(region)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT t.`region` AS `value`, COUNT(*) AS `occurrences`
FROM `gold_staging.dim_states` AS t
WHERE t.`region` IS NOT NULL AND t.`region` NOT IN ('North', 'Northeast', 'Central-West', 'Southeast', 'South')
GROUP BY t.`region`
) AS failures
LIMIT 20;

-- test: row_count(min 27, max 27)
SELECT failures.*, COUNT(*) OVER () AS `_failing_rows`
FROM (
SELECT `row_count` FROM (SELECT COUNT(*) AS `row_count` FROM `gold_staging.dim_states`) AS c
WHERE `row_count` < 27 OR `row_count` > 27
) AS failures
LIMIT 20;

-- publish: full
CREATE OR REPLACE TABLE `gold.dim_states`
COPY `gold_staging.dim_states`;

-- after publishing
DROP TABLE IF EXISTS `gold_staging.dim_states`;
