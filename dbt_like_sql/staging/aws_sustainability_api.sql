-- AWS Sustainability API result items (GetEstimatedCarbonEmissions, MONTHLY, by account x region x
-- service) -> raw.provider_carbon_emissions rows. Values are already metric tons (MTCO2e, checked by
-- aws_sustainability_api__invalid.sql). Scope 1 has no location/market split: it counts under both.
SELECT
    $source_id AS source_id,
    'aws_sustainability_api' AS source_kind,
    'aws' AS provider,
    CAST(date_trunc('month', TRY_CAST(time_period_start AS TIMESTAMP)) AS DATE) AS period_month,
    model_version,
    -- v2.0.0 -> 000002.000000.000000, as aws_carbon.model_version_rank
    array_to_string(list_transform(
        string_split(ltrim(model_version, 'vV'), '.'), lambda p: CASE WHEN regexp_full_match(p, '[0-9]+') THEN lpad(p, 6, '0') ELSE p END
    ), '.') AS model_version_rank,
    $delivery_id AS delivery_id,
    $object_key AS object_key,
    object_line,
    CAST(NULL AS VARCHAR) AS billing_account_id,
    NULLIF(usage_account_id, '') AS account_id,
    COALESCE(NULLIF(region, ''), 'global') AS region,
    CAST(NULL AS VARCHAR) AS location,
    COALESCE(NULLIF(service, ''), 'unknown') AS service,
    CAST(NULL AS VARCHAR) AS category_type,
    CAST(NULL AS VARCHAR) AS item_name,
    TRY_CAST(total_lbm_carbon_emissions_value AS DOUBLE) AS total_lbm_tco2e,
    TRY_CAST(total_mbm_carbon_emissions_value AS DOUBLE) AS total_mbm_tco2e,
    TRY_CAST(total_scope_1_carbon_emissions_value AS DOUBLE) AS scope_1_lbm_tco2e,
    TRY_CAST(total_scope_1_carbon_emissions_value AS DOUBLE) AS scope_1_mbm_tco2e,
    TRY_CAST(total_scope_2_lbm_carbon_emissions_value AS DOUBLE) AS scope_2_lbm_tco2e,
    TRY_CAST(total_scope_2_mbm_carbon_emissions_value AS DOUBLE) AS scope_2_mbm_tco2e,
    TRY_CAST(total_scope_3_lbm_carbon_emissions_value AS DOUBLE) AS scope_3_lbm_tco2e,
    TRY_CAST(total_scope_3_mbm_carbon_emissions_value AS DOUBLE) AS scope_3_mbm_tco2e
FROM provider_file
