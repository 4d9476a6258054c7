-- The inventory: month x scope x category x method x basis, in tCO2e.
-- Cloud: the provider's reported figure is the source of record for a provider, month and method;
-- the usage-based estimate fills only a (month, provider, method) the provider reported nothing for,
-- so the two are never summed. The cloud scope comes from the cloud_scope_policy setting
-- (Scope 3 category 1 by default).
WITH own_operations AS (
    SELECT e.period_month, e.scope, e.scope3_category, e.method, e.basis, e.tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
      AND a.activity_type <> 'cloud_usage'
      AND e.tco2e IS NOT NULL
),
reported AS (
    SELECT period_month, provider, 'location' AS method, location_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND location_tco2e IS NOT NULL
    UNION ALL
    SELECT period_month, provider, 'market' AS method, market_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND market_tco2e IS NOT NULL
),
reported_coverage AS (
    SELECT DISTINCT period_month, provider, method FROM reported
),
estimated AS (
    SELECT e.period_month, a.provider, e.method, e.tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
      AND a.activity_type = 'cloud_usage'
      AND e.tco2e IS NOT NULL
),
cloud AS (
    SELECT period_month, method, 'reported' AS basis, tco2e FROM reported
    UNION ALL
    SELECT e.period_month, e.method, 'estimated_usage' AS basis, e.tco2e
    FROM estimated AS e
    LEFT JOIN reported_coverage AS c
        ON c.period_month = e.period_month AND c.provider = e.provider AND c.method = e.method
    WHERE c.period_month IS NULL
),
all_rows AS (
    SELECT period_month, scope, scope3_category, method, basis, tco2e FROM own_operations
    UNION ALL
    SELECT
        period_month,
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN 2 ELSE 3 END AS scope,
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN NULL ELSE 1 END AS scope3_category,
        method, basis, tco2e
    FROM cloud
)
SELECT
    period_month,
    scope,
    scope3_category,
    method,
    basis,
    CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
FROM all_rows
GROUP BY period_month, scope, scope3_category, method, basis
