-- Hourly matching of contractual instruments to own electricity consumption (Scope 2, market-based), per
-- market boundary (zone) and UTC hour, as the GHG Protocol Scope 2 revision's public consultation draft
-- (October 2025) proposes: an instrument counts only in the hour it was produced, and only against consumption
-- in the same market boundary; surplus in one hour is not carried to another (it is reported, then lost);
-- consumption left unmatched is charged at the zone's residual mix (factors.emission_factors, item
-- electricity_residual_mix, geography from hourly.zone_map.residual_geography, newest data year not after the
-- hour's) or, where there is none, at the zone's hourly location factor, recorded as location_fallback.
-- Months [$start, $end) only. Cloud is not here: it is the provider's Scope 2 and the customer's Scope 3 category 1 (notes/methodology §1).
WITH consumption AS (
    SELECT z.zone, c.hour_utc, SUM(c.kwh) AS kwh
    FROM hourly.consumption AS c
    JOIN hourly.zone_map AS z ON z.kind = 'site' AND z.key = c.entity
    WHERE c.entity_kind = 'site' AND c.hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP)
    GROUP BY ALL
),
supply AS (
    SELECT zone, hour_utc, SUM(kwh) AS kwh FROM hourly.instruments WHERE hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP) GROUP BY ALL
),
site_zones AS (SELECT DISTINCT zone FROM hourly.zone_map WHERE kind = 'site'),
hours AS (
    SELECT
        COALESCE(c.zone, s.zone) AS zone,
        COALESCE(c.hour_utc, s.hour_utc) AS hour_utc,
        COALESCE(c.kwh, 0) AS consumption_kwh,
        COALESCE(s.kwh, 0) AS supply_kwh
    FROM consumption AS c
    FULL OUTER JOIN supply AS s ON s.zone = c.zone AND s.hour_utc = c.hour_utc
),
residual AS (
    SELECT g.zone, f.factor_id, f.value, f.data_year
    FROM (SELECT zone, max(residual_geography) AS geography FROM hourly.zone_map GROUP BY zone) AS g
    JOIN factors.emission_factors AS f
      ON f.item = 'electricity_residual_mix' AND f.geography = g.geography
),
location AS (
    SELECT zone, hour_utc, kgco2e_per_kwh, publisher
    FROM hourly.grid_factors
    WHERE hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP)
    QUALIFY row_number() OVER (PARTITION BY zone, hour_utc ORDER BY boundary = 'direct' DESC, source_file) = 1
),
matched AS (
    SELECT
        h.*,
        least(h.consumption_kwh, h.supply_kwh) AS matched_kwh,
        h.consumption_kwh - least(h.consumption_kwh, h.supply_kwh) AS unmatched_kwh,
        h.supply_kwh - least(h.consumption_kwh, h.supply_kwh) AS surplus_kwh,
        (SELECT r.value FROM residual AS r
         WHERE r.zone = h.zone AND r.data_year <= year(h.hour_utc)
         ORDER BY r.data_year DESC, r.factor_id LIMIT 1) AS residual_value,
        (SELECT r.factor_id FROM residual AS r
         WHERE r.zone = h.zone AND r.data_year <= year(h.hour_utc)
         ORDER BY r.data_year DESC, r.factor_id LIMIT 1) AS residual_id,
        l.kgco2e_per_kwh AS location_value,
        l.publisher AS location_publisher
    FROM hours AS h
    LEFT JOIN location AS l ON l.zone = h.zone AND l.hour_utc = h.hour_utc
)
SELECT
    zone,
    CAST(date_trunc('month', hour_utc) AS DATE) AS period_month,
    hour_utc, consumption_kwh, supply_kwh, matched_kwh, unmatched_kwh, surplus_kwh,
    CASE
        WHEN consumption_kwh = 0 AND zone NOT IN (SELECT zone FROM site_zones) THEN 'outside_boundary'
        WHEN consumption_kwh = 0 THEN 'no_consumption'
        WHEN unmatched_kwh > 0 THEN 'deficit'
        WHEN surplus_kwh > 0 THEN 'surplus'
        ELSE 'matched'
    END AS status,
    CASE WHEN unmatched_kwh > 0 THEN COALESCE(residual_value, location_value) END AS unmatched_kgco2e_per_kwh,
    CASE
        WHEN unmatched_kwh = 0 THEN NULL
        WHEN residual_value IS NOT NULL THEN 'residual_mix:' || residual_id
        WHEN location_value IS NOT NULL THEN 'location_fallback:' || location_publisher
        ELSE 'none'
    END AS unmatched_factor_source,
    CASE
        WHEN unmatched_kwh = 0 THEN 0.0
        ELSE unmatched_kwh * COALESCE(residual_value, location_value) / 1000
    END AS tco2e
FROM matched
