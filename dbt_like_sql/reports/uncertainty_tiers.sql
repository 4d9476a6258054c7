-- Shares of one reporting year's inventory by activity-data tier x factor tier, per method
-- (bi.uncertainty_tier_shares).
SELECT method, activity_tier, factor_tier, is_primary_data, tco2e, share_of_total, figures
FROM bi.uncertainty_tier_shares
WHERE reporting_year = $year
ORDER BY method, tco2e DESC, activity_tier, factor_tier
