-- Cells of a carbon export object that cannot be used as they are: unparseable numbers or periods,
-- a unit other than metric tons (MTCO2e), a usage period or model version other than the object's
-- usage_period= / model_version= folder says. The companion of aws_carbon_emissions.sql: one row per
-- unusable cell (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, c.column_name, c.bad_value, 'is not a finite number' AS reason
    FROM carbon_file,
    LATERAL (VALUES
        ('total_lbm_emissions_value', total_lbm_emissions_value),
        ('total_mbm_emissions_value', total_mbm_emissions_value),
        ('total_scope_1_emissions_value', total_scope_1_emissions_value),
        ('total_scope_2_lbm_emissions_value', total_scope_2_lbm_emissions_value),
        ('total_scope_2_mbm_emissions_value', total_scope_2_mbm_emissions_value),
        ('total_scope_3_lbm_emissions_value', total_scope_3_lbm_emissions_value),
        ('total_scope_3_mbm_emissions_value', total_scope_3_mbm_emissions_value)
    ) AS c(column_name, bad_value)
    WHERE NULLIF(c.bad_value, '') IS NOT NULL
      AND (TRY_CAST(c.bad_value AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(c.bad_value AS DOUBLE)))
    UNION ALL
    SELECT object_line, c.column_name, c.bad_value, 'is not MTCO2e'
    FROM carbon_file,
    LATERAL (VALUES
        ('total_lbm_emissions_unit', total_lbm_emissions_unit),
        ('total_mbm_emissions_unit', total_mbm_emissions_unit),
        ('total_scope_1_emissions_unit', total_scope_1_emissions_unit),
        ('total_scope_2_lbm_emissions_unit', total_scope_2_lbm_emissions_unit),
        ('total_scope_2_mbm_emissions_unit', total_scope_2_mbm_emissions_unit),
        ('total_scope_3_lbm_emissions_unit', total_scope_3_lbm_emissions_unit),
        ('total_scope_3_mbm_emissions_unit', total_scope_3_mbm_emissions_unit)
    ) AS c(column_name, bad_value)
    WHERE NULLIF(c.bad_value, '') IS NOT NULL AND c.bad_value <> 'MTCO2e'
    UNION ALL
    SELECT object_line, 'usage_period_start', usage_period_start,
        CASE WHEN NULLIF(usage_period_start, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not a date in the month its usage_period= folder names' END
    FROM carbon_file
    WHERE TRY_CAST(NULLIF(usage_period_start, '') AS TIMESTAMP) IS NULL
       OR date_trunc('month', TRY_CAST(usage_period_start AS TIMESTAMP)) <> CAST($period_month AS TIMESTAMP)
    UNION ALL
    SELECT object_line, 'model_version', model_version,
        CASE WHEN NULLIF(model_version, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not the model version its model_version= folder names' END
    FROM carbon_file
    WHERE model_version IS DISTINCT FROM $model_version
    UNION ALL
    SELECT object_line, 'usage_account_id', usage_account_id, 'is empty, but required'
    FROM carbon_file
    WHERE NULLIF(usage_account_id, '') IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
