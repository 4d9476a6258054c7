-- Fleet and stationary fuel purchases (template: docs/activity_templates.md#fuel).
SELECT
    $source_id AS source_id,
    'fuel' AS template,
    CAST(date_trunc('month', TRY_CAST(date AS DATE)) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(date AS DATE) AS activity_date,
    NULLIF(vehicle, '') AS site,
    CAST(NULL AS VARCHAR) AS country,
    CAST(NULL AS VARCHAR) AS grid_area,
    lower(fuel) || '_' || lower(vehicle_class) AS category,
    TRY_CAST(quantity AS DOUBLE) AS quantity,
    lower(unit) AS unit,
    CAST(NULL AS DOUBLE) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    NULLIF(currency, '') AS currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh
FROM activity_file
