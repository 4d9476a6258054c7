-- marts.cloud_reconciliation with the usage estimate's 95 % range (docs/uncertainty.md): a reported
-- figure inside the range agrees with the estimate as far as the estimate can tell; outside it, one of them
-- is wrong by more than the estimate's own spread. Same propagation as marts/scope_summary_uncertainty.sql.
WITH estimate_rows AS (
    SELECT u.*, a.account_id, a.region, a.service
    FROM emissions.emission_uncertainty AS u
    JOIN ledger.activity AS a ON a.activity_id = u.figure_id AND a.period_month = u.period_month
    WHERE u.period_month >= CAST($start AS DATE) AND u.period_month < CAST($end AS DATE)
      AND u.figure_kind = 'activity_emission' AND u.method = 'location' AND u.basis = 'estimated_usage'
      AND u.tco2e IS NOT NULL
),
error_groups AS (
    SELECT period_month, provider, account_id, region, service,
        CAST(SUM(CAST(tco2e * activity_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM estimate_rows
    GROUP BY period_month, provider, account_id, region, service, activity_error_key
    UNION ALL
    SELECT period_month, provider, account_id, region, service,
        CAST(SUM(CAST(tco2e * factor_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM estimate_rows
    GROUP BY period_month, provider, account_id, region, service, factor_error_key
),
spread AS (
    SELECT period_month, provider, account_id, region, service,
        sqrt(CAST(SUM(CAST(group_half_width * group_half_width AS DECIMAL(38, 15))) AS DOUBLE)) AS half_width
    FROM error_groups
    GROUP BY period_month, provider, account_id, region, service
),
ranged AS (
    SELECT r.*, s.half_width
    FROM marts.cloud_reconciliation AS r
    LEFT JOIN spread AS s
        ON s.period_month = r.period_month AND s.provider = r.provider
       AND s.account_id IS NOT DISTINCT FROM r.account_id AND s.region = r.region AND s.service = r.service
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
)
SELECT
    period_month, provider, account_id, region, service,
    reported_location_tco2e,
    estimated_location_tco2e,
    -- GREATEST skips NULLs: no estimate, no range
    CASE WHEN half_width IS NOT NULL THEN GREATEST(estimated_location_tco2e - half_width, 0) END AS estimated_tco2e_low,
    estimated_location_tco2e + half_width AS estimated_tco2e_high,
    CASE
        WHEN reported_location_tco2e IS NULL THEN 'not_reported'
        WHEN estimated_location_tco2e IS NULL OR half_width IS NULL THEN 'no_estimate'
        WHEN reported_location_tco2e < GREATEST(estimated_location_tco2e - half_width, 0) THEN 'below_range'
        WHEN reported_location_tco2e > estimated_location_tco2e + half_width THEN 'above_range'
        ELSE 'within_range'
    END AS reported_position
FROM ranged
