-- Provider-reported vs usage-estimated cloud lines of one reporting year against the estimate's 95 % range
-- (bi.cloud_reconciliation_ranges): per provider, how many month x account x region x service lines fall
-- below, within or above the range, with their reported and estimated location-based tCO2e.
SELECT provider, reported_position, COUNT(*) AS lines,
    CAST(SUM(CAST(reported_location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS reported_tco2e,
    CAST(SUM(CAST(estimated_location_tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS estimated_tco2e
FROM bi.cloud_reconciliation_ranges
WHERE reporting_year = $year AND reported_position IN ('below_range', 'within_range', 'above_range')
GROUP BY provider, reported_position
ORDER BY provider, reported_position
