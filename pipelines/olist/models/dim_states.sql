/*
description: >-
  Brazil's 27 federative units (26 states and the Federal District) with their IBGE macro-region.
  One row per two-letter state code (UF), the code the Olist files use for customers and sellers.
materialized: table
columns:
  - name: state_code
    type: string
    description: Two-letter state code (UF), e.g. SP.
    tests: [unique, not_null]
  - name: state_name
    type: string
    description: State name in Portuguese.
    tests: [not_null]
  - name: region
    type: string
    description: IBGE macro-region in English.
    tests:
      - not_null
      - accepted_values: {values: [North, Northeast, Central-West, Southeast, South]}
tests:
  - row_count: {min: 27, max: 27}
*/
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
