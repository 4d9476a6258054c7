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
    NULLIF($superseded_by, '') AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)
