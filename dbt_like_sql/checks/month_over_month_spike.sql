-- Cloud emissions per provider x account x service x basis that jumped by more than $max_ratio times
-- the previous month's location-based figure and are above $min_tco2e t: worth a look (a runaway
-- workload, a new region, a unit change upstream). The previous month is read even when it lies
-- before the run's window; a series with no previous month (new service, first month) is not compared.
WITH monthly AS (
    SELECT period_month, provider, account_id, service, basis, SUM(location_tco2e) AS location_tco2e
    FROM marts.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) - INTERVAL 1 MONTH AND period_month < CAST($end AS DATE)
      AND location_tco2e IS NOT NULL
    GROUP BY ALL
)
SELECT c.period_month, c.provider, c.account_id, c.service, c.basis, p.location_tco2e AS previous_location_tco2e,
    c.location_tco2e, c.location_tco2e / p.location_tco2e AS ratio_to_previous
FROM monthly AS c
JOIN monthly AS p
    ON p.period_month = c.period_month - INTERVAL 1 MONTH AND p.provider = c.provider
   AND p.account_id IS NOT DISTINCT FROM c.account_id AND p.service = c.service AND p.basis = c.basis
WHERE c.period_month >= CAST($start AS DATE)
  AND p.location_tco2e > 0
  AND c.location_tco2e > $min_tco2e
  AND c.location_tco2e > $max_ratio * p.location_tco2e
ORDER BY ratio_to_previous DESC, 1, 2, 3, 4, 5
