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
--     quantiles (linear interpolation, as quantile_cont), widened where needed to hold the figure itself.
-- Work grows with cells x draws (a month of a large bill has thousands of cloud estimates), memory does not:
-- a cell with at most four skewed terms computes each draw as one row in a fixed order (no aggregation),
-- others sum their terms per draw as DECIMAL (the same result whatever order DuckDB adds them in), and the
-- quantiles are found by counting draws into bins (below), never by holding a cell's draws at once.
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
cell_figures AS (
    -- the cells' figures grouped by everything the ranges read from them, in one pass: figures of one cell that
    -- share their error keys, distributions and u95 (a month's line items of one usage type, a year's twelve
    -- months) add up to one row here, so the cells' ids below are built for these groups rather than for every
    -- figure (building them per figure was most of the statement at a 100M-line month; docs/performance.md,
    -- Profile 41). The sums are DECIMAL, so adding them up again later gives exactly what adding the figures would.
    SELECT
        cell_kind, period_month, scope, scope3_category, method, basis, provider, account_id, region, service,
        figure_month, activity_error_key, activity_distribution, activity_u95, factor_error_key, factor_distribution,
        factor_u95,
        SUM(CAST(tco2e AS DECIMAL(38, 15))) AS tco2e,
        SUM(CAST(tco2e * activity_u95 AS DECIMAL(38, 15))) AS activity_half_width,
        SUM(CAST(tco2e * factor_u95 AS DECIMAL(38, 15))) AS factor_half_width,
        -- ESRS E1 "primary data": activity data measured or reported by the organisation or its supplier
        SUM(CAST(CASE WHEN activity_tier IN ('metered', 'invoiced', 'provider_reported') THEN tco2e ELSE 0 END
            AS DECIMAL(38, 15))) AS primary_tco2e,
        MAX(tco2e * u95) AS largest_component_half_width,
        COUNT(*) AS figures
    FROM cell_rows
    GROUP BY cell_kind, period_month, scope, scope3_category, method, basis, provider, account_id, region, service,
        figure_month, activity_error_key, activity_distribution, activity_u95, factor_error_key, factor_distribution,
        factor_u95
),
keyed AS (
    SELECT
        *,
        cell_kind || '|' || CAST(period_month AS VARCHAR) || '|' || COALESCE(CAST(scope AS VARCHAR), '') || '|'
            || COALESCE(CAST(scope3_category AS VARCHAR), '') || '|' || method || '|' || basis || '|'
            || COALESCE(provider, '') || '|' || COALESCE(account_id, '') || '|' || COALESCE(region, '') || '|'
            || COALESCE(service, '') AS cell_id
    FROM cell_figures
),
terms AS (
    SELECT cell_id, activity_error_key AS error_key, activity_distribution AS distribution, activity_u95 AS u95,
        tco2e, activity_half_width AS half_width
    FROM keyed
    UNION ALL
    SELECT cell_id, factor_error_key AS error_key, factor_distribution AS distribution, factor_u95 AS u95, tco2e,
        factor_half_width AS half_width
    FROM keyed
),
error_groups AS (
    SELECT
        cell_id, error_key,
        CAST(SUM(half_width) AS DOUBLE) AS group_half_width,
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
        CAST(SUM(tco2e) AS DOUBLE) AS tco2e,
        CAST(SUM(primary_tco2e) AS DOUBLE) / NULLIF(CAST(SUM(tco2e) AS DOUBLE), 0) AS primary_data_share,
        MAX(largest_component_half_width) AS largest_component_half_width,
        CAST(SUM(figures) AS BIGINT) AS figures,
        COUNT(DISTINCT figure_month) AS months_covered
    FROM keyed
    GROUP BY cell_id, cell_kind, period_month, scope, scope3_category, method, basis, provider, account_id, region,
        service
),
-- the Monte Carlo, for cells with a skewed group only
skewed_cells AS (
    SELECT cell_id, CAST(row_number() OVER (ORDER BY cell_id) AS INTEGER) AS cell_no
    FROM spread
    WHERE has_skewed
),
skewed_terms AS (
    SELECT c.cell_no, t.error_key, t.distribution, t.u95, CAST(SUM(t.tco2e) AS DOUBLE) AS tco2e
    FROM terms AS t
    JOIN error_groups AS g ON g.cell_id = t.cell_id AND g.error_key = t.error_key
    JOIN skewed_cells AS c ON c.cell_id = t.cell_id
    WHERE g.is_skewed
    GROUP BY c.cell_no, t.error_key, t.distribution, t.u95
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
skewed_cell_figures AS (
    -- scale: the width of the cell's range in a few hundred bins of 1 % (never 0, for the binning below)
    SELECT c.cell_no, t.tco2e, s.normal_sd, GREATEST(t.tco2e, s.half_width, 1e-12) AS scale
    FROM skewed_cells AS c
    JOIN totals AS t ON t.cell_id = c.cell_id
    JOIN spread AS s ON s.cell_id = c.cell_id
),
combos AS (
    SELECT error_key, distribution, u95, row_number() OVER (ORDER BY error_key, distribution, u95) AS combo_no
    FROM (SELECT DISTINCT error_key, distribution, u95 FROM skewed_terms) AS d
),
multipliers AS (
    SELECT
        c.combo_no, n.draw,
        CASE
            WHEN c.distribution = 'lognormal'
                THEN exp(sqrt(ln(1 + (c.u95 / 1.96) * (c.u95 / 1.96))) * n.z
                    - ln(1 + (c.u95 / 1.96) * (c.u95 / 1.96)) / 2) - 1
            ELSE c.u95 / 1.96 * n.z
        END AS m
    FROM combos AS c
    JOIN normals AS n ON n.error_key = c.error_key
),
slotted AS (
    SELECT
        t.cell_no, c.combo_no, t.tco2e,
        row_number() OVER (PARTITION BY t.cell_no ORDER BY c.combo_no) AS slot
    FROM skewed_terms AS t
    JOIN combos AS c ON c.error_key = t.error_key AND c.distribution = t.distribution AND c.u95 = t.u95
),
pivoted AS (
    -- cells with at most four skewed terms (a cloud estimate has one or two): one row per cell, a column pair
    -- per term, so each draw is one row computed in a fixed order, with no aggregation over draws
    SELECT
        cell_no,
        MAX(CASE WHEN slot = 1 THEN combo_no END) AS combo_1, MAX(CASE WHEN slot = 1 THEN tco2e END) AS tco2e_1,
        MAX(CASE WHEN slot = 2 THEN combo_no END) AS combo_2, MAX(CASE WHEN slot = 2 THEN tco2e END) AS tco2e_2,
        MAX(CASE WHEN slot = 3 THEN combo_no END) AS combo_3, MAX(CASE WHEN slot = 3 THEN tco2e END) AS tco2e_3,
        MAX(CASE WHEN slot = 4 THEN combo_no END) AS combo_4, MAX(CASE WHEN slot = 4 THEN tco2e END) AS tco2e_4
    FROM slotted
    GROUP BY cell_no
    HAVING MAX(slot) <= 4
),
normal_draws AS (
    SELECT draw, z FROM normals WHERE error_key = '<normal groups>'
),
signatures AS (
    -- the distinct sets of streams the few-term cells draw from (a month of a large bill: thousands of cells over
    -- a handful of streams), 0 for an empty slot, so that a cell's draws are found with one join on its set
    SELECT combo_1, combo_2, combo_3, combo_4,
        row_number() OVER (ORDER BY combo_1, combo_2, combo_3, combo_4) AS signature_no
    FROM (
        SELECT DISTINCT COALESCE(combo_1, 0) AS combo_1, COALESCE(combo_2, 0) AS combo_2,
            COALESCE(combo_3, 0) AS combo_3, COALESCE(combo_4, 0) AS combo_4
        FROM pivoted
    ) AS d
),
signature_draws AS MATERIALIZED (
    -- each set's multipliers and normal deviate per draw, joined once per set rather than once per cell: written
    -- as joins from each cell to its multipliers, DuckDB joined every draw of every cell four times (42 million
    -- rows each at a 1M-line month; Profile 40). MATERIALIZED keeps DuckDB from moving the cells' join first.
    SELECT s.signature_no, m1.draw, m1.m AS m_1, m2.m AS m_2, m3.m AS m_3, m4.m AS m_4, z.z
    FROM signatures AS s
    JOIN multipliers AS m1 ON m1.combo_no = s.combo_1
    LEFT JOIN multipliers AS m2 ON m2.combo_no = s.combo_2 AND m2.draw = m1.draw
    LEFT JOIN multipliers AS m3 ON m3.combo_no = s.combo_3 AND m3.draw = m1.draw
    LEFT JOIN multipliers AS m4 ON m4.combo_no = s.combo_4 AND m4.draw = m1.draw
    JOIN normal_draws AS z ON z.draw = m1.draw
),
few_term_draws AS (
    SELECT
        p.cell_no, f.scale,
        GREATEST(f.tco2e + p.tco2e_1 * d.m_1 + COALESCE(p.tco2e_2 * d.m_2, 0) + COALESCE(p.tco2e_3 * d.m_3, 0)
            + COALESCE(p.tco2e_4 * d.m_4, 0) + f.normal_sd * d.z, 0) AS total
    FROM pivoted AS p
    JOIN skewed_cell_figures AS f ON f.cell_no = p.cell_no
    JOIN signatures AS s
        ON s.combo_1 = COALESCE(p.combo_1, 0) AND s.combo_2 = COALESCE(p.combo_2, 0)
        AND s.combo_3 = COALESCE(p.combo_3, 0) AND s.combo_4 = COALESCE(p.combo_4, 0)
    JOIN signature_draws AS d ON d.signature_no = s.signature_no
),
many_term_cells AS (
    SELECT cell_no FROM slotted GROUP BY cell_no HAVING MAX(slot) > 4
),
many_term_draws AS (
    -- cells with more skewed terms (a scope total over many spend-based factors): summed per draw, as
    -- DECIMAL so the result does not depend on the order DuckDB adds them in. The cells are chosen before the
    -- draws are joined: filtered after (NOT IN pivoted), every few-term cell's terms were joined with every draw
    -- first, 72 million rows for nothing at a 10M-line month (docs/performance.md, Profile 34)
    SELECT
        s.cell_no, f.scale,
        GREATEST(f.tco2e + CAST(SUM(CAST(s.tco2e * m.m AS DECIMAL(38, 15))) AS DOUBLE) + f.normal_sd * z.z, 0)
            AS total
    FROM slotted AS s
    JOIN many_term_cells AS c ON c.cell_no = s.cell_no
    JOIN skewed_cell_figures AS f ON f.cell_no = s.cell_no
    JOIN multipliers AS m ON m.combo_no = s.combo_no
    JOIN normal_draws AS z ON z.draw = m.draw
    GROUP BY s.cell_no, m.draw, f.tco2e, f.normal_sd, f.scale, z.z
),
simulated AS (
    -- each draw with its bin of 1 % of its cell's scale (the quantiles below)
    SELECT cell_no, total, CAST(LEAST(floor(total / scale * 100), 2000000000) AS INTEGER) AS bin
    FROM (
        SELECT cell_no, scale, total FROM few_term_draws
        UNION ALL
        SELECT cell_no, scale, total FROM many_term_draws
    ) AS draws
),
-- The 2.5 % and 97.5 % quantiles as quantile_cont defines them (0-based position q x (draws - 1) in the sorted
-- draws, linear between its two neighbours), exactly, without holding a cell's draws in memory: each draw is
-- counted into a bin of 1 % of its cell's scale, a running count over the bins finds the bin that holds each
-- wanted position, and only the draws of those few bins are ranked. Counting and ranking spill to disk, so a
-- month of thousands of cells needs no more memory than one of ten.
positions AS (
    SELECT
        low_at, high_at,
        CAST(floor(low_at) AS BIGINT) AS low_below, CAST(ceil(low_at) AS BIGINT) AS low_above,
        CAST(floor(high_at) AS BIGINT) AS high_below, CAST(ceil(high_at) AS BIGINT) AS high_above
    FROM (
        SELECT 0.025 * ($monte_carlo_draws - 1) AS low_at, 0.975 * ($monte_carlo_draws - 1) AS high_at
    ) AS q
),
-- simulated is read twice (counted, then the wanted bins ranked): DuckDB computes it once and buffers it, 16 bytes
-- a draw (an INTEGER cell number and bin, the DOUBLE total), spilling under its memory limit. Each draw's bin is
-- computed where the draw is, beside its cell's scale: binning it in a later CTE joined every draw with its cell
-- again on each of the two reads (docs/performance.md, Profile 40). The bin is capped at 2e9 to fit an INTEGER: a
-- cap keeps bins in the order of their totals, and only that order is used (a draw 20 million times its cell's
-- scale would need a u95 of some 100,000 %).
bin_counts AS (
    SELECT cell_no, bin, COUNT(*) AS draws_in_bin
    FROM simulated
    GROUP BY cell_no, bin
),
running AS (
    SELECT
        cell_no, bin,
        SUM(draws_in_bin) OVER (PARTITION BY cell_no ORDER BY bin ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            - draws_in_bin AS draws_below,
        draws_in_bin
    FROM bin_counts
),
wanted_bins AS (
    SELECT DISTINCT r.cell_no, r.bin, r.draws_below
    FROM running AS r
    CROSS JOIN positions AS p
    WHERE (p.low_below >= r.draws_below AND p.low_below < r.draws_below + r.draws_in_bin)
       OR (p.low_above >= r.draws_below AND p.low_above < r.draws_below + r.draws_in_bin)
       OR (p.high_below >= r.draws_below AND p.high_below < r.draws_below + r.draws_in_bin)
       OR (p.high_above >= r.draws_below AND p.high_above < r.draws_below + r.draws_in_bin)
),
ranked AS (
    SELECT
        b.cell_no, b.total,
        w.draws_below + row_number() OVER (PARTITION BY b.cell_no, b.bin ORDER BY b.total) - 1 AS k
    FROM simulated AS b
    JOIN wanted_bins AS w ON w.cell_no = b.cell_no AND w.bin = b.bin
),
percentiles AS (
    SELECT
        c.cell_id,
        MAX(CASE WHEN r.k = p.low_below THEN r.total END)
            + (MAX(CASE WHEN r.k = p.low_above THEN r.total END) - MAX(CASE WHEN r.k = p.low_below THEN r.total END))
            * MAX(p.low_at - p.low_below) AS p025,
        MAX(CASE WHEN r.k = p.high_below THEN r.total END)
            + (MAX(CASE WHEN r.k = p.high_above THEN r.total END) - MAX(CASE WHEN r.k = p.high_below THEN r.total END))
            * MAX(p.high_at - p.high_below) AS p975
    FROM ranked AS r
    CROSS JOIN positions AS p
    JOIN skewed_cells AS c ON c.cell_no = r.cell_no
    GROUP BY c.cell_id
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
