-- Coverage of the cloud usage estimate (issue 14): per provider x month x service, the usage cost whose
-- estimate rests on each rung of the ladder in emissions/activity_emissions.sql (location method):
--   classified    the row's own usage (vCPU-hours, GB-months, GB ...) x coefficients
--   cost_prior    unclassified, kWh = cost x the kWh per cost of the same provider-month's classified rows
--   spend         unclassified with no such prior: cost x USEEIO's data processing & hosting factor
--   no_figure     usage with no tCO2e at all (negative usage, no grid factor, no exchange rate, zero cost)
-- Usage the EC2 instance rows already carry (flag counted_in_ec2_rows) and negative usage are left out
-- of both sides. Shares are of the service's usage cost; a zero-cost service has NULL shares.
WITH usage AS (
    SELECT
        a.period_month,
        a.provider,
        COALESCE(a.service, 'unknown') AS service,
        a.cost,
        CASE
            WHEN e.tco2e IS NULL THEN 'no_figure'
            WHEN e.factor_resolution = 'spend_fallback' THEN 'spend'
            WHEN a.estimation_class = 'unclassified' THEN 'cost_prior'
            ELSE 'classified'
        END AS rung
    FROM ledger.activity AS a
    LEFT JOIN emissions.activity_emissions AS e
        ON e.activity_id = a.activity_id AND e.period_month = a.period_month AND e.method = 'location'
    WHERE a.activity_type = 'cloud_usage'
      -- usage another row carries (ECS split-cost rows) and corrections taking usage back (negative usage,
      -- never estimated: checks/negative_usage.sql) are on neither side of the share
      AND a.flag IS DISTINCT FROM 'counted_in_ec2_rows' AND a.flag IS DISTINCT FROM 'negative_usage'
      AND a.period_month >= CAST($start AS DATE) AND a.period_month < CAST($end AS DATE)
)
-- cost summed as DECIMAL: exact in any row order (a DOUBLE sum's last digits depend on the order rows come in)
SELECT
    period_month,
    provider,
    service,
    CAST(SUM(cost) AS DOUBLE) AS usage_cost,
    CAST(SUM(CASE WHEN rung = 'classified' THEN cost ELSE 0 END) AS DOUBLE) AS classified_cost,
    CAST(SUM(CASE WHEN rung = 'cost_prior' THEN cost ELSE 0 END) AS DOUBLE) AS cost_prior_cost,
    CAST(SUM(CASE WHEN rung = 'spend' THEN cost ELSE 0 END) AS DOUBLE) AS spend_fallback_cost,
    CAST(SUM(CASE WHEN rung = 'no_figure' THEN cost ELSE 0 END) AS DOUBLE) AS no_figure_cost,
    CAST(SUM(CASE WHEN rung = 'classified' THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS classified_share,
    CAST(SUM(CASE WHEN rung IN ('spend', 'no_figure') THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS last_fallback_share
FROM usage
GROUP BY period_month, provider, service
ORDER BY period_month, provider, usage_cost DESC, service
