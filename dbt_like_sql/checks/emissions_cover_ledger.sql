-- Every ledger activity that can emit has one location and one market row, each with a figure or a
-- flag saying why not; and no usage row has negative emissions.
WITH expected AS (
    SELECT activity_id, period_month FROM ledger.activity
    WHERE estimation_class <> 'cost_only'
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
),
produced AS (
    SELECT activity_id,
        COUNT(*) FILTER (WHERE method = 'location') AS location_rows,
        COUNT(*) FILTER (WHERE method = 'market') AS market_rows,
        COUNT(*) FILTER (WHERE tco2e IS NULL AND flag IS NULL) AS unexplained_nulls,
        COUNT(*) FILTER (WHERE tco2e < 0) AS negative_rows
    FROM emissions.activity_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY activity_id
)
SELECT e.activity_id, e.period_month, p.location_rows, p.market_rows, p.unexplained_nulls, p.negative_rows
FROM expected AS e
LEFT JOIN produced AS p ON p.activity_id = e.activity_id
WHERE p.activity_id IS NULL OR p.location_rows <> 1 OR p.market_rows <> 1 OR p.unexplained_nulls > 0
   OR p.negative_rows > 0
ORDER BY 2, 1
