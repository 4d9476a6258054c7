-- The ten activities contributing most to the variance of one reporting year's total, per method
-- (bi.uncertainty_contributors): where better data pays off most.
SELECT method, uncertainty_rank, activity_label, activity_tier, factor_tier, tco2e, share_of_variance
FROM bi.uncertainty_contributors
WHERE reporting_year = $year
ORDER BY method, uncertainty_rank
