-- EPA GHG Emission Factors Hub (2018) rows for fleet fuel (kg CO2e per US gallon) and business travel
-- (kg CO2e per passenger-mile), AR5 column.
SELECT
    'epa:ghg-hub-2018:' || item AS factor_id,
    CAST("AR5 (kgCO2e)" AS DOUBLE) AS value,
    'kgCO2e/' || CASE WHEN "Units" = 'gal (US)' THEN 'gal_us' ELSE 'passenger-mile' END AS unit,
    CASE WHEN "Units" = 'gal (US)' THEN 'gal_us' ELSE 'passenger-mile' END AS activity_unit,
    'CO2, CH4, N2O' AS gases,
    'AR5' AS gwp_set,
    'direct' AS boundary,
    'global' AS geography,
    item,
    2018 AS data_year,
    'US EPA' AS publisher,
    'ghg-emission-factors-hub' AS dataset,
    'Emission Factors for Greenhouse Gas Inventories, 2018-03-09' AS edition,
    CASE WHEN "Units" = 'gal (US)' THEN 'Table 2 Mobile Combustion' ELSE 'Table 8 Business Travel' END
        || ': ' || "lookup name" AS table_ref,
    'public domain (US EPA); adapted file Apache-2.0 (guidance-for-carbon-data-lake-on-aws @ b73a4765)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by,
    -- the Hub's per-gas factors and the AR5 GWPs of `value` (the AR5 column). The adapted file's CH4 and N2O
    -- columns say kg, but its travel rows hold grams (0.0039 "kg" CH4 per passenger-mile): the unit is the one
    -- that gives back the file's own AR5 CO2e; a row where neither does keeps CO2e only (NULL gases).
    CASE WHEN ch4_n2o_divisor IS NOT NULL THEN CAST("CO2 Factor (kg / unit)" AS DOUBLE) END AS co2_kg_per_unit,
    CAST("CH4 Factor (kg / unit)" AS DOUBLE) / ch4_n2o_divisor AS ch4_kg_per_unit,
    CAST("N2O Factor (kg / unit)" AS DOUBLE) / ch4_n2o_divisor AS n2o_kg_per_unit,
    CASE WHEN ch4_n2o_divisor IS NOT NULL THEN 28.0 END AS gwp_ch4,
    CASE WHEN ch4_n2o_divisor IS NOT NULL THEN 265.0 END AS gwp_n2o
FROM (
    SELECT *,
        CASE
            WHEN abs(CAST("CO2 Factor (kg / unit)" AS DOUBLE) + 28 * CAST("CH4 Factor (kg / unit)" AS DOUBLE)
                     + 265 * CAST("N2O Factor (kg / unit)" AS DOUBLE) - CAST("AR5 (kgCO2e)" AS DOUBLE))
                 <= 1e-4 * CAST("AR5 (kgCO2e)" AS DOUBLE) THEN 1.0
            WHEN abs(CAST("CO2 Factor (kg / unit)" AS DOUBLE) + (28 * CAST("CH4 Factor (kg / unit)" AS DOUBLE)
                     + 265 * CAST("N2O Factor (kg / unit)" AS DOUBLE)) / 1000 - CAST("AR5 (kgCO2e)" AS DOUBLE))
                 <= 1e-4 * CAST("AR5 (kgCO2e)" AS DOUBLE) THEN 1000.0
        END AS ch4_n2o_divisor
    FROM read_csv($path, header = true, all_varchar = true)
)
