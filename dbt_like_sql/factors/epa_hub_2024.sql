-- US EPA GHG Emission Factors Hub 2024: stationary combustion, mobile fuel CO2, business travel. CO2e is
-- CO2 + 28 CH4 + 265 N2O (AR5), computed by the build script from the Hub's kg CO2 and g CH4 / g N2O.
SELECT
    'epa:ghg-hub-2024:' || item || ':' || activity_unit AS factor_id,
    CAST(co2e_kg_ar5 AS DOUBLE) AS value,
    'kgCO2e/' || activity_unit AS unit,
    activity_unit,
    gases,
    'AR5 (CH4 28, N2O 265), applied to the Hub''s per-gas factors' AS gwp_set,
    'direct' AS boundary,
    'iso3:USA' AS geography,
    item,
    2024 AS data_year,
    'US EPA' AS publisher,
    'ghg-emission-factors-hub' AS dataset,
    'GHG Emission Factors Hub 2024' AS edition,
    table_ref || ' [kg CO2 ' || co2_kg || ', g CH4 ' || ch4_g || ', g N2O ' || n2o_g || ']' AS table_ref,
    'public domain (US EPA)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by,
    -- the Hub's per-gas factors (g converted to kg) and the AR5 GWPs value was computed with
    CAST(co2_kg AS DOUBLE) AS co2_kg_per_unit,
    CAST(ch4_g AS DOUBLE) / 1000 AS ch4_kg_per_unit,
    CAST(n2o_g AS DOUBLE) / 1000 AS n2o_kg_per_unit,
    28.0 AS gwp_ch4,
    265.0 AS gwp_n2o
FROM read_csv($path, header = true, all_varchar = true)
