-- Every served view adds up to the inventory (run on the serving file, schema bi): per month,
--   bi.audit_trail           SUM(tco2e) FILTER counted, per scope x category x method = bi.scope_summary
--   bi.cloud_emissions       SUM(location_tco2e) FILTER counted_location and SUM(inventory_market_tco2e)
--                            FILTER counted_market = the inventory's cloud rows (basis reported / estimated_usage)
--   bi.cloud_reconciliation  SUM(inventory_location_tco2e) = the inventory's cloud location rows, and its
--                            reported and estimated columns = bi.cloud_emissions' location sums by basis
-- One row per disagreement (none = pass).
WITH summary AS (
    SELECT period_month, scope, scope3_category, method, SUM(tco2e) AS tco2e FROM bi.scope_summary
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
summary_cloud AS (
    SELECT period_month, method, SUM(tco2e) AS tco2e FROM bi.scope_summary
    WHERE basis IN ('reported', 'estimated_usage')
      AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
trail AS (
    SELECT period_month, scope, scope3_category, method, SUM(tco2e) AS tco2e FROM bi.audit_trail
    WHERE counted AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
cloud AS (
    SELECT period_month, 'location' AS method, SUM(location_tco2e) FILTER (WHERE counted_location) AS tco2e
    FROM bi.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
    UNION ALL
    SELECT period_month, 'market', SUM(inventory_market_tco2e) FILTER (WHERE counted_market)
    FROM bi.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
cloud_by_basis AS (
    SELECT period_month, SUM(location_tco2e) FILTER (WHERE basis = 'reported') AS reported,
        SUM(location_tco2e) FILTER (WHERE basis = 'estimated_usage') AS estimated
    FROM bi.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
recon AS (
    SELECT period_month, SUM(inventory_location_tco2e) AS inventory, SUM(reported_location_tco2e) AS reported,
        SUM(estimated_location_tco2e) AS estimated
    FROM bi.cloud_reconciliation
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) GROUP BY ALL
),
pairs AS (
    SELECT 'bi.audit_trail (counted)' AS view_name, COALESCE(t.period_month, s.period_month) AS period_month,
        'scope ' || CAST(COALESCE(t.scope, s.scope) AS VARCHAR)
            || COALESCE(' cat ' || CAST(COALESCE(t.scope3_category, s.scope3_category) AS VARCHAR), '')
            || ' / ' || COALESCE(t.method, s.method) AS line,
        t.tco2e AS view_tco2e, s.tco2e AS inventory_tco2e
    FROM trail AS t
    FULL OUTER JOIN summary AS s ON s.period_month = t.period_month AND s.scope = t.scope
        AND s.scope3_category IS NOT DISTINCT FROM t.scope3_category AND s.method = t.method
    UNION ALL
    SELECT 'bi.cloud_emissions (counted_' || COALESCE(c.method, s.method) || ')', COALESCE(c.period_month, s.period_month),
        'cloud / ' || COALESCE(c.method, s.method), c.tco2e, s.tco2e
    FROM cloud AS c
    FULL OUTER JOIN summary_cloud AS s ON s.period_month = c.period_month AND s.method = c.method
    UNION ALL
    SELECT 'bi.cloud_reconciliation (inventory_location_tco2e)', COALESCE(r.period_month, s.period_month),
        'cloud / location', r.inventory, s.tco2e
    FROM recon AS r
    FULL OUTER JOIN (SELECT * FROM summary_cloud WHERE method = 'location') AS s ON s.period_month = r.period_month
    UNION ALL
    SELECT 'bi.cloud_reconciliation (reported_location_tco2e)', COALESCE(r.period_month, b.period_month),
        'vs bi.cloud_emissions reported', r.reported, b.reported
    FROM recon AS r FULL OUTER JOIN cloud_by_basis AS b ON b.period_month = r.period_month
    UNION ALL
    SELECT 'bi.cloud_reconciliation (estimated_location_tco2e)', COALESCE(r.period_month, b.period_month),
        'vs bi.cloud_emissions estimated_usage', r.estimated, b.estimated
    FROM recon AS r FULL OUTER JOIN cloud_by_basis AS b ON b.period_month = r.period_month
)
SELECT view_name, period_month, line, view_tco2e, inventory_tco2e,
    COALESCE(view_tco2e, 0) - COALESCE(inventory_tco2e, 0) AS difference
FROM pairs
WHERE abs(COALESCE(view_tco2e, 0) - COALESCE(inventory_tco2e, 0))
    > 1e-9 * GREATEST(1, abs(COALESCE(inventory_tco2e, 0)))
ORDER BY 1, 2, 3
