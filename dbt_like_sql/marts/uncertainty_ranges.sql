-- The 95 % range of every total the uncertainty marts show, computed once (docs/uncertainty.md): one row per
-- cell, where a cell is a row of marts.scope_summary (cell_kind 'scope_summary': the figures that count in
-- the inventory) or a usage estimate of marts.cloud_reconciliation (cell_kind 'cloud_estimate': the
-- location-based estimated_usage figures of one month x provider x account x region x service).
-- marts/scope_summary_uncertainty.sql and marts/cloud_reconciliation_uncertainty.sql both read it.
-- With $uncertainty_period = 'year' (the serving file's publish, carbon_pipeline/serving/publish.py) the same
-- model gives each calendar year's cells instead, per scope (cell_kind 'scope_total') and for the whole
-- inventory ('inventory_total'), their period_month the year's first day: bi.inventory_uncertainty. A range is
-- never added from months: the year's figures are propagated again, a shared factor still one error.
--
-- Errors: the rows of one error group (emissions.emission_uncertainty's activity_error_key / factor_error_key:
-- one factor, the shared usage model, one provider's methodology) share ONE error; groups are independent.
--   half_width (IPCC 2006 Vol. 1 Ch. 3 Approach 1) = sqrt( sum over groups (sum of tco2e x u95 in the group)^2 )
-- Where every group of a cell is normal (each tier's distribution: factors.uncertainty_defaults), the range is
-- that closed form: [max(tco2e - half_width, 0), tco2e + half_width] (propagation 'quadrature').
-- Where a cell has a skewed (lognormal) group, the range is a seeded Monte Carlo (Approach 2, propagation
-- 'monte_carlo') of $monte_carlo_draws draws:
--   * one standard normal z per skewed group and draw: Box-Muller of two 28-bit uniforms read from
--     md5($monte_carlo_seed:<error key>:<draw>), so a group's draws depend on nothing but its key and the draw
--     number (not on threads, row order or which other cells the run computes) and one group is one draw for
--     every row in it, in every cell it reaches;
--   * each term of a skewed group deviates by tco2e x (exp(s z - s^2/2) - 1), s^2 = ln(1 + (u95/1.96)^2), for a
--     lognormal tier (mean = the figure, same standard deviation as the normal of the same u95), or
--     tco2e x u95/1.96 x z for a normal tier in the same group;
--   * the cell's normal groups together are one normal of standard deviation sqrt(sum half_width^2)/1.96,
--     drawn from the key '<normal groups>' (a sum of independent normals is normal: no need to draw each);
--   * a draw's total is tco2e + its deviations, never below 0; low and high are its 2.5 % and 97.5 %
--     quantiles (linear interpolation), widened where needed to hold the figure itself.
-- Sums of draws are taken as DECIMAL so the result is the same whatever the order DuckDB adds them in.
WITH rated AS (
    SELECT
        u.figure_kind, u.scope, u.scope3_category, u.method, u.basis, u.provider, u.counts_in_inventory, u.tco2e,
        u.activity_tier, u.activity_u95, u.factor_u95, u.u95, u.activity_error_key, u.factor_error_key,
        u.period_month AS figure_month,
        CASE WHEN $uncertainty_period = 'year' THEN CAST(date_trunc('year', u.period_month) AS DATE)
            ELSE u.period_month END AS period_month,
        a.account_id,
        a.region,
        a.service,
        COALESCE(da.distribution, 'normal') AS activity_distribution,
        COALESCE(df.distribution, 'normal') AS factor_distribution
    FROM emissions.emission_uncertainty AS u
    LEFT JOIN ledger.activity AS a
        ON u.figure_kind = 'activity_emission' AND a.activity_id = u.figure_id AND a.period_month = u.period_month
    LEFT JOIN factors.uncertainty_defaults AS da ON da.axis = 'activity' AND da.tier = u.activity_tier
    LEFT JOIN factors.uncertainty_defaults AS df ON df.axis = 'factor' AND df.tier = u.factor_tier
    WHERE u.period_month >= CAST($start AS DATE) AND u.period_month < CAST($end AS DATE)
      AND u.tco2e IS NOT NULL
),
cell_rows AS (
    SELECT
        'scope_summary' AS cell_kind, period_month, scope, scope3_category, method, basis,
        CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS account_id,
        CAST(NULL AS VARCHAR) AS region, CAST(NULL AS VARCHAR) AS service,
        tco2e, activity_tier, activity_u95, factor_u95, u95, activity_error_key, factor_error_key,
        activity_distribution, factor_distribution, figure_month
    FROM rated
    WHERE counts_in_inventory AND $uncertainty_period = 'month'
    UNION ALL
    SELECT
        'cloud_estimate' AS cell_kind, period_month, CAST(NULL AS INTEGER) AS scope,
        CAST(NULL AS INTEGER) AS scope3_category, method, basis, provider, account_id, region, service,
        tco2e, activity_tier, activity_u95, factor_u95, u95, activity_error_key, factor_error_key,
        activity_distribution, factor_distribution, figure_month
    FROM rated
    WHERE figure_kind = 'activity_emission' AND method = 'location' AND basis = 'estimated_usage'
      AND $uncertainty_period = 'month'
    UNION ALL
    SELECT
        'scope_total' AS cell_kind, period_month, scope, CAST(NULL AS INTEGER) AS scope3_category, method,
        'all' AS basis, CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS account_id,
        CAST(NULL AS VARCHAR) AS region, CAST(NULL AS VARCHAR) AS service,
        tco2e, activity_tier, activity_u95, factor_u95, u95, activity_error_key, factor_error_key,
        activity_distribution, factor_distribution, figure_month
    FROM rated
    WHERE counts_in_inventory AND $uncertainty_period = 'year'
    UNION ALL
    SELECT
        'inventory_total' AS cell_kind, period_month, CAST(NULL AS INTEGER) AS scope,
        CAST(NULL AS INTEGER) AS scope3_category, method, 'all' AS basis, CAST(NULL AS VARCHAR) AS provider,
        CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS region, CAST(NULL AS VARCHAR) AS service,
        tco2e, activity_tier, activity_u95, factor_u95, u95, activity_error_key, factor_error_key,
        activity_distribution, factor_distribution, figure_month
    FROM rated
    WHERE counts_in_inventory AND $uncertainty_period = 'year'
),
keyed AS (
    SELECT
        *,
        cell_kind || '|' || CAST(period_month AS VARCHAR) || '|' || COALESCE(CAST(scope AS VARCHAR), '') || '|'
            || COALESCE(CAST(scope3_category AS VARCHAR), '') || '|' || method || '|' || basis || '|'
            || COALESCE(provider, '') || '|' || COALESCE(account_id, '') || '|' || COALESCE(region, '') || '|'
            || COALESCE(service, '') AS cell_id
    FROM cell_rows
),
terms AS (
    SELECT cell_id, activity_error_key AS error_key, activity_distribution AS distribution, activity_u95 AS u95,
        tco2e
    FROM keyed
    UNION ALL
    SELECT cell_id, factor_error_key AS error_key, factor_distribution AS distribution, factor_u95 AS u95, tco2e
    FROM keyed
),
error_groups AS (
    SELECT
        cell_id, error_key,
        CAST(SUM(CAST(tco2e * u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width,
        MAX(CASE WHEN distribution = 'lognormal' THEN 1 ELSE 0 END) = 1 AS is_skewed
    FROM terms
    GROUP BY cell_id, error_key
),
spread AS (
    SELECT
        cell_id,
        sqrt(CAST(SUM(CAST(group_half_width * group_half_width AS DECIMAL(38, 15))) AS DOUBLE)) AS half_width,
        CAST(SUM(CAST(group_half_width AS DECIMAL(38, 15))) AS DOUBLE) AS sum_of_half_widths,
        sqrt(CAST(SUM(CAST(CASE WHEN is_skewed THEN 0 ELSE group_half_width * group_half_width END
            AS DECIMAL(38, 15))) AS DOUBLE)) / 1.96 AS normal_sd,
        MAX(CASE WHEN is_skewed THEN 1 ELSE 0 END) = 1 AS has_skewed
    FROM error_groups
    GROUP BY cell_id
),
totals AS (
    SELECT
        cell_id, cell_kind, period_month, scope, scope3_category, method, basis, provider, account_id, region,
        service,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        -- ESRS E1 "primary data": activity data measured or reported by the organisation or its supplier
        CAST(SUM(CAST(CASE WHEN activity_tier IN ('metered', 'invoiced', 'provider_reported') THEN tco2e ELSE 0 END
            AS DECIMAL(38, 15))) AS DOUBLE)
            / NULLIF(CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE), 0) AS primary_data_share,
        MAX(tco2e * u95) AS largest_component_half_width,
        COUNT(*) AS figures,
        COUNT(DISTINCT figure_month) AS months_covered
    FROM keyed
    GROUP BY cell_id, cell_kind, period_month, scope, scope3_category, method, basis, provider, account_id, region,
        service
),
-- the Monte Carlo, for cells with a skewed group only
skewed_terms AS (
    SELECT t.cell_id, t.error_key, t.distribution, t.u95, CAST(SUM(CAST(t.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM terms AS t
    JOIN error_groups AS g ON g.cell_id = t.cell_id AND g.error_key = t.error_key
    WHERE g.is_skewed
    GROUP BY t.cell_id, t.error_key, t.distribution, t.u95
),
draw_numbers AS (
    SELECT UNNEST(generate_series(1, $monte_carlo_draws)) AS draw
),
streams AS (
    SELECT DISTINCT error_key FROM skewed_terms
    UNION ALL
    SELECT '<normal groups>' AS error_key
),
hashed AS (
    SELECT s.error_key, d.draw, md5($monte_carlo_seed || ':' || s.error_key || ':' || CAST(d.draw AS VARCHAR)) AS h
    FROM streams AS s
    CROSS JOIN draw_numbers AS d
),
uniforms AS (
    -- two 28-bit integers from the hash's first 14 hex digits, as uniforms strictly inside (0, 1)
    SELECT
        error_key, draw,
        ((instr('0123456789abcdef', substr(h, 1, 1)) - 1) * 16777216.0
            + (instr('0123456789abcdef', substr(h, 2, 1)) - 1) * 1048576.0
            + (instr('0123456789abcdef', substr(h, 3, 1)) - 1) * 65536.0
            + (instr('0123456789abcdef', substr(h, 4, 1)) - 1) * 4096.0
            + (instr('0123456789abcdef', substr(h, 5, 1)) - 1) * 256.0
            + (instr('0123456789abcdef', substr(h, 6, 1)) - 1) * 16.0
            + (instr('0123456789abcdef', substr(h, 7, 1)) - 1) + 0.5) / 268435456.0 AS u1,
        ((instr('0123456789abcdef', substr(h, 8, 1)) - 1) * 16777216.0
            + (instr('0123456789abcdef', substr(h, 9, 1)) - 1) * 1048576.0
            + (instr('0123456789abcdef', substr(h, 10, 1)) - 1) * 65536.0
            + (instr('0123456789abcdef', substr(h, 11, 1)) - 1) * 4096.0
            + (instr('0123456789abcdef', substr(h, 12, 1)) - 1) * 256.0
            + (instr('0123456789abcdef', substr(h, 13, 1)) - 1) * 16.0
            + (instr('0123456789abcdef', substr(h, 14, 1)) - 1) + 0.5) / 268435456.0 AS u2
    FROM hashed
),
normals AS (
    SELECT error_key, draw, sqrt(-2 * ln(u1)) * cos(2 * pi() * u2) AS z
    FROM uniforms
),
skewed_deviations AS (
    SELECT
        t.cell_id, n.draw,
        CAST(SUM(CAST(t.tco2e * CASE
            WHEN t.distribution = 'lognormal'
                THEN exp(sqrt(ln(1 + (t.u95 / 1.96) * (t.u95 / 1.96))) * n.z
                    - ln(1 + (t.u95 / 1.96) * (t.u95 / 1.96)) / 2) - 1
            ELSE t.u95 / 1.96 * n.z
        END AS DECIMAL(38, 15))) AS DOUBLE) AS deviation
    FROM skewed_terms AS t
    JOIN normals AS n ON n.error_key = t.error_key
    GROUP BY t.cell_id, n.draw
),
simulated AS (
    SELECT
        d.cell_id,
        GREATEST(t.tco2e + d.deviation + s.normal_sd * n.z, 0) AS total
    FROM skewed_deviations AS d
    JOIN totals AS t ON t.cell_id = d.cell_id
    JOIN spread AS s ON s.cell_id = d.cell_id
    JOIN normals AS n ON n.error_key = '<normal groups>' AND n.draw = d.draw
),
percentiles AS (
    SELECT cell_id, quantile_cont(total, 0.025) AS p025, quantile_cont(total, 0.975) AS p975
    FROM simulated
    GROUP BY cell_id
)
SELECT
    t.period_month, t.cell_kind, t.scope, t.scope3_category, t.method, t.basis, t.provider, t.account_id,
    t.region, t.service, t.tco2e,
    CASE WHEN s.has_skewed THEN LEAST(p.p025, t.tco2e) ELSE GREATEST(t.tco2e - s.half_width, 0) END AS tco2e_low,
    CASE WHEN s.has_skewed THEN GREATEST(p.p975, t.tco2e) ELSE t.tco2e + s.half_width END AS tco2e_high,
    s.half_width,
    CASE WHEN s.has_skewed THEN 'monte_carlo' ELSE 'quadrature' END AS propagation,
    t.primary_data_share,
    t.largest_component_half_width,
    s.sum_of_half_widths,
    t.figures,
    t.months_covered
FROM totals AS t
JOIN spread AS s ON s.cell_id = t.cell_id
LEFT JOIN percentiles AS p ON p.cell_id = t.cell_id
