-- Own operations (the activity files: electricity, fuel, vehicle distance, travel, spend) x factors ->
-- emissions, one location and one market row per activity. Runs after emissions/activity_emissions.sql
-- in the same transaction, so the cloud figures of the months are there to decide the spend exclusion.
--
-- As-of factor resolution (docs/activity_templates.md#how-a-factor-is-chosen), per activity, among the
-- factors of its item whose unit its quantity converts to (factors.unit_conversions, or the same unit):
--   1. geography: its own, then its parents (factors.geography_parents, nearest first), then `global`;
--   2. boundary: the one the activity wants (spend: supply_chain; else direct, then lifecycle);
--   3. date: a factor whose valid_from..valid_to holds the activity month or (none does) whose data year
--      is the activity's, a holding validity period first; else the newest older data year; else (nothing
--      that old) the oldest newer one;
--   4. then the newest data year, then factor id (deterministic).
-- What fell back is recorded on the row: factor_resolution (exact | parent_geography | global_average,
-- + older_year | newer_year) and factor_fallback in words.
-- Market-based electricity: certificates -> supplier -> residual mix -> location, recorded per row.
-- Spend with a cloud provider whose emissions the inventory already has (reported or usage-estimated
-- for that month) is kept, flagged and counts 0 (checks/spend_excluded_providers.sql reports it).
WITH RECURSIVE act AS (
    SELECT
        a.*,
        year(a.period_month) AS activity_year,
        CASE WHEN a.estimation_class = 'spend' THEN 'supply_chain' ELSE 'direct' END AS wanted_boundary
    FROM ledger.activity AS a
    WHERE a.period_month >= CAST($start AS DATE) AND a.period_month < CAST($end AS DATE)
      AND a.source_kind = 'activity_csv'
),
chain(activity_id, geography, level) AS (
    SELECT activity_id, geography, 0 FROM act WHERE geography IS NOT NULL
    UNION ALL
    SELECT c.activity_id, p.parent, c.level + 1
    FROM chain AS c
    JOIN factors.geography_parents AS p ON p.child = c.geography
    WHERE c.level < 6
),
geo_levels AS (
    SELECT activity_id, geography, MIN(level) AS level FROM (
        SELECT activity_id, geography, level FROM chain
        UNION ALL
        SELECT activity_id, 'global', 99 FROM act
    )
    GROUP BY ALL
),
-- an activity quantity in a factor's unit: the same unit, or one row of the conversion table; spend is
-- money: US dollars as they are, another currency through the year's exchange rate (factors.exchange_rates)
rates AS (
    SELECT
        a.activity_id,
        x.units_per_usd,
        x.year AS rate_year,
        ROW_NUMBER() OVER (PARTITION BY a.activity_id ORDER BY x.year DESC) AS pick
    FROM act AS a
    JOIN factors.exchange_rates AS x
        ON upper(x.currency) = a.currency AND x.year <= a.activity_year
    WHERE a.estimation_class = 'spend' AND a.currency <> 'USD'
),
candidates AS (
    SELECT
        a.activity_id,
        f.factor_id, f.value, f.unit, f.activity_unit, f.boundary, f.data_year, f.geography, f.valid_from, f.valid_to,
        g.level AS geo_level,
        CASE
            WHEN a.estimation_class = 'spend' THEN CASE WHEN f.activity_unit = 'usd' THEN 1.0 END
            WHEN f.activity_unit = a.unit THEN 1.0
            -- a row of the table, or the reciprocal of the row for the other direction (km -> mile serves mile -> km)
            ELSE COALESCE(conv.multiplier, 1 / inv.multiplier)
        END AS to_factor_unit,
        -- 0: its validity period holds the activity month, or (no period that does) its data year is the
        -- activity's; 1: an older data year; 2: a newer one. window_rank: a holding period first.
        CASE
            WHEN (f.valid_from IS NOT NULL OR f.valid_to IS NOT NULL)
                 AND a.period_month >= COALESCE(f.valid_from, DATE '0001-01-01')
                 AND a.period_month <= COALESCE(f.valid_to, DATE '9999-12-31') THEN 0
            WHEN f.data_year = a.activity_year THEN 0
            WHEN f.data_year < a.activity_year THEN 1
            ELSE 2
        END AS time_class,
        CASE
            WHEN (f.valid_from IS NOT NULL OR f.valid_to IS NOT NULL)
                 AND a.period_month >= COALESCE(f.valid_from, DATE '0001-01-01')
                 AND a.period_month <= COALESCE(f.valid_to, DATE '9999-12-31') THEN 0
            ELSE 1
        END AS window_rank,
        CASE
            WHEN f.boundary = a.wanted_boundary THEN 0
            WHEN f.boundary = 'direct' THEN 1
            WHEN f.boundary = 'lifecycle' THEN 2
            ELSE 3
        END AS boundary_rank
    FROM act AS a
    JOIN geo_levels AS g ON g.activity_id = a.activity_id
    JOIN factors.emission_factors AS f ON f.item = a.category AND f.geography = g.geography
    LEFT JOIN factors.unit_conversions AS conv ON conv.from_unit = a.unit AND conv.to_unit = f.activity_unit
    LEFT JOIN factors.unit_conversions AS inv ON inv.from_unit = f.activity_unit AND inv.to_unit = a.unit
),
ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (
            PARTITION BY activity_id
            ORDER BY CASE WHEN to_factor_unit IS NULL THEN 1 ELSE 0 END, geo_level, boundary_rank, time_class,
                window_rank, CASE WHEN time_class = 2 THEN data_year ELSE -data_year END, factor_id
        ) AS pick
    FROM candidates
),
-- supplier-specific and residual-mix factors for market-based electricity, by the same date rule
market_candidates AS (
    SELECT
        a.activity_id,
        f.item, f.factor_id, f.value, f.boundary, f.data_year, f.geography,
        -- 0: its validity period holds the activity month, or (no period that does) its data year is the
        -- activity's; 1: an older data year; 2: a newer one. window_rank: a holding period first.
        CASE
            WHEN (f.valid_from IS NOT NULL OR f.valid_to IS NOT NULL)
                 AND a.period_month >= COALESCE(f.valid_from, DATE '0001-01-01')
                 AND a.period_month <= COALESCE(f.valid_to, DATE '9999-12-31') THEN 0
            WHEN f.data_year = a.activity_year THEN 0
            WHEN f.data_year < a.activity_year THEN 1
            ELSE 2
        END AS time_class,
        CASE
            WHEN (f.valid_from IS NOT NULL OR f.valid_to IS NOT NULL)
                 AND a.period_month >= COALESCE(f.valid_from, DATE '0001-01-01')
                 AND a.period_month <= COALESCE(f.valid_to, DATE '9999-12-31') THEN 0
            ELSE 1
        END AS window_rank,
        COALESCE(g.level, 0) AS geo_level
    FROM act AS a
    LEFT JOIN geo_levels AS g ON g.activity_id = a.activity_id AND g.geography <> 'global'
    JOIN factors.emission_factors AS f
        ON f.activity_unit = 'kwh' AND (
            (f.item = 'electricity_supplier' AND f.geography = 'supplier:' || a.supplier AND g.level = 0)
            OR (f.item = 'electricity_residual_mix' AND f.geography = g.geography)
        )
    WHERE a.estimation_class = 'electricity'
),
market_ranked AS (
    SELECT
        *,
        ROW_NUMBER() OVER (
            PARTITION BY activity_id, item
            ORDER BY geo_level, time_class, window_rank, CASE WHEN time_class = 2 THEN data_year ELSE -data_year END,
                factor_id
        ) AS pick
    FROM market_candidates
),
-- certificates the user brought (factors.certificates) for a site: each certificate's kWh spread over the
-- months of its period by days, then over the site's rows of the month by kWh
certificate_months AS (
    SELECT
        c.site,
        CAST(m.month AS DATE) AS period_month,
        string_agg(c.certificate_id || ' (' || COALESCE(c.instrument, 'certificate') || ')', ', '
            ORDER BY c.certificate_id) AS certificate_ids,
        SUM(c.kwh
            * (date_diff('day', GREATEST(c.period_start, CAST(m.month AS DATE)),
                         LEAST(c.period_end, CAST(m.month + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE))) + 1)
            / (date_diff('day', c.period_start, c.period_end) + 1)) AS kwh
    FROM factors.certificates AS c
    CROSS JOIN LATERAL (
        SELECT unnest(generate_series(date_trunc('month', c.period_start), date_trunc('month', c.period_end),
                                      INTERVAL 1 MONTH)) AS month
    ) AS m
    WHERE c.period_end >= c.period_start
    GROUP BY ALL
),
site_kwh AS (
    SELECT site, period_month, SUM(quantity) AS kwh FROM act WHERE estimation_class = 'electricity' GROUP BY ALL
),
-- which cloud providers the inventory already has emissions for, per month: the provider's reported
-- figures (the selected model version) or its usage estimate from billing (emissions/activity_emissions.sql)
provider_covered AS (
    SELECT period_month, provider, MIN(how) AS how FROM (
        SELECT period_month, provider, 'reported' AS how
        FROM ledger.provider_emissions
        WHERE is_selected AND (location_tco2e IS NOT NULL OR market_tco2e IS NOT NULL)
          AND period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
        UNION ALL
        SELECT e.period_month, l.provider, 'zestimated'
        FROM emissions.activity_emissions AS e
        JOIN ledger.activity AS l ON l.activity_id = e.activity_id AND l.period_month = e.period_month
        WHERE l.activity_type = 'cloud_usage' AND e.tco2e IS NOT NULL
          AND e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
    )
    GROUP BY ALL
),
price_index AS (
    SELECT year, value FROM factors.price_indices
    WHERE index_name = (SELECT MIN(index_name) FROM factors.price_indices)
),
resolved AS (
    SELECT
        a.*,
        f.factor_id, f.value AS factor_value, f.unit AS factor_unit, f.activity_unit AS factor_activity_unit,
        f.boundary AS factor_boundary, f.data_year AS factor_data_year, f.geography AS factor_geography,
        f.to_factor_unit, f.time_class, f.geo_level,
        CASE
            WHEN f.factor_id IS NULL THEN NULL
            WHEN f.geo_level = 0 AND f.time_class = 0 THEN 'exact'
            ELSE concat_ws('+',
                CASE WHEN f.geo_level > 0 AND f.geography = 'global' THEN 'global_average'
                     WHEN f.geo_level > 0 THEN 'parent_geography' END,
                CASE f.time_class WHEN 1 THEN 'older_year' WHEN 2 THEN 'newer_year' END)
        END AS location_resolution,
        concat_ws('; ',
            CASE WHEN f.geo_level > 0 THEN 'geography ' || a.geography || ' has no factor: ' || f.geography END,
            CASE WHEN f.boundary <> a.wanted_boundary AND a.estimation_class <> 'electricity'
                THEN 'boundary ' || f.boundary || ' (no ' || a.wanted_boundary || ' factor)' END,
            CASE f.time_class
                WHEN 1 THEN 'data year ' || f.data_year || ' for a ' || a.activity_year || ' activity (newest not after it)'
                WHEN 2 THEN 'data year ' || f.data_year || ' for a ' || a.activity_year
                    || ' activity (no factor for that year or earlier)' END,
            CASE WHEN a.estimation_class = 'spend' AND a.currency <> 'USD' AND r.rate_year <> a.activity_year
                THEN 'exchange rate of ' || r.rate_year || ' for ' || a.activity_year END,
            CASE WHEN a.estimation_class = 'spend' AND f.factor_id IS NOT NULL AND f.data_year <> a.activity_year
                THEN CASE WHEN pa.value IS NOT NULL AND pf.value IS NOT NULL
                    THEN 'spend deflated from ' || a.activity_year || ' to ' || f.data_year || ' dollars'
                    ELSE 'spend in ' || a.activity_year || ' dollars, factor in ' || f.data_year
                        || ' dollars: not deflated (no price index)' END END
        ) AS location_fallback_text,
        -- spend in the factor's currency unit (US dollars of its year where a price index allows)
        CASE
            WHEN a.estimation_class <> 'spend' THEN NULL
            WHEN a.currency = 'USD' THEN a.quantity
            ELSE a.quantity / r.units_per_usd
        END * COALESCE(pf.value / pa.value, 1) AS spend_usd,
        a.estimation_class = 'spend' AND a.currency <> 'USD' AND r.units_per_usd IS NULL AS no_rate,
        pc.how AS provider_how,
        -- market-based electricity inputs
        LEAST(a.quantity, COALESCE(a.certificate_kwh, 0)
            + COALESCE(cm.kwh * a.quantity / NULLIF(sk.kwh, 0), 0)) AS covered_kwh,
        cm.certificate_ids,
        cm.kwh * a.quantity / NULLIF(sk.kwh, 0) AS library_certificate_kwh,
        s.factor_id AS supplier_factor_id, s.value AS supplier_value, s.data_year AS supplier_year,
        s.time_class AS supplier_time_class,
        rm.factor_id AS residual_factor_id, rm.value AS residual_value, rm.data_year AS residual_year,
        rm.boundary AS residual_boundary, rm.geography AS residual_geography, rm.time_class AS residual_time_class
    FROM act AS a
    LEFT JOIN ranked AS f ON f.activity_id = a.activity_id AND f.pick = 1
    LEFT JOIN rates AS r ON r.activity_id = a.activity_id AND r.pick = 1
    LEFT JOIN price_index AS pa ON a.estimation_class = 'spend' AND pa.year = a.activity_year
    LEFT JOIN price_index AS pf ON a.estimation_class = 'spend' AND pf.year = f.data_year
    LEFT JOIN provider_covered AS pc
        ON a.estimation_class = 'spend' AND pc.period_month = a.period_month AND pc.provider = a.provider
    LEFT JOIN certificate_months AS cm
        ON a.estimation_class = 'electricity' AND cm.site = a.site AND cm.period_month = a.period_month
    LEFT JOIN site_kwh AS sk ON a.estimation_class = 'electricity' AND sk.site = a.site
        AND sk.period_month = a.period_month
    LEFT JOIN market_ranked AS s ON s.activity_id = a.activity_id AND s.item = 'electricity_supplier' AND s.pick = 1
    LEFT JOIN market_ranked AS rm
        ON rm.activity_id = a.activity_id AND rm.item = 'electricity_residual_mix' AND rm.pick = 1
),
location_based AS (
    SELECT
        activity_id, period_month, 'location' AS method,
        CASE WHEN estimation_class = 'spend' THEN 'estimated_spend' ELSE 'activity' END AS basis,
        scope, scope3_category,
        CASE WHEN estimation_class = 'electricity' THEN quantity END AS energy_kwh,
        factor_id, factor_value, factor_unit, factor_boundary, factor_data_year,
        location_resolution AS factor_resolution,
        NULLIF(location_fallback_text, '') AS factor_fallback,
        CASE
            WHEN estimation_class = 'spend' AND provider_how IS NOT NULL THEN
                'excluded: ' || supplier || ' is ' || provider || ', whose emissions for the month are counted from its '
                || CASE WHEN provider_how = 'reported' THEN 'reported figures' ELSE 'usage estimate' END
            WHEN estimation_class = 'spend' THEN
                'amount ' || CASE WHEN currency = 'USD' THEN '' ELSE '/ units_per_usd ' END
                || 'x factor_kgco2e_per_usd / 1000'
            WHEN estimation_class = 'electricity' THEN '(kwh) x factor_kgco2e_per_kwh / 1000'
            ELSE 'quantity (' || unit || ') x unit_conversion x factor_kgco2e_per_unit / 1000'
        END AS formula,
        CASE
            WHEN flag = 'unknown_unit' THEN NULL
            WHEN estimation_class = 'spend' AND (provider_how IS NOT NULL OR no_rate) THEN NULL
            WHEN estimation_class = 'spend' THEN spend_usd * factor_value / 1000
            ELSE quantity * to_factor_unit * factor_value / 1000
        END AS tco2e,
        CASE
            WHEN flag IS NOT NULL THEN flag
            WHEN estimation_class = 'spend' AND provider_how = 'reported' THEN 'excluded_provider_reported'
            WHEN estimation_class = 'spend' AND provider_how IS NOT NULL THEN 'excluded_provider_estimated'
            WHEN no_rate THEN 'no_exchange_rate'
            WHEN factor_id IS NULL THEN 'no_factor'
            WHEN to_factor_unit IS NULL THEN 'unit_not_convertible'
        END AS flag,
        CAST(NULL AS DOUBLE) AS embodied_tco2e
    FROM resolved
),
-- Market-based: electricity follows certificates -> supplier -> residual mix -> location; the part of a
-- row's kWh that certificates cover counts 0, the rest takes the first factor the row has. Fuel, vehicles,
-- travel and spend do not depend on the method: the location row's figure appears under both.
market_based AS (
    SELECT
        r.activity_id, r.period_month, 'market' AS method, l.basis, r.scope, r.scope3_category,
        l.energy_kwh,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN r.factor_id
            WHEN r.supplier_kgco2e_per_kwh IS NOT NULL
                THEN 'supplier:' || r.source_id || ':' || COALESCE(r.site, '') || ':' || CAST(r.activity_year AS VARCHAR)
            WHEN r.supplier_factor_id IS NOT NULL THEN r.supplier_factor_id
            WHEN r.residual_factor_id IS NOT NULL THEN r.residual_factor_id
            ELSE r.factor_id
        END AS factor_id,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN r.factor_value
            ELSE COALESCE(r.supplier_kgco2e_per_kwh, r.supplier_value, r.residual_value, r.factor_value)
        END AS factor_value,
        CASE WHEN r.estimation_class = 'electricity' THEN 'kgCO2e/kwh' ELSE r.factor_unit END AS factor_unit,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN r.factor_boundary
            WHEN r.supplier_kgco2e_per_kwh IS NOT NULL OR r.supplier_factor_id IS NOT NULL THEN 'supplier'
            WHEN r.residual_factor_id IS NOT NULL THEN r.residual_boundary
            ELSE r.factor_boundary
        END AS factor_boundary,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN r.factor_data_year
            -- a supplier factor given on the activity row is that month's own figure
            WHEN r.supplier_kgco2e_per_kwh IS NOT NULL THEN r.activity_year
            ELSE COALESCE(r.supplier_year, r.residual_year, r.factor_data_year)
        END AS factor_data_year,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN l.factor_resolution
            ELSE CASE WHEN r.covered_kwh > 0 THEN 'certificates+' ELSE '' END
                || CASE
                    WHEN r.supplier_kgco2e_per_kwh IS NOT NULL OR r.supplier_factor_id IS NOT NULL THEN 'supplier'
                    WHEN r.residual_factor_id IS NOT NULL THEN 'residual_mix'
                    ELSE 'location_fallback' END
        END AS factor_resolution,
        CASE
            WHEN r.estimation_class <> 'electricity' THEN l.factor_fallback
            ELSE NULLIF(concat_ws('; ',
                CASE
                    WHEN r.supplier_kgco2e_per_kwh IS NOT NULL OR r.supplier_factor_id IS NOT NULL THEN NULL
                    WHEN r.residual_factor_id IS NOT NULL THEN CASE WHEN r.supplier IS NOT NULL
                        THEN 'no supplier factor for ' || r.supplier END
                    ELSE 'no supplier or residual-mix factor: location factor'
                END,
                CASE
                    WHEN r.supplier_kgco2e_per_kwh IS NULL AND r.supplier_factor_id IS NOT NULL
                        AND r.supplier_time_class <> 0
                        THEN 'supplier factor of ' || r.supplier_year || ' for ' || r.activity_year
                    WHEN r.supplier_kgco2e_per_kwh IS NULL AND r.supplier_factor_id IS NULL
                        AND r.residual_factor_id IS NOT NULL AND r.residual_geography <> r.geography
                        THEN 'residual mix of ' || r.residual_geography || ' for ' || r.geography
                END,
                CASE
                    WHEN r.supplier_kgco2e_per_kwh IS NULL AND r.supplier_factor_id IS NULL
                        AND r.residual_factor_id IS NOT NULL AND r.residual_time_class <> 0
                        THEN 'residual mix of ' || r.residual_year || ' for ' || r.activity_year
                    WHEN r.supplier_kgco2e_per_kwh IS NULL AND r.supplier_factor_id IS NULL
                        AND r.residual_factor_id IS NULL THEN l.factor_fallback
                END
            ), '')
        END AS factor_fallback,
        CASE
            WHEN r.estimation_class = 'electricity' THEN
                '(kwh - certificate_kwh ' || round(COALESCE(r.covered_kwh, 0), 3)
                || CASE WHEN r.certificate_ids IS NOT NULL
                    THEN ' [row ' || COALESCE(r.certificate_kwh, 0) || ' + ' || r.certificate_ids || ' '
                        || round(r.library_certificate_kwh, 3) || ']' ELSE '' END
                || ') x ' || CASE
                    WHEN r.supplier_kgco2e_per_kwh IS NOT NULL THEN 'supplier_kgco2e_per_kwh (row)'
                    WHEN r.supplier_factor_id IS NOT NULL THEN 'supplier factor'
                    WHEN r.residual_factor_id IS NOT NULL THEN 'residual-mix factor'
                    ELSE 'location factor' END || ' / 1000'
            ELSE l.formula
        END AS formula,
        CASE
            WHEN r.estimation_class = 'electricity' AND r.covered_kwh >= r.quantity THEN 0.0
            WHEN r.estimation_class = 'electricity' THEN
                (r.quantity - r.covered_kwh)
                * COALESCE(r.supplier_kgco2e_per_kwh, r.supplier_value, r.residual_value, r.factor_value) / 1000
            ELSE l.tco2e
        END AS tco2e,
        CASE
            WHEN r.estimation_class = 'electricity' AND r.flag IS NULL
                 AND COALESCE(r.supplier_kgco2e_per_kwh, r.supplier_value, r.residual_value, r.factor_value) IS NULL
                 AND r.covered_kwh < r.quantity
                THEN 'no_factor'
            WHEN r.estimation_class = 'electricity' AND r.flag IS NULL
                 AND COALESCE(r.supplier_kgco2e_per_kwh, r.supplier_value, r.residual_value, r.factor_value) IS NULL
                THEN NULL
            ELSE l.flag
        END AS flag,
        l.embodied_tco2e
    FROM resolved AS r
    JOIN location_based AS l ON l.activity_id = r.activity_id
)
SELECT * FROM location_based
UNION ALL
SELECT * FROM market_based
