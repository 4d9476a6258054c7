-- marts.scope_summary's grain with a 95 % range (docs/uncertainty.md). Its own mart, not columns of
-- scope_summary: a range is not additive, so a BI tool summing the months of scope_summary must never sum
-- ranges; a yearly range is computed from the rows again (bi.inventory_uncertainty), not from these.
--
-- The range is marts.uncertainty_ranges' (its scope_summary cells): errors summed within a shared factor or
-- shared estimate, the groups added in quadrature (IPCC 2006 Vol. 1 Ch. 3 Approach 1), or a seeded Monte
-- Carlo where a group is skewed (Approach 2); propagation says which.
SELECT
    period_month, scope, scope3_category, method, basis, tco2e, tco2e_low, tco2e_high,
    half_width / NULLIF(tco2e, 0) AS u95_relative,
    primary_data_share, largest_component_half_width, sum_of_half_widths, figures, half_width, propagation
FROM marts.uncertainty_ranges
WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
  AND cell_kind = 'scope_summary'
