-- Cloud usage the estimator has no coefficient for, by month and usage type, with its share of the
-- month's usage cost. A warning, not a block: the provider's reported figure still covers it.
WITH usage AS (
    SELECT period_month, usage_type, unit, estimation_class, SUM(cost) AS cost, SUM(line_item_count) AS line_items
    FROM ledger.activity
    WHERE activity_type = 'cloud_usage'
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
totals AS (SELECT period_month, SUM(cost) AS cost FROM usage GROUP BY ALL)
SELECT u.period_month, u.usage_type, u.unit, u.line_items, u.cost,
    CAST(u.cost / NULLIF(t.cost, 0) AS DOUBLE) AS share_of_usage_cost
FROM usage AS u JOIN totals AS t ON t.period_month = u.period_month
WHERE u.estimation_class = 'unclassified'
ORDER BY share_of_usage_cost DESC, 1, 2
