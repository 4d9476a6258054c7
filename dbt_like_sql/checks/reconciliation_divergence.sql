-- Reported vs estimated location-based cloud emissions further apart than a factor of $max_ratio.
SELECT period_month, account_id, region, service, reported_location_tco2e, estimated_location_tco2e,
    reported_to_estimated_ratio
FROM marts.cloud_reconciliation
WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
  AND reported_to_estimated_ratio IS NOT NULL
  AND (reported_to_estimated_ratio > $max_ratio OR reported_to_estimated_ratio < 1.0 / $max_ratio)
ORDER BY abs(ln(reported_to_estimated_ratio)) DESC, 1
