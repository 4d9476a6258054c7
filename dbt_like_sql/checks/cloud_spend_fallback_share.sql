-- No silent zero (issue 14), blocking: per provider and month, the share of cloud usage cost that rests on
-- the last fallback (estimated from spend with USEEIO's hosting factor, or no figure at all: see
-- reports/cloud_usage_coverage.sql for the rungs) must not exceed $max_share (settings.
-- max_spend_fallback_share, default 0.2). Offending provider-months name their top services on that
-- fallback. $all_rows = TRUE returns every provider-month: the coverage overview.
WITH usage AS (
    SELECT
        a.period_month,
        a.provider,
        COALESCE(a.service, 'unknown') AS service,
        CAST(a.cost AS DOUBLE) AS cost,
        e.tco2e IS NULL OR e.factor_resolution = 'spend_fallback' AS on_last_fallback,
        a.estimation_class <> 'unclassified' AND e.tco2e IS NOT NULL AS classified
    FROM ledger.activity AS a
    LEFT JOIN emissions.activity_emissions AS e
        ON e.activity_id = a.activity_id AND e.period_month = a.period_month AND e.method = 'location'
    WHERE a.activity_type = 'cloud_usage'
      -- usage another row carries (ECS split-cost rows) and corrections taking usage back (negative usage,
      -- never estimated: checks/negative_usage.sql) are on neither side of the share
      AND a.flag IS DISTINCT FROM 'counted_in_ec2_rows' AND a.flag IS DISTINCT FROM 'negative_usage'
      AND a.period_month >= CAST($start AS DATE) AND a.period_month < CAST($end AS DATE)
),
by_service AS (
    SELECT period_month, provider, service,
        SUM(CASE WHEN on_last_fallback THEN cost ELSE 0 END) AS fallback_cost
    FROM usage
    GROUP BY period_month, provider, service
),
ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY period_month, provider ORDER BY fallback_cost DESC, service) AS rank
    FROM by_service
    WHERE fallback_cost > 0
),
top_services AS (
    SELECT period_month, provider,
        string_agg(service || ' ' || CAST(round(fallback_cost, 2) AS VARCHAR), ', ' ORDER BY rank) AS top_services
    FROM ranked
    WHERE rank <= 5
    GROUP BY period_month, provider
),
provider_months AS (
    SELECT period_month, provider,
        SUM(cost) AS usage_cost,
        SUM(CASE WHEN classified THEN cost ELSE 0 END) / NULLIF(SUM(cost), 0) AS classified_share,
        SUM(CASE WHEN on_last_fallback THEN cost ELSE 0 END) / NULLIF(SUM(cost), 0) AS last_fallback_share
    FROM usage
    GROUP BY period_month, provider
)
SELECT p.period_month, p.provider, p.usage_cost, p.classified_share, p.last_fallback_share,
    CAST($max_share AS DOUBLE) AS max_share, t.top_services AS top_services_on_last_fallback
FROM provider_months AS p
LEFT JOIN top_services AS t ON t.period_month = p.period_month AND t.provider = p.provider
WHERE $all_rows OR p.last_fallback_share > CAST($max_share AS DOUBLE)
ORDER BY p.period_month, p.provider
