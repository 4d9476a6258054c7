-- Google Cloud Carbon Footprint export file -> raw.provider_carbon_emissions rows. The export is in
-- KILOGRAMS of CO2e: every value is divided by 1000 here to give metric tons like every other source.
-- GCP's scope 1 and scope 3 have no location/market split, so they count under both methods (as in
-- GCP's own carbon_footprint_total_kgCO2e.market_based). Unusable cells are refused by
-- gcp_carbon__invalid.sql before this runs.
SELECT
    $source_id AS source_id,
    'gcp_carbon' AS source_kind,
    'gcp' AS provider,
    CAST(date_trunc('month', COALESCE(
        TRY_CAST(usage_month AS TIMESTAMP), TRY_CAST(usage_month || '-01' AS TIMESTAMP)
    )) AS DATE) AS period_month,
    CAST(TRY_CAST(carbon_model_version AS BIGINT) AS VARCHAR) AS model_version,
    lpad(CAST(TRY_CAST(carbon_model_version AS BIGINT) AS VARCHAR), 6, '0') AS model_version_rank,
    $delivery_id AS delivery_id,
    $object_key AS object_key,
    object_line,
    NULLIF(billing_account_id, '') AS billing_account_id,
    NULLIF(project_id, '') AS account_id,
    COALESCE(NULLIF(location_region, ''), NULLIF(location_location, ''), 'global') AS region,
    NULLIF(location_location, '') AS location,
    COALESCE(NULLIF(service_description, ''), NULLIF(service_id, ''), 'unknown') AS service,
    CAST(NULL AS VARCHAR) AS category_type,
    CAST(NULL AS VARCHAR) AS item_name,
    TRY_CAST(NULLIF(carbon_footprint_total_kgco2e_location_based, '') AS DOUBLE) / 1000 AS total_lbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_total_kgco2e_market_based, '') AS DOUBLE) / 1000 AS total_mbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope1, '') AS DOUBLE) / 1000 AS scope_1_lbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope1, '') AS DOUBLE) / 1000 AS scope_1_mbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope2_location_based, '') AS DOUBLE) / 1000 AS scope_2_lbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope2_market_based, '') AS DOUBLE) / 1000 AS scope_2_mbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope3, '') AS DOUBLE) / 1000 AS scope_3_lbm_tco2e,
    TRY_CAST(NULLIF(carbon_footprint_kgco2e_scope3, '') AS DOUBLE) / 1000 AS scope_3_mbm_tco2e
FROM provider_file
