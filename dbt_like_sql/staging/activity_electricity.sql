-- Purchased electricity by site and month (template: docs/activity_templates.md#electricity).
SELECT
    $source_id AS source_id,
    'electricity' AS template,
    CAST(TRY_CAST(month || '-01' AS DATE) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(month || '-01' AS DATE) AS activity_date,
    NULLIF(site, '') AS site,
    upper(NULLIF(country, '')) AS country,
    upper(NULLIF(grid_area, '')) AS grid_area,
    'grid_electricity' AS category,
    TRY_CAST(kwh AS DOUBLE) AS quantity,
    'kwh' AS unit,
    CAST(NULL AS DOUBLE) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    NULLIF(currency, '') AS currency,
    TRY_CAST(NULLIF(supplier_kgco2e_per_kwh, '') AS DOUBLE) AS supplier_kgco2e_per_kwh,
    TRY_CAST(NULLIF(certificate_kwh, '') AS DOUBLE) AS certificate_kwh
FROM activity_file
