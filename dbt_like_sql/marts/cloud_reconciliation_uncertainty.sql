-- marts.cloud_reconciliation with the usage estimate's 95 % range (docs/uncertainty.md): a reported
-- figure inside the range agrees with the estimate as far as the estimate can tell; outside it, one of them
-- is wrong by more than the estimate's own spread. The range is marts.uncertainty_ranges' (its
-- cloud_estimate cells), the same propagation as marts.scope_summary_uncertainty.
WITH ranged AS (
    SELECT r.*, u.tco2e_low, u.tco2e_high, u.propagation
    FROM marts.cloud_reconciliation AS r
    LEFT JOIN marts.uncertainty_ranges AS u
        ON u.cell_kind = 'cloud_estimate' AND u.period_month = r.period_month AND u.provider = r.provider
       AND u.account_id IS NOT DISTINCT FROM r.account_id AND u.region = r.region AND u.service = r.service
       AND u.period_month >= CAST($start AS DATE) AND u.period_month < CAST($end AS DATE)
    WHERE r.period_month >= CAST($start AS DATE) AND r.period_month < CAST($end AS DATE)
)
SELECT
    period_month, provider, account_id, region, service,
    reported_location_tco2e,
    estimated_location_tco2e,
    -- no estimate, no range
    CASE WHEN estimated_location_tco2e IS NOT NULL THEN tco2e_low END AS estimated_tco2e_low,
    CASE WHEN estimated_location_tco2e IS NOT NULL THEN tco2e_high END AS estimated_tco2e_high,
    CASE
        WHEN reported_location_tco2e IS NULL THEN 'not_reported'
        WHEN estimated_location_tco2e IS NULL OR tco2e_low IS NULL THEN 'no_estimate'
        WHEN reported_location_tco2e < tco2e_low THEN 'below_range'
        WHEN reported_location_tco2e > tco2e_high THEN 'above_range'
        ELSE 'within_range'
    END AS reported_position,
    propagation
FROM ranged
