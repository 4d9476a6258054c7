-- Cells of an Azure Carbon Optimization export that cannot be used as they are: emissions that are
-- not finite numbers (latestMonthEmissions is required), a date that is not a month, a unit other than
-- kgCO2e, a scope other than 1, 2 or 3. Column names as the template spells them. The companion of
-- azure_carbon.sql: one row per unusable cell (carbon_pipeline/sources/validation.py).
SELECT $object_key AS object_key, object_line, column_name, bad_value, reason
FROM (
    SELECT object_line, c.column_name, c.bad_value, 'is not a finite number' AS reason
    FROM provider_file,
    LATERAL (VALUES
        ('latestMonthEmissions', latestmonthemissions),
        ('previousMonthEmissions', previousmonthemissions),
        ('Scope1', scope1),
        ('Scope2', scope2),
        ('Scope3', scope3)
    ) AS c(column_name, bad_value)
    WHERE NULLIF(c.bad_value, '') IS NOT NULL
      AND (TRY_CAST(c.bad_value AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(c.bad_value AS DOUBLE)))
    UNION ALL
    SELECT object_line, 'latestMonthEmissions', latestmonthemissions, 'is empty, but required'
    FROM provider_file
    WHERE NULLIF(latestmonthemissions, '') IS NULL
    UNION ALL
    SELECT object_line, 'date', date,
        CASE WHEN NULLIF(date, '') IS NULL THEN 'is empty, but required'
             ELSE 'is not a date (YYYY-MM-DD or YYYY-MM)' END
    FROM provider_file
    WHERE COALESCE(TRY_CAST(date AS TIMESTAMP), TRY_CAST(date || '-01' AS TIMESTAMP)) IS NULL
    UNION ALL
    SELECT object_line, 'unit', unit, 'is not kgCO2e'
    FROM provider_file
    WHERE NULLIF(unit, '') IS NOT NULL AND lower(unit) <> 'kgco2e'
    UNION ALL
    SELECT object_line, 'scope', scope, 'is not scope 1, 2 or 3'
    FROM provider_file
    WHERE NULLIF(scope, '') IS NOT NULL AND NOT regexp_full_match(lower(scope), '\s*(scope)?[\s_]*[123]\s*')
)
ORDER BY object_line, column_name
LIMIT 20
