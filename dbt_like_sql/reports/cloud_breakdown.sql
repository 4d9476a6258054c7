-- Cloud emissions COUNTED in one reporting year's inventory, by provider x account x region x service
-- x method x basis. The rule is marts/scope_summary's: the provider's reported figure (selected model
-- version) is the source of record for a month, provider and method; the usage-based estimate counts
-- only where the provider reported nothing. So these rows add up to the inventory's cloud figures,
-- unlike marts.cloud_emissions, which shows estimates beside reported figures as a cross-check.
WITH reported AS (
    SELECT period_month, provider, account_id, region, service, 'location' AS method, location_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
      AND is_selected AND location_tco2e IS NOT NULL
    UNION ALL
    SELECT period_month, provider, account_id, region, service, 'market' AS method, market_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
      AND is_selected AND market_tco2e IS NOT NULL
),
coverage AS (
    SELECT DISTINCT period_month, provider, method FROM reported
),
estimated AS (
    SELECT e.period_month, a.provider, a.account_id, a.region, a.service, e.method, e.tco2e
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= make_date($year, 1, 1) AND e.period_month < make_date($year + 1, 1, 1)
      AND a.activity_type = 'cloud_usage'
      AND e.tco2e IS NOT NULL
),
counted AS (
    SELECT period_month, provider, account_id, region, service, method, 'reported' AS basis, tco2e FROM reported
    UNION ALL
    SELECT e.period_month, e.provider, e.account_id, e.region, e.service, e.method, 'estimated_usage', e.tco2e
    FROM estimated AS e
    ANTI JOIN coverage AS c
        ON c.period_month = e.period_month AND c.provider = e.provider AND c.method = e.method
)
SELECT
    provider,
    account_id,
    region,
    service,
    method,
    basis,
    COUNT(DISTINCT period_month) AS months,
    CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
FROM counted
GROUP BY provider, account_id, region, service, method, basis
ORDER BY provider, account_id, region, service, method, basis
