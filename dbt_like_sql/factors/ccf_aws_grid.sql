-- Cloud Carbon Footprint's AWS grid factors per region (AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH @
-- b7a049c7), used only by the `ccf` coefficient profile. They do not follow the activity year (CCF
-- uses one set for every year); `data_year` is the year of the underlying data (eGRID2020 for US
-- regions, carbonfootprint.com / EEA 2022 elsewhere). A region CCF does not list gets the `unknown`
-- row, CCF's average of the listed regions.
SELECT
    'ccf:aws-grid-b7a049c7:' || region_code AS factor_id,
    CAST(tCO2e_per_kWh AS DOUBLE) * 1000 AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2e' AS gases,
    'unspecified (as CCF publishes them)' AS gwp_set,
    'direct' AS boundary,
    'aws-region:' || region_code AS geography,
    'electricity_grid_ccf' AS item,
    CASE WHEN basis LIKE 'eGRID2020%' THEN 2020 ELSE 2022 END AS data_year,
    'Cloud Carbon Footprint' AS publisher,
    'ccf-aws-grid-factors' AS dataset,
    'cloud-carbon-footprint @ b7a049c7 (2024-03-25)' AS edition,
    'AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH: ' || basis AS table_ref,
    'Apache-2.0' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)
