-- The inventory adds up: per month and method, scope_summary equals own-operations emissions plus,
-- for cloud, each provider's reported total where it reported and its usage estimate only where not.
-- Also: the contract's grain is unique.
WITH summary AS (
    SELECT period_month, method, SUM(tco2e) AS tco2e FROM marts.scope_summary
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY ALL
),
own AS (
    SELECT e.period_month, e.method, SUM(e.tco2e) AS tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE a.activity_type <> 'cloud_usage'
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
    GROUP BY ALL
),
-- Cloud is decided per provider: a provider's reported figure for a month and method, else its estimate.
reported AS (
    SELECT period_month, provider, 'location' AS method, SUM(location_tco2e) AS tco2e FROM ledger.provider_emissions
    WHERE is_selected AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY period_month, provider HAVING COUNT(location_tco2e) > 0
    UNION ALL
    SELECT period_month, provider, 'market', SUM(market_tco2e) FROM ledger.provider_emissions
    WHERE is_selected AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
    GROUP BY period_month, provider HAVING COUNT(market_tco2e) > 0
),
estimated AS (
    SELECT e.period_month, a.provider, e.method, SUM(e.tco2e) AS tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE a.activity_type = 'cloud_usage'
      AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
    GROUP BY e.period_month, a.provider, e.method
),
cloud AS (
    SELECT COALESCE(r.period_month, est.period_month) AS period_month, COALESCE(r.method, est.method) AS method,
        SUM(COALESCE(r.tco2e, est.tco2e, 0)) AS tco2e
    FROM reported AS r
    FULL OUTER JOIN estimated AS est
        ON est.period_month = r.period_month AND est.provider = r.provider AND est.method = r.method
    GROUP BY 1, 2
),
expected AS (
    SELECT m.period_month, m.method, COALESCE(o.tco2e, 0) + COALESCE(c.tco2e, 0) AS tco2e
    FROM (SELECT period_month, method FROM own UNION SELECT period_month, method FROM cloud) AS m
    LEFT JOIN own AS o ON o.period_month = m.period_month AND o.method = m.method
    LEFT JOIN cloud AS c ON c.period_month = m.period_month AND c.method = m.method
)
SELECT COALESCE(x.period_month, s.period_month) AS period_month, COALESCE(x.method, s.method) AS method,
    x.tco2e AS expected_tco2e, s.tco2e AS summary_tco2e, 'totals differ' AS problem
FROM expected AS x
FULL OUTER JOIN summary AS s ON s.period_month = x.period_month AND s.method = x.method
WHERE abs(COALESCE(x.tco2e, 0) - COALESCE(s.tco2e, 0)) > 1e-6 * GREATEST(1, abs(COALESCE(x.tco2e, 0)))
UNION ALL
SELECT period_month, method, NULL, NULL, 'duplicate grain: scope ' || CAST(scope AS VARCHAR) || ' / ' || basis
FROM marts.scope_summary
WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
GROUP BY period_month, scope, scope3_category, method, basis HAVING COUNT(*) > 1
ORDER BY 1, 2
