-- Spend left out of spend-based category 1 because the supplier is a cloud provider whose emissions the
-- inventory already has for the month (its reported figures, or its usage estimate from billing): kept,
-- flagged excluded_provider_reported / excluded_provider_estimated, counting 0. A warning by design: the
-- exclusion is what prevents double counting, and a person should see how much spend it covered.
SELECT
    a.period_month,
    a.source_id,
    a.supplier,
    a.provider,
    e.flag,
    a.currency,
    COUNT(*) AS spend_rows,
    CAST(SUM(a.cost) AS DOUBLE) AS amount
FROM emissions.activity_emissions AS e
JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
WHERE e.method = 'location' AND e.flag IN ('excluded_provider_reported', 'excluded_provider_estimated')
  AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
GROUP BY ALL
ORDER BY 1, 2, 3, 5, 6
