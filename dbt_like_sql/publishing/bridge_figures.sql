-- The inventory of months [$start, $end) at the bridge grain: what is published, and what a restatement
-- is compared against (docs/restatements.md). It follows marts/scope_summary.sql row for row (same
-- sources, the same reported-else-estimated rule for cloud, the same cloud scope policy), one level
-- finer: per source and per provider/account/region/service (cloud) or activity type/site/category
-- (own operations), with the activity quantity in the factor's unit, the effective factor and the
-- method signature. Sums run in DECIMAL, as in the marts, so equal inputs give bit-identical rows.
-- Whatever marts.scope_summary holds that this grain does not explain (a basis added to the mart later,
-- say) becomes an `unattributed` line, so the grain always adds up to the inventory and nothing is lost.
WITH reported AS (
    SELECT period_month, source_id, provider, account_id, region, service, model_version,
        'location' AS method, location_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND location_tco2e IS NOT NULL
    UNION ALL
    SELECT period_month, source_id, provider, account_id, region, service, model_version,
        'market' AS method, market_tco2e AS tco2e
    FROM ledger.provider_emissions
    WHERE period_month >= CAST($start AS DATE) AND period_month < CAST($end AS DATE)
      AND is_selected AND market_tco2e IS NOT NULL
),
reported_coverage AS (
    SELECT DISTINCT period_month, provider, method FROM reported
),
cloud_scope AS (
    SELECT
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN 2 ELSE 3 END AS scope,
        CASE WHEN $cloud_scope_policy = 'scope2_framing' THEN NULL ELSE 1 END AS scope3_category
),
coefficient_files AS (
    SELECT profile, string_agg(DISTINCT left(file_sha256, 12), '+' ORDER BY left(file_sha256, 12)) AS files
    FROM factors.cloud_usage_coefficients
    GROUP BY profile
),
emission_rows AS (
    SELECT e.*, a.activity_type, a.source_id, a.provider, a.account_id, a.region, a.service, a.site, a.category,
        a.quantity AS ledger_quantity, a.unit AS ledger_unit
    FROM emissions.activity_emissions AS e
    JOIN ledger.activity AS a
        ON a.activity_id = e.activity_id AND a.period_month = e.period_month
    WHERE e.period_month >= CAST($start AS DATE) AND e.period_month < CAST($end AS DATE)
      AND e.tco2e IS NOT NULL
),
cloud_reported AS (
    SELECT
        r.period_month, s.scope, s.scope3_category, r.method, 'reported' AS basis, r.source_id,
        'cloud_reported' AS grain_kind,
        r.provider, r.account_id, r.region, r.service,
        CAST(NULL AS VARCHAR) AS activity_type, CAST(NULL AS VARCHAR) AS site, CAST(NULL AS VARCHAR) AS category,
        CAST(NULL AS VARCHAR) AS activity_unit,
        CAST(NULL AS DOUBLE) AS activity_quantity,
        'reported; model_version=' || string_agg(DISTINCT r.model_version, ',' ORDER BY r.model_version)
            AS method_signature,
        COUNT(*) AS emission_rows,
        CAST(SUM(CAST(r.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM reported AS r, cloud_scope AS s
    GROUP BY ALL
),
cloud_estimated AS (
    SELECT
        e.period_month, s.scope, s.scope3_category, e.method, 'estimated_usage' AS basis, e.source_id,
        'cloud_estimated' AS grain_kind,
        e.provider, e.account_id, e.region, e.service,
        CAST(NULL AS VARCHAR) AS activity_type, CAST(NULL AS VARCHAR) AS site, CAST(NULL AS VARCHAR) AS category,
        'kWh' AS activity_unit,
        CAST(SUM(CAST(e.energy_kwh AS DECIMAL(38, 12))) AS DOUBLE) AS activity_quantity,
        'estimated_usage; coefficients='
            || string_agg(DISTINCT regexp_extract(e.formula, '^\[([a-z_]+)\]', 1) || '@' || COALESCE(cf.files, '?'), ','
                ORDER BY regexp_extract(e.formula, '^\[([a-z_]+)\]', 1) || '@' || COALESCE(cf.files, '?'))
            || '; factors=' || string_agg(DISTINCT e.factor_id || ' (' || e.factor_resolution || ')', ','
                ORDER BY e.factor_id || ' (' || e.factor_resolution || ')')
            AS method_signature,
        COUNT(*) AS emission_rows,
        CAST(SUM(CAST(e.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM emission_rows AS e
    CROSS JOIN cloud_scope AS s
    LEFT JOIN coefficient_files AS cf ON cf.profile = regexp_extract(e.formula, '^\[([a-z_]+)\]', 1)
    LEFT JOIN reported_coverage AS c
        ON c.period_month = e.period_month AND c.provider = e.provider AND c.method = e.method
    WHERE e.activity_type = 'cloud_usage' AND c.period_month IS NULL
    GROUP BY ALL
),
own_operations AS (
    SELECT
        e.period_month, e.scope, e.scope3_category, e.method, e.basis, e.source_id,
        'own_operations' AS grain_kind,
        CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS region,
        CAST(NULL AS VARCHAR) AS service,
        e.activity_type, e.site, e.category,
        lower(regexp_replace(e.factor_unit, '^kgCO2e/', '')) AS activity_unit,
        -- energy-based figures count kWh; the others the ledger quantity converted to the factor's unit,
        -- exactly as activity_emissions.sql converts it
        CAST(SUM(CAST(COALESCE(e.energy_kwh, e.ledger_quantity * conv.multiplier) AS DECIMAL(38, 12))) AS DOUBLE)
            AS activity_quantity,
        e.basis || '; factors=' || string_agg(DISTINCT e.factor_id || ' (' || e.factor_resolution || ')', ','
                ORDER BY e.factor_id || ' (' || e.factor_resolution || ')')
            || '; formula=' || string_agg(DISTINCT e.formula, ',' ORDER BY e.formula) AS method_signature,
        COUNT(*) AS emission_rows,
        CAST(SUM(CAST(e.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e
    FROM emission_rows AS e
    LEFT JOIN factors.unit_conversions AS conv
        ON conv.from_unit = e.ledger_unit AND conv.to_unit = lower(regexp_replace(e.factor_unit, '^kgCO2e/', ''))
    WHERE e.activity_type <> 'cloud_usage'
    GROUP BY e.period_month, e.scope, e.scope3_category, e.method, e.basis, e.source_id, e.activity_type, e.site,
        e.category, lower(regexp_replace(e.factor_unit, '^kgCO2e/', ''))
),
attributed AS (
    SELECT * FROM cloud_reported
    UNION ALL BY NAME
    SELECT * FROM cloud_estimated
    UNION ALL BY NAME
    SELECT * FROM own_operations
),
attributed_totals AS (
    SELECT period_month, scope, scope3_category, method, basis, SUM(CAST(tco2e AS DECIMAL(38, 15))) AS tco2e
    FROM attributed
    GROUP BY ALL
),
unattributed AS (
    SELECT
        m.period_month, m.scope, m.scope3_category, m.method, m.basis, '(unattributed)' AS source_id,
        'unattributed' AS grain_kind,
        CAST(NULL AS VARCHAR) AS provider, CAST(NULL AS VARCHAR) AS account_id, CAST(NULL AS VARCHAR) AS region,
        CAST(NULL AS VARCHAR) AS service, CAST(NULL AS VARCHAR) AS activity_type, CAST(NULL AS VARCHAR) AS site,
        CAST(NULL AS VARCHAR) AS category, CAST(NULL AS VARCHAR) AS activity_unit,
        CAST(NULL AS DOUBLE) AS activity_quantity,
        'unattributed: in marts.scope_summary, not at the bridge grain' AS method_signature,
        CAST(0 AS BIGINT) AS emission_rows,
        CAST(CAST(m.tco2e AS DECIMAL(38, 15)) - COALESCE(t.tco2e, 0) AS DOUBLE) AS tco2e
    FROM marts.scope_summary AS m
    LEFT JOIN attributed_totals AS t
        ON t.period_month = m.period_month AND t.scope = m.scope
        AND t.scope3_category IS NOT DISTINCT FROM m.scope3_category
        AND t.method = m.method AND t.basis = m.basis
    WHERE m.period_month >= CAST($start AS DATE) AND m.period_month < CAST($end AS DATE)
      AND abs(CAST(m.tco2e AS DECIMAL(38, 15)) - COALESCE(t.tco2e, 0)) > 1e-9
)
SELECT
    period_month, scope, scope3_category, method, basis, source_id, grain_kind, provider, account_id, region,
    service, activity_type, site, category, activity_unit, activity_quantity,
    CASE WHEN activity_quantity <> 0 THEN tco2e / activity_quantity END AS effective_factor,
    method_signature, emission_rows, tco2e
FROM (
    SELECT * FROM attributed
    UNION ALL BY NAME
    SELECT * FROM unattributed
)
