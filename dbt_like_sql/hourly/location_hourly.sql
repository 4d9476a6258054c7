-- Location-based by the hour: each hour's kWh x its zone's hourly factor for that hour. Direct before
-- life-cycle for the same zone and hour (as the annual models choose). A consumer without a zone, or an hour
-- without a factor, is kept with a flag and no figure: never dropped, never filled with the annual factor.
WITH factors AS (
    SELECT zone, hour_utc, kgco2e_per_kwh, boundary, publisher
    FROM hourly.grid_factors
    WHERE hour_utc >= CAST($start AS TIMESTAMP) AND hour_utc < CAST($end AS TIMESTAMP)
    QUALIFY row_number() OVER (PARTITION BY zone, hour_utc ORDER BY boundary = 'direct' DESC, source_file) = 1
)
SELECT
    c.entity_kind, c.entity, z.zone, c.period_month, c.hour_utc, c.kwh, c.shape,
    f.kgco2e_per_kwh, f.boundary, f.publisher AS grid_publisher,
    c.kwh * f.kgco2e_per_kwh / 1000 AS tco2e,
    CASE WHEN z.zone IS NULL THEN 'no_zone' WHEN f.zone IS NULL THEN 'no_hourly_factor' END AS flag
FROM hourly.consumption AS c
LEFT JOIN hourly.zone_map AS z ON z.kind = c.entity_kind AND z.key = c.entity
LEFT JOIN factors AS f ON f.zone = z.zone AND f.hour_utc = c.hour_utc
WHERE c.period_month >= CAST($start AS DATE) AND c.period_month < CAST($end AS DATE)
