-- The organisation's own activity files -> ledger, one row per file line. Units the conversion table
-- does not know are kept and flagged, never dropped.
WITH rows AS (
    SELECT
        r.*,
        c.multiplier AS to_mile
    FROM raw.activity_rows AS r
    LEFT JOIN factors.unit_conversions AS c
        ON c.from_unit = r.unit AND c.to_unit = 'mile'
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
),
shaped AS (
    SELECT
        *,
        CASE template
            WHEN 'electricity' THEN CASE WHEN country = 'USA' THEN 'egrid:' || grid_area ELSE 'iso3:' || country END
            ELSE 'global'
        END AS geography_key,
        CASE
            WHEN template = 'travel' AND category = 'air' THEN
                CASE
                    WHEN quantity * to_mile < 300 THEN 'air_short_haul'
                    WHEN quantity * to_mile < 2300 THEN 'air_medium_haul'
                    ELSE 'air_long_haul'
                END
            ELSE category
        END AS factor_item
    FROM rows
)
SELECT
    md5(concat_ws('|', source_id, object_key, object_version, CAST(object_line AS VARCHAR))) AS activity_id,
    period_month,
    source_id,
    'activity_csv' AS source_kind,
    object_key AS source_object,
    object_version AS source_version,
    1 AS line_item_count,
    object_line AS first_line,
    template AS activity_type,
    CAST(NULL AS VARCHAR) AS provider,
    CAST(NULL AS VARCHAR) AS account_id,
    CAST(NULL AS VARCHAR) AS region,
    CAST(NULL AS VARCHAR) AS service,
    CAST(NULL AS VARCHAR) AS usage_type,
    CAST(NULL AS VARCHAR) AS line_item_type,
    CAST(NULL AS VARCHAR) AS instance_type,
    CAST(NULL AS INTEGER) AS vcpu,
    site,
    geography_key AS geography,
    factor_item AS category,
    CASE WHEN template = 'travel' THEN quantity * passengers ELSE quantity END AS quantity,
    CASE WHEN template = 'travel' THEN 'passenger-' || unit ELSE unit END AS unit,
    cost,
    currency,
    supplier_kgco2e_per_kwh,
    certificate_kwh,
    CASE template WHEN 'fuel' THEN 1 WHEN 'electricity' THEN 2 ELSE 3 END AS scope,
    CASE template WHEN 'travel' THEN 6 END AS scope3_category,
    template AS estimation_class,
    CASE
        WHEN unit NOT IN (SELECT from_unit FROM factors.unit_conversions) THEN 'unknown_unit'
        WHEN template = 'electricity' AND country = 'USA' AND grid_area IS NULL THEN 'us_site_without_egrid_subregion'
    END AS flag
FROM shaped
