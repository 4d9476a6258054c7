-- Result items of the AWS Sustainability API that cannot be used as they are: a value that is not a
-- finite number, a unit other than MTCO2e, a period that is not a date in the month asked for, no
-- ModelVersion. object_line is the item's position in the month's results (all pages, in order);
-- the column is the item's field (EmissionsValues.<type>.Value|Unit, TimePeriod.Start, ModelVersion).
-- The companion of aws_sustainability_api.sql: one row per unusable cell (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, 'EmissionsValues.' || c.emissions_type || '.Value' AS column_name, c.value AS bad_value,
        'is not a finite number' AS reason
    FROM provider_file,
    LATERAL (VALUES
        ('TOTAL_LBM_CARBON_EMISSIONS', total_lbm_carbon_emissions_value, total_lbm_carbon_emissions_unit),
        ('TOTAL_MBM_CARBON_EMISSIONS', total_mbm_carbon_emissions_value, total_mbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_1_CARBON_EMISSIONS', total_scope_1_carbon_emissions_value, total_scope_1_carbon_emissions_unit),
        ('TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS', total_scope_2_lbm_carbon_emissions_value, total_scope_2_lbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS', total_scope_2_mbm_carbon_emissions_value, total_scope_2_mbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS', total_scope_3_lbm_carbon_emissions_value, total_scope_3_lbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS', total_scope_3_mbm_carbon_emissions_value, total_scope_3_mbm_carbon_emissions_unit)
    ) AS c(emissions_type, value, unit)
    WHERE c.value IS NOT NULL
      AND (TRY_CAST(c.value AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(c.value AS DOUBLE)))
    UNION ALL
    SELECT object_line, 'EmissionsValues.' || c.emissions_type || '.Unit', c.unit,
        CASE WHEN c.unit IS NULL THEN 'is empty, but required with a value' ELSE 'is not MTCO2e' END
    FROM provider_file,
    LATERAL (VALUES
        ('TOTAL_LBM_CARBON_EMISSIONS', total_lbm_carbon_emissions_value, total_lbm_carbon_emissions_unit),
        ('TOTAL_MBM_CARBON_EMISSIONS', total_mbm_carbon_emissions_value, total_mbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_1_CARBON_EMISSIONS', total_scope_1_carbon_emissions_value, total_scope_1_carbon_emissions_unit),
        ('TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS', total_scope_2_lbm_carbon_emissions_value, total_scope_2_lbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS', total_scope_2_mbm_carbon_emissions_value, total_scope_2_mbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS', total_scope_3_lbm_carbon_emissions_value, total_scope_3_lbm_carbon_emissions_unit),
        ('TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS', total_scope_3_mbm_carbon_emissions_value, total_scope_3_mbm_carbon_emissions_unit)
    ) AS c(emissions_type, value, unit)
    WHERE c.value IS NOT NULL AND c.unit IS DISTINCT FROM 'MTCO2e'
    UNION ALL
    SELECT object_line, 'TimePeriod.Start', time_period_start,
        CASE WHEN NULLIF(time_period_start, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not a date in the month asked for' END
    FROM provider_file
    WHERE TRY_CAST(time_period_start AS TIMESTAMP) IS NULL
       OR date_trunc('month', TRY_CAST(time_period_start AS TIMESTAMP)) <> CAST($period_month AS TIMESTAMP)
    UNION ALL
    SELECT object_line, 'ModelVersion', model_version, 'is empty, but required'
    FROM provider_file
    WHERE NULLIF(model_version, '') IS NULL
)
ORDER BY object_line, column_name
LIMIT 20
