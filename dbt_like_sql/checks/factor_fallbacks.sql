-- Emission figures computed with a fallback factor, grouped so a human can judge whether it matters:
-- an older data year than the activity's (factors lag the activity year), or the location factor
-- standing in for a market instrument (no residual mix can be shipped). A warning by design: the
-- figures are valid and recorded as such, but their share of the total says how provisional it is.
WITH figures AS (
    SELECT e.period_month, e.method, e.factor_resolution, e.factor_data_year, e.tco2e, a.activity_type,
        e.factor_fallback
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.tco2e IS NOT NULL
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
),
totals AS (
    SELECT year(period_month) AS activity_year, method, SUM(tco2e) AS tco2e FROM figures GROUP BY ALL
)
SELECT year(f.period_month) AS activity_year, f.method, f.factor_resolution, f.activity_type, f.factor_data_year,
    COUNT(*) AS emission_rows, SUM(f.tco2e) AS tco2e,
    SUM(f.tco2e) / NULLIF(ANY_VALUE(t.tco2e), 0) AS share_of_method_tco2e
FROM figures AS f
JOIN totals AS t ON t.activity_year = year(f.period_month) AND t.method = f.method
WHERE f.factor_resolution IN ('older_year', 'location_fallback', 'certificates+location_fallback', 'spend_fallback')
    -- own operations: any recorded fallback (geography, boundary, year: own_operations_emissions.sql)
    OR f.factor_fallback IS NOT NULL
GROUP BY ALL
ORDER BY share_of_method_tco2e DESC, 1, 2, 3, 4, 5
