-- Reported vs usage-estimated location-based cloud emissions, side by side, with their ratio.
WITH reported AS (
    SELECT period_month, provider, account_id, region, service,
        CAST(SUM(CAST(location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM marts.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) AND basis = 'reported'
    GROUP BY period_month, provider, account_id, region, service
),
estimated AS (
    SELECT period_month, provider, account_id, region, service,
        CAST(SUM(CAST(location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM marts.cloud_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE) AND basis = 'estimated_usage'
    GROUP BY period_month, provider, account_id, region, service
)
SELECT
    COALESCE(r.period_month, e.period_month) AS period_month,
    COALESCE(r.provider, e.provider) AS provider,
    COALESCE(r.account_id, e.account_id) AS account_id,
    COALESCE(r.region, e.region) AS region,
    COALESCE(r.service, e.service) AS service,
    r.tco2e AS reported_location_tco2e,
    e.tco2e AS estimated_location_tco2e,
    r.tco2e / NULLIF(e.tco2e, 0) AS reported_to_estimated_ratio
FROM reported AS r
FULL OUTER JOIN estimated AS e
    ON r.period_month = e.period_month AND r.provider = e.provider AND r.account_id = e.account_id
   AND r.region = e.region AND r.service = e.service
