-- Stationary and mobile fuel (template: docs/activity_templates.md#fuel). `fuel` is the factor item
-- (natural_gas, gas_oil, diesel, motor_gasoline ...); files of the original template, which also name
-- an EPA 2018 `vehicle_class`, keep their item `<fuel>_<vehicle_class>`.
SELECT
    $source_id AS source_id,
    'fuel' AS template,
    CAST(date_trunc('month', TRY_CAST(date AS DATE)) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    object_line,
    TRY_CAST(date AS DATE) AS activity_date,
    COALESCE(NULLIF(trim(vehicle), ''), NULLIF(trim(site), '')) AS site,
    CAST(NULL AS VARCHAR) AS country,
    CAST(NULL AS VARCHAR) AS grid_area,
    lower(trim(fuel)) || COALESCE('_' || lower(NULLIF(trim(vehicle_class), '')), '') AS category,
    TRY_CAST(quantity AS DOUBLE) AS quantity,
    lower(trim(unit)) AS unit,
    CAST(NULL AS DOUBLE) AS passengers,
    TRY_CAST(NULLIF(cost, '') AS DECIMAL(38, 10)) AS cost,
    upper(NULLIF(trim(currency), '')) AS currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh,
    CAST(NULL AS VARCHAR) AS supplier,
    CAST(NULL AS VARCHAR) AS cabin,
    CAST(NULL AS VARCHAR) AS haul,
    CAST(NULL AS VARCHAR) AS ownership,
    CAST(NULL AS VARCHAR) AS description,
    CAST($factor_geography AS VARCHAR) AS factor_geography,
    CAST(NULL AS BOOLEAN) AS radiative_forcing,
    CAST(NULL AS VARCHAR) AS supplier_provider,
    CAST(NULL AS VARCHAR) AS reading,  -- electricity only
    -- the cells as delivered, for the companion model's messages (activity_rows__invalid.sql); not stored
    date AS cell_date,
    quantity AS cell_quantity,
    cost AS cell_cost,
    CAST(NULL AS VARCHAR) AS cell_passengers,
    CAST(NULL AS VARCHAR) AS cell_nights,
    CAST(NULL AS VARCHAR) AS cell_supplier_kgco2e_per_kwh,
    CAST(NULL AS VARCHAR) AS cell_certificate_kwh,
    CAST(NULL AS VARCHAR) AS cell_reading
FROM activity_file
