-- Hourly carbon (issue 16, docs/hourly.md), only when the serving file has it (hourly on): one reporting year's
-- kWh-weighted carbon intensity of each site's / cloud region's use by UTC hour of day, from the published
-- marts.hourly_intensity_by_hour_of_day (hours with an hourly factor only), with the grid publishers used.
SELECT
    entity_kind, entity, hour_of_day_utc,
    SUM(kwh) AS kwh,
    SUM(tco2e) AS tco2e,
    1000 * SUM(tco2e) / NULLIF(SUM(1000 * tco2e / NULLIF(kgco2e_per_kwh, 0)), 0) AS kgco2e_per_kwh,
    string_agg(DISTINCT grid_publishers, ', ') AS grid_publishers
FROM marts.hourly_intensity_by_hour_of_day
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
GROUP BY ALL
ORDER BY 1, 2, 3
