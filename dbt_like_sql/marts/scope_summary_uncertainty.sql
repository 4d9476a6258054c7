-- marts.scope_summary's grain with a 95 % range (docs/uncertainty.md). Its own mart, not columns of
-- scope_summary: a range is not additive, so a BI tool summing the months of scope_summary must never sum
-- ranges; a yearly range is computed from the rows again (bi.inventory_uncertainty), not from these.
--
-- Propagation (IPCC 2006 Vol. 1 Ch. 3 Approach 1, with the correlation rule of its section 3.2.3.1): within a
-- mart row, the rows of one error group (one factor, one shared estimate) are summed first (fully
-- correlated: sum of tco2e x u), then the groups are added in quadrature (independent):
--   half_width = sqrt( sum over activity groups (sum tco2e x activity_u95)^2
--                    + sum over factor groups   (sum tco2e x factor_u95)^2 )
--   tco2e_low = max(tco2e - half_width, 0), tco2e_high = tco2e + half_width.
WITH rows_counted AS (
    SELECT *
    FROM emissions.emission_uncertainty
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND counts_in_inventory AND tco2e IS NOT NULL
),
error_groups AS (
    SELECT period_month, scope, scope3_category, method, basis,
        CAST(SUM(CAST(tco2e * activity_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM rows_counted
    GROUP BY period_month, scope, scope3_category, method, basis, activity_error_key
    UNION ALL
    SELECT period_month, scope, scope3_category, method, basis,
        CAST(SUM(CAST(tco2e * factor_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM rows_counted
    GROUP BY period_month, scope, scope3_category, method, basis, factor_error_key
),
spread AS (
    SELECT period_month, scope, scope3_category, method, basis,
        sqrt(CAST(SUM(CAST(group_half_width * group_half_width AS DECIMAL(38, 15))) AS DOUBLE)) AS half_width,
        CAST(SUM(CAST(group_half_width AS DECIMAL(38, 15))) AS DOUBLE) AS sum_of_half_widths
    FROM error_groups
    GROUP BY period_month, scope, scope3_category, method, basis
),
totals AS (
    SELECT period_month, scope, scope3_category, method, basis,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        -- ESRS E1 "primary data": activity data measured or reported by the organisation or its supplier
        CAST(SUM(CAST(CASE WHEN activity_tier IN ('metered', 'invoiced', 'provider_reported') THEN tco2e ELSE 0 END
            AS DECIMAL(38, 15))) AS DOUBLE)
            / NULLIF(CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE), 0) AS primary_data_share,
        MAX(tco2e * u95) AS largest_component_half_width,
        COUNT(*) AS figures
    FROM rows_counted
    GROUP BY period_month, scope, scope3_category, method, basis
)
SELECT
    t.period_month, t.scope, t.scope3_category, t.method, t.basis, t.tco2e,
    GREATEST(t.tco2e - s.half_width, 0) AS tco2e_low,
    t.tco2e + s.half_width AS tco2e_high,
    s.half_width / NULLIF(t.tco2e, 0) AS u95_relative,
    t.primary_data_share,
    t.largest_component_half_width,
    s.sum_of_half_widths,
    t.figures
FROM totals AS t
JOIN spread AS s
    ON s.period_month = t.period_month AND s.scope = t.scope
   AND s.scope3_category IS NOT DISTINCT FROM t.scope3_category AND s.method = t.method AND s.basis = t.basis
