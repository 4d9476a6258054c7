-- Purchased goods and services by spend (template: docs/activity_templates.md#spend) -> Scope 3
-- category 1 with spend-based (EEIO) factors. A supplier that is a cloud provider is named here
-- (activity_cloud_suppliers, built from the documented default list and the source's overrides) so the
-- emissions model can leave out spend the inventory already counts from the provider's own figures.
SELECT
    $source_id AS source_id,
    'spend' AS template,
    CAST(date_trunc('month', TRY_CAST(f.date AS DATE)) AS DATE) AS period_month,
    $object_key AS object_key,
    $object_version AS object_version,
    f.object_line,
    TRY_CAST(f.date AS DATE) AS activity_date,
    NULLIF(trim(f.supplier), '') AS site,
    CAST(NULL AS VARCHAR) AS country,
    CAST(NULL AS VARCHAR) AS grid_area,
    'naics:' || trim(f.naics) AS category,
    TRY_CAST(f.amount AS DOUBLE) AS quantity,
    lower(trim(f.currency)) AS unit,
    CAST(NULL AS DOUBLE) AS passengers,
    TRY_CAST(f.amount AS DECIMAL(38, 10)) AS cost,
    upper(NULLIF(trim(f.currency), '')) AS currency,
    CAST(NULL AS DOUBLE) AS supplier_kgco2e_per_kwh,
    CAST(NULL AS DOUBLE) AS certificate_kwh,
    NULLIF(trim(f.supplier), '') AS supplier,
    CAST(NULL AS VARCHAR) AS cabin,
    CAST(NULL AS VARCHAR) AS haul,
    CAST(NULL AS VARCHAR) AS ownership,
    NULLIF(trim(f.description), '') AS description,
    CAST($factor_geography AS VARCHAR) AS factor_geography,
    CAST(NULL AS BOOLEAN) AS radiative_forcing,
    p.provider AS supplier_provider,
    CAST(NULL AS VARCHAR) AS reading,  -- electricity only
    -- the cells as delivered, for the companion model's messages (activity_rows__invalid.sql); not stored
    f.date AS cell_date,
    f.amount AS cell_quantity,
    CAST(NULL AS VARCHAR) AS cell_cost,
    CAST(NULL AS VARCHAR) AS cell_passengers,
    CAST(NULL AS VARCHAR) AS cell_nights,
    CAST(NULL AS VARCHAR) AS cell_supplier_kgco2e_per_kwh,
    CAST(NULL AS VARCHAR) AS cell_certificate_kwh,
    CAST(NULL AS VARCHAR) AS cell_reading
FROM activity_file AS f
LEFT JOIN activity_cloud_suppliers AS p ON p.supplier_key = lower(trim(f.supplier))
