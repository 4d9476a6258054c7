-- Azure Carbon Optimization report rows -> raw.provider_carbon_emissions rows. Azure reports KILOGRAMS
-- of CO2e: divided by 1000 here. Location-based only: every market column is NULL. A row with a
-- `scope` column carries that scope's value in latestMonthEmissions; per-scope Scope1/2/3 columns, where
-- present, split the row; otherwise the row is a total. Account, region and service come from the
-- item's own columns, or from itemName where categoryType says what the item is.
SELECT
    $source_id AS source_id,
    'azure_carbon' AS source_kind,
    'azure' AS provider,
    CAST(date_trunc('month', COALESCE(TRY_CAST(date AS TIMESTAMP), TRY_CAST(date || '-01' AS TIMESTAMP))) AS DATE)
        AS period_month,
    'azure' AS model_version,
    '000000' AS model_version_rank,
    $delivery_id AS delivery_id,
    $object_key AS object_key,
    object_line,
    CAST(NULL AS VARCHAR) AS billing_account_id,
    COALESCE(NULLIF(subscriptionid, ''), CASE WHEN lower(categorytype) = 'subscription' THEN NULLIF(itemname, '') END)
        AS account_id,
    COALESCE(NULLIF(location, ''), CASE WHEN lower(categorytype) = 'location' THEN NULLIF(itemname, '') END, 'global')
        AS region,
    NULLIF(location, '') AS location,
    COALESCE(
        NULLIF(resourcetype, ''), CASE WHEN lower(categorytype) = 'resourcetype' THEN NULLIF(itemname, '') END, 'unknown'
    ) AS service,
    NULLIF(categorytype, '') AS category_type,
    NULLIF(itemname, '') AS item_name,
    TRY_CAST(NULLIF(latestmonthemissions, '') AS DOUBLE) / 1000 AS total_lbm_tco2e,
    CAST(NULL AS DOUBLE) AS total_mbm_tco2e,
    CASE WHEN NULLIF(scope, '') IS NOT NULL
        THEN CASE WHEN regexp_extract(scope, '[123]') = '1' THEN TRY_CAST(latestmonthemissions AS DOUBLE) / 1000 END
        ELSE TRY_CAST(NULLIF(scope1, '') AS DOUBLE) / 1000 END AS scope_1_lbm_tco2e,
    CAST(NULL AS DOUBLE) AS scope_1_mbm_tco2e,
    CASE WHEN NULLIF(scope, '') IS NOT NULL
        THEN CASE WHEN regexp_extract(scope, '[123]') = '2' THEN TRY_CAST(latestmonthemissions AS DOUBLE) / 1000 END
        ELSE TRY_CAST(NULLIF(scope2, '') AS DOUBLE) / 1000 END AS scope_2_lbm_tco2e,
    CAST(NULL AS DOUBLE) AS scope_2_mbm_tco2e,
    CASE WHEN NULLIF(scope, '') IS NOT NULL
        THEN CASE WHEN regexp_extract(scope, '[123]') = '3' THEN TRY_CAST(latestmonthemissions AS DOUBLE) / 1000 END
        ELSE TRY_CAST(NULLIF(scope3, '') AS DOUBLE) / 1000 END AS scope_3_lbm_tco2e,
    CAST(NULL AS DOUBLE) AS scope_3_mbm_tco2e
FROM provider_file
