-- A user's Green-e residual mix file (never shipped): per eGRID subregion in lb CO2e per MWh, loaded as
-- kg per kWh (1 lb = 0.45359237 kg exactly; 1 MWh = 1000 kWh).
SELECT
    'user:greene-residual-mix:' || $edition || ':' || egrid_subregion || ':' || year AS factor_id,
    CAST(lb_co2e_per_mwh AS DOUBLE) * 0.45359237 / 1000 AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2e (as Green-e publishes the residual mix)' AS gases,
    'as published by Green-e' AS gwp_set,
    'direct' AS boundary,
    'egrid:' || egrid_subregion AS geography,
    'electricity_residual_mix' AS item,
    CAST(year AS INTEGER) AS data_year,
    'Green-e' AS publisher,
    'residual-mix-emission-rates' AS dataset,
    $edition AS edition,
    'user file ' || $source_file AS table_ref,
    $licence_note AS licence,
    FALSE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULL AS DATE) AS valid_from,
    CAST(NULL AS DATE) AS valid_to,
    CAST(NULL AS VARCHAR) AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)
