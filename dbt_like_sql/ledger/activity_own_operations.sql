-- The organisation's own activity files -> ledger, one row per file line (docs/activity_templates.md).
-- Here each row gets its factor item (the contract name in factors.emission_factors.item), the geography
-- its factor is looked up for, its quantity in a factor activity unit (passenger-km, vehicle-mile,
-- room-night ...), and its scope. Units the conversion table does not know are kept and flagged, never
-- dropped; conversion itself happens in the emissions model, through factors.unit_conversions only.
WITH rows AS (
    SELECT
        r.*,
        -- spelling variants of a unit name (not conversions: litres is litre)
        CASE lower(trim(r.unit))
            WHEN 'litres' THEN 'litre' WHEN 'liters' THEN 'litre' WHEN 'liter' THEN 'litre' WHEN 'l' THEN 'litre'
            WHEN 'gallon' THEN 'gal_us' WHEN 'gallons' THEN 'gal_us' WHEN 'gal' THEN 'gal_us'
            WHEN 'us_gal' THEN 'gal_us'
            WHEN 'kilometre' THEN 'km' WHEN 'kilometres' THEN 'km' WHEN 'kilometer' THEN 'km'
            WHEN 'kilometers' THEN 'km'
            WHEN 'miles' THEN 'mile' WHEN 'mi' THEN 'mile'
            WHEN 'therms' THEN 'therm'
            WHEN 'cubic_metre' THEN 'm3' WHEN 'cubic_metres' THEN 'm3' WHEN 'm³' THEN 'm3'
            ELSE lower(trim(r.unit))
        END AS base_unit
    FROM raw.activity_rows AS r
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
),
distances AS (
    -- a leg's length in km, for banding flights: through the conversion table in either direction
    SELECT
        r.*,
        r.quantity * CASE
            WHEN r.base_unit = 'km' THEN 1
            ELSE COALESCE(
                (SELECT c.multiplier FROM factors.unit_conversions AS c WHERE c.from_unit = r.base_unit AND c.to_unit = 'km'),
                1 / (SELECT c.multiplier FROM factors.unit_conversions AS c WHERE c.from_unit = 'km' AND c.to_unit = r.base_unit)
            )
        END AS leg_km,
        (SELECT c.multiplier FROM factors.unit_conversions AS c WHERE c.from_unit = 'km' AND c.to_unit = 'mile')
            AS mile_per_km,
        CASE
            WHEN r.template = 'electricity' AND r.country = 'USA' AND r.grid_area IS NOT NULL THEN 'egrid:' || r.grid_area
            WHEN r.template = 'electricity' THEN 'iso3:' || r.country
            WHEN r.template = 'travel' AND r.category = 'hotel' THEN 'iso3:' || r.country
            ELSE COALESCE(r.factor_geography, 'iso3:USA')
        END AS geography_key
    FROM rows AS r
),
items AS (
    SELECT
        d.*,
        CASE
            WHEN d.template = 'travel' AND d.category = 'air' AND d.geography_key = 'iso3:GBR' THEN
                -- DESNZ: haul as given, else by distance (short haul up to 3,700 km), cabin as given else average
                'air_' || COALESCE(d.haul, CASE WHEN d.leg_km < 3700 THEN 'short_haul' ELSE 'long_haul' END)
                || '_' || COALESCE(d.cabin, 'average')
                || CASE WHEN d.radiative_forcing THEN '_with_rf' ELSE '' END
            WHEN d.template = 'travel' AND d.category = 'air' THEN
                -- EPA: short haul under 300 miles, medium under 2,300 miles, else long (EPA gives no cabin)
                'air_' || COALESCE(d.haul, CASE
                    WHEN d.leg_km * d.mile_per_km < 300 THEN 'short_haul'
                    WHEN d.leg_km * d.mile_per_km < 2300 THEN 'medium_haul'
                    ELSE 'long_haul' END)
            WHEN d.template = 'travel' AND d.category = 'rail' THEN
                CASE WHEN d.geography_key = 'iso3:GBR' THEN 'rail_national' ELSE 'rail_intercity' END
            WHEN d.template = 'travel' AND d.category = 'bus' THEN
                CASE WHEN d.geography_key = 'iso3:GBR' THEN 'bus_average' ELSE 'bus' END
            WHEN d.template = 'travel' AND d.category = 'taxi' THEN 'taxi_regular'
            WHEN d.template = 'travel' AND d.category = 'hotel' THEN 'hotel_stay'
            ELSE d.category
        END AS factor_item
    FROM distances AS d
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
    supplier_provider AS provider,
    CAST(NULL AS VARCHAR) AS account_id,
    CAST(NULL AS VARCHAR) AS region,
    CAST(NULL AS VARCHAR) AS service,
    CAST(NULL AS VARCHAR) AS usage_type,
    CAST(NULL AS VARCHAR) AS line_item_type,
    CAST(NULL AS VARCHAR) AS instance_type,
    CAST(NULL AS INTEGER) AS vcpu,
    site,
    supplier,
    geography_key AS geography,
    factor_item AS category,
    CASE WHEN template = 'travel' THEN quantity * passengers ELSE quantity END AS quantity,
    CASE
        WHEN template = 'travel' AND category = 'hotel' THEN 'room-night'
        WHEN template = 'travel' THEN 'passenger-' || base_unit
        WHEN template = 'vehicle' THEN 'vehicle-' || base_unit
        ELSE base_unit
    END AS unit,
    cost,
    currency,
    supplier_kgco2e_per_kwh,
    certificate_kwh,
    -- electricity: how the kWh was obtained (meter | invoice | estimate; NULL: not said)
    reading,
    CASE
        WHEN template = 'fuel' THEN 1
        WHEN template = 'vehicle' AND ownership = 'owned' THEN 1
        WHEN template = 'electricity' THEN 2
        ELSE 3
    END AS scope,
    CASE
        WHEN template = 'travel' THEN 6
        WHEN template = 'vehicle' AND ownership <> 'owned' THEN 6
        WHEN template = 'spend' THEN 1
    END AS scope3_category,
    template AS estimation_class,
    CASE
        WHEN template <> 'spend' AND NOT (category = 'hotel' AND template = 'travel')
             AND base_unit NOT IN (SELECT from_unit FROM factors.unit_conversions UNION SELECT to_unit FROM factors.unit_conversions)
            THEN 'unknown_unit'
        WHEN template = 'electricity' AND country = 'USA' AND grid_area IS NULL THEN 'us_site_without_egrid_subregion'
    END AS flag
FROM items
