-- marts.scope_summary_uncertainty: its tco2e is marts.scope_summary's (same grain, same figure); the range
-- holds the figure and is never negative; and it widens, never narrows, as rows are added: at least the
-- widest single row's half-width (an added row only adds non-negative terms under the square root) and at
-- most the sum of all groups' half-widths (every error fully correlated). The widening rule is checked on the
-- Approach 1 half-width (half_width), which a Monte Carlo range of a skewed total is not symmetric around.
-- Tolerance: 1e-9 tCO2e.
WITH pairs AS (
    SELECT
        COALESCE(u.period_month, s.period_month) AS period_month,
        COALESCE(u.scope, s.scope) AS scope,
        COALESCE(u.scope3_category, s.scope3_category) AS scope3_category,
        COALESCE(u.method, s.method) AS method,
        COALESCE(u.basis, s.basis) AS basis,
        s.tco2e AS summary_tco2e,
        u.tco2e, u.tco2e_low, u.tco2e_high, u.half_width, u.largest_component_half_width, u.sum_of_half_widths
    FROM (SELECT * FROM marts.scope_summary_uncertainty
          WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)) AS u
    FULL OUTER JOIN (SELECT * FROM marts.scope_summary
          WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)) AS s
        ON s.period_month = u.period_month AND s.scope = u.scope
       AND s.scope3_category IS NOT DISTINCT FROM u.scope3_category AND s.method = u.method AND s.basis = u.basis
)
SELECT *,
    CASE
        WHEN tco2e IS NULL OR summary_tco2e IS NULL THEN 'row missing from one of the two marts'
        WHEN abs(tco2e - summary_tco2e) > 1e-9 THEN 'tco2e differs from marts.scope_summary'
        WHEN NOT (tco2e_low >= 0 AND tco2e_low <= tco2e + 1e-9 AND tco2e <= tco2e_high + 1e-9)
            THEN 'range does not hold the figure'
        WHEN half_width < largest_component_half_width - 1e-9 THEN 'narrower than its widest row'
        ELSE 'wider than all errors fully correlated'
    END AS problem
FROM pairs
WHERE tco2e IS NULL OR summary_tco2e IS NULL
   OR abs(tco2e - summary_tco2e) > 1e-9
   OR NOT (tco2e_low >= 0 AND tco2e_low <= tco2e + 1e-9 AND tco2e <= tco2e_high + 1e-9)
   OR half_width < largest_component_half_width - 1e-9
   OR half_width > sum_of_half_widths + 1e-9
