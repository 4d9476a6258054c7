-- Cells of a Google Cloud Carbon Footprint export that cannot be used as they are: kgCO2e values that
-- are not finite numbers, a usage_month that is not a date (YYYY-MM-DD or YYYY-MM), a missing or
-- non-integer carbon_model_version. Column names as the export spells them. The companion of
-- gcp_carbon.sql: one row per unusable cell (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, c.column_name, c.bad_value, 'is not a finite number' AS reason
    FROM provider_file,
    LATERAL (VALUES
        ('carbon_footprint_kgCO2e.scope1', carbon_footprint_kgco2e_scope1),
        ('carbon_footprint_kgCO2e.scope2.location_based', carbon_footprint_kgco2e_scope2_location_based),
        ('carbon_footprint_kgCO2e.scope2.market_based', carbon_footprint_kgco2e_scope2_market_based),
        ('carbon_footprint_kgCO2e.scope3', carbon_footprint_kgco2e_scope3),
        ('carbon_footprint_total_kgCO2e.location_based', carbon_footprint_total_kgco2e_location_based),
        ('carbon_footprint_total_kgCO2e.market_based', carbon_footprint_total_kgco2e_market_based)
    ) AS c(column_name, bad_value)
    WHERE NULLIF(c.bad_value, '') IS NOT NULL
      AND (TRY_CAST(c.bad_value AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(c.bad_value AS DOUBLE)))
    UNION ALL
    SELECT object_line, 'usage_month', usage_month,
        CASE WHEN NULLIF(usage_month, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not a date (YYYY-MM-DD or YYYY-MM)' END
    FROM provider_file
    WHERE COALESCE(TRY_CAST(usage_month AS TIMESTAMP), TRY_CAST(usage_month || '-01' AS TIMESTAMP)) IS NULL
    UNION ALL
    SELECT object_line, 'carbon_model_version', carbon_model_version,
        CASE WHEN NULLIF(carbon_model_version, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not a whole number' END
    FROM provider_file
    WHERE TRY_CAST(carbon_model_version AS BIGINT) IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
