-- EEA greenhouse gas emission intensity of electricity generation, EU-27 member states, every year the copy
-- has (build/build_eea_factors.py) -> DIRECT location-based factors (emissions at the generating plant per
-- kWh of gross generation; no upstream), preferred to Ember's lifecycle factors for the same country.
-- Validity (docs/factors.md): data year N is for reporting from N + 1 (as Ember's); each year stays valid
-- until the day before the next shipped year's valid_from, which supersedes it; the newest year is open.
WITH src AS (
    SELECT
        iso3,
        CAST(year AS INTEGER) AS year,
        CAST(gco2e_per_kwh AS DOUBLE) AS gco2e_per_kwh,
        LEAD(CAST(year AS INTEGER)) OVER (PARTITION BY iso3 ORDER BY CAST(year AS INTEGER)) AS next_year
    FROM read_csv($path, header = true, all_varchar = true)
)
SELECT
    'eea:ghg-intensity-electricity:electricity_grid:' || iso3 || ':' || year AS factor_id,
    gco2e_per_kwh / 1000 AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2e (CO2, CH4, N2O of electricity generation, per the EEA indicator)' AS gases,
    'national inventory GWPs (AR4 in the inventories behind this edition)' AS gwp_set,
    'direct' AS boundary,
    'iso3:' || iso3 AS geography,
    'electricity_grid' AS item,
    year AS data_year,
    'EEA' AS publisher,
    'ghg-intensity-electricity' AS dataset,
    'EEA co2-emission-intensity-9 (data years 1990-2020) via europar-travel-emissions @ 9593a3ff' AS edition,
    'Greenhouse gas emission intensity of electricity generation, Member State level, gCO2e/kWh' AS table_ref,
    'CC BY 4.0 (attribution: European Environment Agency)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    make_date(year + 1, 1, 1) AS valid_from,
    CASE WHEN next_year IS NOT NULL THEN make_date(next_year + 1, 1, 1) - INTERVAL 1 DAY END::DATE AS valid_to,
    CASE WHEN next_year IS NOT NULL THEN 'EEA data year ' || next_year END AS superseded_by
FROM src
