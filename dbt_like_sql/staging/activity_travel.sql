-- Business travel (template: docs/activity_templates.md#travel): flights, rail, bus, taxi legs with their
-- distance in the file's own unit, and hotel stays in nights (mode `hotel`, country of the stay). The
-- ledger multiplies by passengers (rooms for a stay) and bands flights.
SELECT
    $source_id AS source_id,
    'travel' AS template,
    CAST(date_trunc('month', TRY_CAST(date AS DATE)) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(date AS DATE) AS activity_date,
    NULLIF(trim(trip_ref), '') AS site,
    upper(NULLIF(trim(country), '')) AS country,
    CAST(NULL AS VARCHAR) AS grid_area,
    lower(trim(mode)) AS category,
    CASE WHEN lower(trim(mode)) = 'hotel' THEN TRY_CAST(nights AS DOUBLE) ELSE TRY_CAST(distance AS DOUBLE) END
        AS quantity,
    CASE WHEN lower(trim(mode)) = 'hotel' THEN 'room-night' ELSE lower(trim(distance_unit)) END AS unit,
    COALESCE(TRY_CAST(NULLIF(passengers, '') AS DOUBLE), 1) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    upper(NULLIF(trim(currency), '')) AS currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh,
    CAST(NULL AS VARCHAR) AS supplier,
    replace(lower(NULLIF(trim(cabin), '')), ' ', '_') AS cabin,
    replace(replace(lower(NULLIF(trim(haul), '')), ' ', '_'), '-', '_') AS haul,
    CAST(NULL AS VARCHAR) AS ownership,
    CAST(NULL AS VARCHAR) AS description,
    CAST($factor_geography AS VARCHAR) AS factor_geography,
    CAST($radiative_forcing AS BOOLEAN) AS radiative_forcing,
    CAST(NULL AS VARCHAR) AS supplier_provider,
    CAST(NULL AS VARCHAR) AS reading,  -- electricity only
    -- the cells as delivered, for the companion model's messages (activity_rows__invalid.sql); not stored
    date AS cell_date,
    CASE WHEN lower(trim(mode)) = 'hotel' THEN nights ELSE distance END AS cell_quantity,
    cost AS cell_cost,
    passengers AS cell_passengers,
    nights AS cell_nights,
    CAST(NULL AS VARCHAR) AS cell_supplier_kgco2e_per_kwh,
    CAST(NULL AS VARCHAR) AS cell_certificate_kwh,
    CAST(NULL AS VARCHAR) AS cell_reading
FROM activity_file
