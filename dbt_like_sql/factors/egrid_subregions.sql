-- EPA eGRID subregion total output rates -> location-based electricity factors (direct combustion,
-- CO2+CH4+N2O, AR5 GWPs as eGRID uses). One file per edition; the caller binds edition metadata.
SELECT
    'epa:' || $dataset || ':' || subregion AS factor_id,
    CAST(co2e_ar5_kg_per_kwh_computed AS DOUBLE) AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2, CH4, N2O' AS gases,
    'AR5' AS gwp_set,
    'direct' AS boundary,
    'egrid:' || subregion AS geography,
    'electricity_grid' AS item,
    CAST(data_year AS INTEGER) AS data_year,
    'US EPA' AS publisher,
    $dataset AS dataset,
    edition,
    'subregion total output emission rates (SRL), CO2e computed as CO2 + 28 CH4 + 265 N2O' AS table_ref,
    'public domain (US federal government work)' AS licence,
    TRUE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF($valid_from, '') AS DATE) AS valid_from,
    CAST(NULLIF($valid_to, '') AS DATE) AS valid_to,
    NULLIF($superseded_by, '') AS superseded_by,
    -- eGRID's per-gas output rates, lb/MWh -> kg/kWh (1 lb = 0.45359237 kg), and the AR5 GWPs of `value`
    CAST(co2_lb_per_mwh AS DOUBLE) * 0.45359237 / 1000 AS co2_kg_per_unit,
    CAST(ch4_lb_per_mwh AS DOUBLE) * 0.45359237 / 1000 AS ch4_kg_per_unit,
    CAST(n2o_lb_per_mwh AS DOUBLE) * 0.45359237 / 1000 AS n2o_kg_per_unit,
    28.0 AS gwp_ch4,
    265.0 AS gwp_n2o
FROM read_csv($path, header = true, all_varchar = true)
WHERE NULLIF(co2e_ar5_kg_per_kwh_computed, '') IS NOT NULL
