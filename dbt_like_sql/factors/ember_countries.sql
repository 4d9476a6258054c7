-- Ember yearly country electricity intensity -> location-based factors outside the US.
-- LIFECYCLE values (include upstream emissions): flagged as such on every factor.
SELECT
    'ember:yearly-electricity:' || iso3 || ':' || year AS factor_id,
    CAST(gco2e_per_kwh_lifecycle AS DOUBLE) / 1000 AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2e (all gases)' AS gases,
    'AR5 (Ember methodology)' AS gwp_set,
    'lifecycle' AS boundary,
    'iso3:' || iso3 AS geography,
    'electricity_grid' AS item,
    CAST(year AS INTEGER) AS data_year,
    'Ember' AS publisher,
    'yearly-electricity' AS dataset,
    'Ember Yearly Electricity Data via co2.js @ 27cbe832' AS edition,
    'average-intensities.json, emissions_intensity_gco2_per_kwh' AS table_ref,
    'CC BY 4.0 (attribution: Ember - Yearly Electricity Data)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    -- Ember publishes year Y's data during Y + 1: intended for reporting from then on, open-ended
    make_date(CAST(year AS INTEGER) + 1, 1, 1) AS valid_from,
    CAST(NULL AS DATE) AS valid_to,
    CAST(NULL AS VARCHAR) AS superseded_by
FROM read_csv($path, header = true, all_varchar = true)
WHERE NULLIF(gco2e_per_kwh_lifecycle, '') IS NOT NULL
