-- Hourly location (issue 16): the kWh of each site / cloud region and month that has no zone in the zone map or
-- no hourly factor for some hours. Kept and flagged in hourly.location_hourly, left out of hourly_tco2e.
SELECT entity_kind, entity, period_month, flag, count(*) AS hours, SUM(kwh) AS kwh
FROM hourly.location_hourly
WHERE flag IS NOT NULL
  AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
GROUP BY ALL
ORDER BY 3, 1, 2, 4
