-- Each scope's total and the inventory total of one reporting year, per method, with the 95 % range and
-- the primary-data share (bi.inventory_uncertainty; docs/uncertainty.md).
SELECT scope_label, method, tco2e, tco2e_low, tco2e_high, u95_relative, primary_data_share, months_covered
FROM bi.inventory_uncertainty
WHERE reporting_year = $year
ORDER BY CASE WHEN scope_label = 'Total' THEN 1 ELSE 0 END, scope_label, method
