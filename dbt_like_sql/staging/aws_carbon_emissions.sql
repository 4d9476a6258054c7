-- Carbon emissions export (CCFT data) file -> typed raw rows. Units other than MTCO2e are refused
-- by aws_carbon_emissions__invalid.sql before this runs.
SELECT
    $source_id AS source_id,
    CAST($period_month AS DATE) AS period_month,
    $model_version AS model_version,
    $model_version_rank AS model_version_rank,
    $delivery_id AS delivery_id,
    $object_key AS object_key,
    object_line,
    TRY_CAST(NULLIF(last_refresh_timestamp, '') AS TIMESTAMP) AS last_refresh_timestamp,
    NULLIF(location, '') AS location,
    NULLIF(payer_account_id, '') AS payer_account_id,
    NULLIF(usage_account_id, '') AS usage_account_id,
    NULLIF(product_code, '') AS product_code,
    NULLIF(region_code, '') AS region_code,
    TRY_CAST(NULLIF(usage_period_start, '') AS TIMESTAMP) AS usage_period_start,
    TRY_CAST(NULLIF(usage_period_end, '') AS TIMESTAMP) AS usage_period_end,
    TRY_CAST(NULLIF(total_lbm_emissions_value, '') AS DOUBLE) AS total_lbm_mtco2e,
    TRY_CAST(NULLIF(total_mbm_emissions_value, '') AS DOUBLE) AS total_mbm_mtco2e,
    TRY_CAST(NULLIF(total_scope_1_emissions_value, '') AS DOUBLE) AS scope_1_mtco2e,
    TRY_CAST(NULLIF(total_scope_2_lbm_emissions_value, '') AS DOUBLE) AS scope_2_lbm_mtco2e,
    TRY_CAST(NULLIF(total_scope_2_mbm_emissions_value, '') AS DOUBLE) AS scope_2_mbm_mtco2e,
    TRY_CAST(NULLIF(total_scope_3_lbm_emissions_value, '') AS DOUBLE) AS scope_3_lbm_mtco2e,
    TRY_CAST(NULLIF(total_scope_3_mbm_emissions_value, '') AS DOUBLE) AS scope_3_mbm_mtco2e
FROM carbon_file
