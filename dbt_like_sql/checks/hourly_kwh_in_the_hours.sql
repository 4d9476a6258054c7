-- Hourly activity (issue 16): every profiled site bill and every cloud usage estimate of the months is in their
-- hours, nothing lost or doubled when a month is shaped by hour. A metered month is the meter's kWh, which may
-- differ from the bill (both are in marts.hourly_vs_annual), so it is not compared here.
WITH hours AS (
    SELECT entity_kind, entity, period_month, SUM(kwh) AS hourly_kwh,
           bool_and(shape <> 'metered') AS all_shaped
    FROM hourly.consumption
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
bills AS (
    SELECT 'site' AS entity_kind, site AS entity, period_month,
           SUM(CASE lower(unit) WHEN 'kwh' THEN quantity WHEN 'mwh' THEN quantity * 1000 END) AS month_kwh
    FROM ledger.activity
    WHERE activity_type = 'electricity' AND site IS NOT NULL
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
    HAVING SUM(CASE lower(unit) WHEN 'kwh' THEN quantity WHEN 'mwh' THEN quantity * 1000 END) IS NOT NULL
),
cloud AS (
    SELECT 'cloud_region' AS entity_kind, a.provider || ':' || a.region AS entity, e.period_month,
           SUM(e.energy_kwh) AS month_kwh
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.method = 'location' AND e.basis = 'estimated_usage' AND e.energy_kwh > 0
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
    GROUP BY ALL
),
expected AS (SELECT * FROM bills UNION ALL SELECT * FROM cloud)
SELECT x.entity_kind, x.entity, x.period_month, x.month_kwh, h.hourly_kwh
FROM expected AS x
LEFT JOIN hours AS h USING (entity_kind, entity, period_month)
WHERE (h.entity IS NULL OR h.all_shaped)
  AND (h.hourly_kwh IS NULL OR abs(h.hourly_kwh - x.month_kwh) > 1e-6 * greatest(abs(x.month_kwh), 1))
ORDER BY 3, 1, 2
