-- A user's AIB European Residual Mixes file (never shipped): residual mix per country in g CO2 per kWh
-- (AIB publishes direct CO2), loaded as kg per kWh for market-based electricity without instruments.
SELECT
    'user:aib-residual-mix:' || $edition || ':' || country_iso3 || ':' || year AS factor_id,
    CAST(gco2_per_kwh AS DOUBLE) / 1000 AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2 (as AIB publishes the residual mix)' AS gases,
    'n/a (CO2 only)' AS gwp_set,
    'direct' AS boundary,
    'iso3:' || country_iso3 AS geography,
    'electricity_residual_mix' AS item,
    CAST(year AS INTEGER) AS data_year,
    'AIB' AS publisher,
    'european-residual-mixes' AS dataset,
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
