-- Cloud emissions by month x provider x account x region x service x basis x provider scope:
-- the provider's reported figures (selected model version only) beside the usage-based estimate.
-- Sums run in DECIMAL so that re-running gives bit-identical results whatever the scan order.
WITH estimated AS (
    SELECT
        a.period_month,
        a.provider,
        a.account_id,
        a.region,
        a.service,
        'estimated_usage' AS basis,
        CAST(NULL AS INTEGER) AS provider_scope,
        CAST(SUM(CAST(e.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS location_tco2e,
        CAST(NULL AS DOUBLE) AS market_tco2e,
        CAST(SUM(CAST(e.energy_kwh AS DECIMAL(38, 12))) AS DOUBLE) AS energy_kwh,
        CAST(NULL AS VARCHAR) AS model_version
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
      AND e.method = 'location'
      AND a.activity_type = 'cloud_usage'
    GROUP BY a.period_month, a.provider, a.account_id, a.region, a.service
),
reported AS (
    SELECT
        period_month,
        provider,
        account_id,
        region,
        service,
        'reported' AS basis,
        provider_scope,
        CAST(SUM(CAST(location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS location_tco2e,
        CAST(SUM(CAST(market_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS market_tco2e,
        CAST(NULL AS DOUBLE) AS energy_kwh,
        model_version
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected
    GROUP BY period_month, provider, account_id, region, service, provider_scope, model_version
)
SELECT * FROM estimated
UNION ALL
SELECT * FROM reported
