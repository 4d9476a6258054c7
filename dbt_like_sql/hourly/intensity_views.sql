-- When each site's and region's use was dirtiest: every hour with its factor and its rank within the month
-- (1 = the dirtiest hour the entity used electricity in), and the month's kWh-weighted intensity by hour of day.
CREATE OR REPLACE VIEW marts.hourly_intensity AS
SELECT
    entity_kind, entity, zone, period_month, hour_utc, kwh, kgco2e_per_kwh, tco2e, shape, grid_publisher, flag,
    CASE WHEN kgco2e_per_kwh IS NOT NULL AND kwh > 0 THEN
        rank() OVER (PARTITION BY entity_kind, entity, period_month
                     ORDER BY CASE WHEN kwh > 0 THEN kgco2e_per_kwh END DESC NULLS LAST)
    END AS dirtiest_rank
FROM hourly.location_hourly;

CREATE OR REPLACE VIEW marts.hourly_intensity_by_hour_of_day AS
SELECT
    entity_kind, entity, zone, period_month, hour(hour_utc) AS hour_of_day_utc,
    SUM(kwh) AS kwh,
    SUM(tco2e) AS tco2e,
    1000 * SUM(tco2e) / NULLIF(SUM(kwh) FILTER (WHERE tco2e IS NOT NULL), 0) AS kgco2e_per_kwh,
    string_agg(DISTINCT grid_publisher, ', ') AS grid_publishers
FROM hourly.location_hourly
GROUP BY ALL;
