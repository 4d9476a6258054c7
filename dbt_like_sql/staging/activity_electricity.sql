-- Purchased electricity by site and month (template: docs/activity_templates.md#electricity).
SELECT
    $source_id AS source_id,
    'electricity' AS template,
    CAST(TRY_CAST(month || '-01' AS DATE) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(month || '-01' AS DATE) AS activity_date,
    NULLIF(trim(site), '') AS site,
    upper(NULLIF(trim(country), '')) AS country,
    upper(NULLIF(trim(grid_area), '')) AS grid_area,
    'electricity_grid' AS category,
    TRY_CAST(kwh AS DOUBLE) AS quantity,
    'kwh' AS unit,
    CAST(NULL AS DOUBLE) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    upper(NULLIF(trim(currency), '')) AS currency,
    TRY_CAST(NULLIF(supplier_kgco2e_per_kwh, '') AS DOUBLE) AS supplier_kgco2e_per_kwh,
    TRY_CAST(NULLIF(certificate_kwh, '') AS DOUBLE) AS certificate_kwh,
    NULLIF(trim(supplier), '') AS supplier,
    CAST(NULL AS VARCHAR) AS cabin,
    CAST(NULL AS VARCHAR) AS haul,
    CAST(NULL AS VARCHAR) AS ownership,
    CAST(NULL AS VARCHAR) AS description,
    CAST($factor_geography AS VARCHAR) AS factor_geography,
    CAST(NULL AS BOOLEAN) AS radiative_forcing,
    CAST(NULL AS VARCHAR) AS supplier_provider,
    -- cells that are present but unusable (the invalid-rows model reports them)
    NULLIF(supplier_kgco2e_per_kwh, '') IS NOT NULL AND TRY_CAST(supplier_kgco2e_per_kwh AS DOUBLE) IS NULL
        AS bad_supplier_factor,
    NULLIF(certificate_kwh, '') IS NOT NULL AND TRY_CAST(certificate_kwh AS DOUBLE) IS NULL AS bad_certificate_kwh
FROM activity_file
