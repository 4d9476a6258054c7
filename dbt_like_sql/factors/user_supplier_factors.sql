-- A user's supplier-specific electricity factors (never shipped): kg CO2e per kWh per supplier and year,
-- optionally with the period the supplier's disclosure covers (valid_from / valid_to columns).
SELECT
    'user:supplier:' || $edition || ':' || supplier_id || ':' || year
        || COALESCE(':' || NULLIF(to_json(r) ->> 'valid_from', ''), '') AS factor_id,
    CAST(kgco2e_per_kwh AS DOUBLE) AS value,
    'kgCO2e/kWh' AS unit,
    'kwh' AS activity_unit,
    'CO2e (as supplied in the user file)' AS gases,
    'as disclosed by the supplier' AS gwp_set,
    'direct' AS boundary,
    'supplier:' || supplier_id AS geography,
    'electricity_supplier' AS item,
    CAST(year AS INTEGER) AS data_year,
    supplier_id AS publisher,
    'supplier-specific' AS dataset,
    $edition AS edition,
    'user file ' || $source_file AS table_ref,
    $licence_note AS licence,
    FALSE AS redistributable,
    $source_file AS source_file,
    $file_sha256 AS file_sha256,
    CAST(NULLIF(to_json(r) ->> 'valid_from', '') AS DATE) AS valid_from,
    CAST(NULLIF(to_json(r) ->> 'valid_to', '') AS DATE) AS valid_to,
    CAST(NULL AS VARCHAR) AS superseded_by
FROM read_csv($path, header = true, all_varchar = true) AS r
