-- Data quality and uncertainty per figure (issue 17, docs/uncertainty.md): one row per emission row of
-- emissions.activity_emissions (same activity_id, period_month, method) and per selected provider-reported
-- figure and method. Nothing new is measured: the two tiers are read from what the emission row already
-- records (factor_resolution, flag, basis, the ledger's activity type), each tier's default relative
-- uncertainty from factors.uncertainty_defaults (with its source), replaced by settings.uncertainty where
-- the sources file gives one ($uncertainty_overrides, ';tier=value;...').
--
-- Each row also names its two error groups: rows sharing an activity_error_key share one activity error
-- (every usage-estimated cloud row rests on the same utilisation assumption), rows sharing a
-- factor_error_key share one factor error (the same factor applied to many rows is one error, not many).
-- The marts sum within a group first and add the groups in quadrature.
WITH coef AS (
    SELECT
        MAX(CASE WHEN coefficient = 'min_watts_per_vcpu' THEN value END) AS min_w,
        MAX(CASE WHEN coefficient = 'max_watts_per_vcpu' THEN value END) AS max_w
    FROM factors.cloud_usage_coefficients
    WHERE profile = $coefficient_profile
),
tiers AS (
    SELECT
        d.tier,
        CAST(NULLIF(regexp_extract($uncertainty_overrides, ';' || d.tier || '=([0-9.]+);', 1), '') AS DOUBLE)
            AS override_u95,
        COALESCE(
            CAST(NULLIF(regexp_extract($uncertainty_overrides, ';' || d.tier || '=([0-9.]+);', 1), '') AS DOUBLE),
            d.u95_relative,
            CASE WHEN d.derivation = 'min_max_watts' THEN (c.max_w - c.min_w) / (c.max_w + c.min_w) END
        ) AS u95,
        d.source
    FROM factors.uncertainty_defaults AS d
    CROSS JOIN coef AS c
),
activity_rows AS (
    SELECT
        e.activity_id AS figure_id,
        e.period_month,
        e.method,
        'activity_emission' AS figure_kind,
        -- the inventory's reading (marts/scope_summary.sql): cloud rows are estimated_usage in the cloud scope
        CASE WHEN a.activity_type = 'cloud_usage' THEN 'estimated_usage' ELSE e.basis END AS basis,
        CASE
            WHEN a.activity_type <> 'cloud_usage' THEN e.scope
            WHEN $cloud_scope_policy = 'scope2_framing' THEN 2
            ELSE 3
        END AS scope,
        CASE
            WHEN a.activity_type <> 'cloud_usage' THEN e.scope3_category
            WHEN $cloud_scope_policy = 'scope2_framing' THEN NULL
            ELSE 1
        END AS scope3_category,
        a.provider,
        CASE
            WHEN a.activity_type = 'cloud_usage'
                THEN COALESCE(a.provider, '?') || ' ' || COALESCE(a.service, '?') || ' ' || COALESCE(a.region, '?')
                    || ' (' || a.estimation_class || ')'
            ELSE a.activity_type || ' ' || COALESCE(a.category, '') || ' '
                || COALESCE(a.site, a.geography, a.supplier, '')
        END AS activity_label,
        a.activity_type = 'cloud_usage' AS is_cloud,
        e.tco2e,
        e.factor_id,
        e.factor_resolution,
        e.flag,
        CASE
            WHEN e.factor_resolution = 'spend_fallback' OR e.basis = 'estimated_spend' THEN 'spend_based'
            WHEN e.flag = 'estimated_from_cost' THEN 'cost_estimated'
            WHEN a.activity_type = 'cloud_usage' THEN 'usage_estimated'
            -- electricity's optional `reading` column: a meter read, or the utility's estimated bill (its kWh
            -- projected from the site's past consumption: a profiled quantity, not a read)
            WHEN a.reading = 'meter' THEN 'metered'
            WHEN a.reading = 'estimate' THEN 'profiled'
            -- otherwise (`invoice`, or not said) a row of an activity file is an invoiced quantity
            ELSE 'invoiced'
        END AS activity_tier,
        CASE
            WHEN e.factor_resolution IS NULL THEN NULL
            WHEN e.factor_resolution = 'spend_fallback' OR e.basis = 'estimated_spend' THEN 'eeio_sector'
            WHEN e.factor_resolution = 'ccf_region' THEN 'ccf_coefficient'
            WHEN e.factor_resolution = 'ccf_unknown_region_average' THEN 'global_average'
            -- market electricity: certificates+ prefixes the factor that covers the rest of the kWh
            WHEN e.factor_resolution LIKE '%supplier%' THEN 'supplier'
            WHEN e.factor_resolution LIKE '%residual_mix%' THEN 'residual_mix'
            WHEN e.factor_resolution LIKE '%location_fallback%' THEN 'location_fallback'
            -- own operations: geography + year fallbacks, the worse one sets the tier
            WHEN e.factor_resolution LIKE '%global_average%' THEN 'global_average'
            WHEN e.factor_resolution LIKE '%parent_geography%' THEN 'parent_geography'
            WHEN e.factor_resolution LIKE '%older_year%' OR e.factor_resolution LIKE '%newer_year%' THEN 'older_year'
            WHEN e.factor_resolution = 'exact' THEN 'exact_current'
            ELSE 'unrecognised:' || e.factor_resolution
        END AS factor_tier,
        CASE
            WHEN e.flag = 'estimated_from_cost' OR (a.activity_type = 'cloud_usage'
                AND e.factor_resolution IS DISTINCT FROM 'spend_fallback')
                THEN 'usage_model:' || $coefficient_profile
            ELSE 'row:' || e.activity_id || ':' || CAST(e.period_month AS VARCHAR)
        END AS activity_error_key,
        -- never NULL: a row without a factor is its own group, so every row is in exactly one factor group
        COALESCE('factor:' || e.factor_id, 'no_factor:' || e.activity_id || ':' || CAST(e.period_month AS VARCHAR))
            AS factor_error_key
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
),
provider_figures AS (
    SELECT *, 'location' AS method, location_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND location_tco2e IS NOT NULL
    UNION ALL
    SELECT *, 'market' AS method, market_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND market_tco2e IS NOT NULL
),
provider_rows AS (
    SELECT
        'provider:' || source_id || ':' || model_version || ':' || COALESCE(account_id, '') || ':' || region || ':'
            || service || ':' || COALESCE(CAST(provider_scope AS VARCHAR), '') AS figure_id,
        period_month,
        method,
        'provider_reported' AS figure_kind,
        'reported' AS basis,
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN 2 ELSE 3 END AS scope,
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN NULL ELSE 1 END AS scope3_category,
        provider,
        provider || ' ' || service || ' ' || region || ' (reported)' AS activity_label,
        TRUE AS is_cloud,
        tco2e,
        CAST(NULL AS VARCHAR) AS factor_id,
        CAST(NULL AS VARCHAR) AS factor_resolution,
        CAST(NULL AS VARCHAR) AS flag,
        'provider_reported' AS activity_tier,
        'supplier' AS factor_tier,
        -- the allocation to an account and service is the row's own; the provider's method is shared
        'row:provider:' || source_id || ':' || model_version || ':' || COALESCE(account_id, '') || ':' || region || ':'
            || service || ':' || COALESCE(CAST(provider_scope AS VARCHAR), '') || ':' || CAST(period_month AS VARCHAR)
            AS activity_error_key,
        'provider_model:' || provider || ':' || model_version AS factor_error_key
    FROM provider_figures
),
all_rows AS (
    SELECT * FROM activity_rows
    UNION ALL
    SELECT * FROM provider_rows
),
-- the inventory's rule (marts/scope_summary.sql): a provider's reported figure for a month and method
-- replaces its usage estimate, never summed with it
reported_coverage AS (
    SELECT DISTINCT period_month, provider, method FROM provider_rows
),
rated AS (
    SELECT
        r.*,
        NOT (r.is_cloud AND r.figure_kind = 'activity_emission' AND c.period_month IS NOT NULL) AS counts_in_inventory,
        ta.u95 AS activity_u95,
        tf.u95 AS factor_u95,
        CASE WHEN ta.override_u95 IS NOT NULL THEN 'settings.uncertainty.' || ta.tier ELSE ta.source END
            || ' | ' || CASE WHEN tf.override_u95 IS NOT NULL THEN 'settings.uncertainty.' || tf.tier ELSE tf.source END
            AS u95_sources
    FROM all_rows AS r
    LEFT JOIN reported_coverage AS c
        ON c.period_month = r.period_month AND c.provider = r.provider AND c.method = r.method
    LEFT JOIN tiers AS ta ON ta.tier = r.activity_tier
    LEFT JOIN tiers AS tf ON tf.tier = r.factor_tier
)
SELECT
    figure_id, period_month, method, figure_kind, basis, scope, scope3_category, provider, activity_label,
    counts_in_inventory, tco2e, factor_id, factor_resolution, flag, activity_tier, factor_tier,
    activity_u95, factor_u95,
    sqrt(activity_u95 * activity_u95 + factor_u95 * factor_u95) AS u95,
    -- GREATEST skips NULLs (DuckDB and Spark): a row without a figure must keep no range, not a low of 0
    CASE WHEN tco2e IS NOT NULL
        THEN GREATEST(tco2e * (1 - sqrt(activity_u95 * activity_u95 + factor_u95 * factor_u95)), 0) END AS tco2e_low,
    tco2e * (1 + sqrt(activity_u95 * activity_u95 + factor_u95 * factor_u95)) AS tco2e_high,
    activity_error_key, factor_error_key, u95_sources
FROM rated
