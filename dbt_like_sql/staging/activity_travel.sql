-- Business travel legs (template: docs/activity_templates.md#travel). Quantity is the leg's distance in
-- the file's own unit; the ledger multiplies by passengers and bands flights by distance.
SELECT
    $source_id AS source_id,
    'travel' AS template,
    CAST(date_trunc('month', TRY_CAST(date AS DATE)) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(date AS DATE) AS activity_date,
    NULLIF(trip_ref, '') AS site,
    CAST(NULL AS VARCHAR) AS country,
    CAST(NULL AS VARCHAR) AS grid_area,
    lower(mode) AS category,
    TRY_CAST(distance AS DOUBLE) AS quantity,
    lower(distance_unit) AS unit,
    COALESCE(TRY_CAST(NULLIF(passengers, '') AS DOUBLE), 1) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    NULLIF(currency, '') AS currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh
FROM activity_file
