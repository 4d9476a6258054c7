-- The restatement bridge: for every published month, its current snapshot's figures (published.figures)
-- against the figures now (current_bridge_figures: publishing/bridge_figures.sql over the published
-- months, staged by the restatement asset), one line per bridge grain that differs. Each line's delta
-- (current - published tCO2e) is split into parts that add up to it exactly:
--   removed / added grain              -> added_removed_effect (the whole -published / +current figure)
--   method signature differs           -> method_effect (provider model version, coefficient profile or
--                                         files, factor dataset / year / resolution, formula): whole delta
--   provider-reported, same version    -> provider_revision_effect: the provider revised its own figures
--                                         (no quantity to split; not a method change)
--   otherwise, quantity A and effective factor F = tCO2e / A:
--       activity_effect = (A1 - A0) x F0
--       factor_effect   = delta - activity_effect  (= A1 x (F1 - F0), as F = tCO2e / A)
--   where there is no published factor (A0 = 0) or no current quantity, the whole delta is activity.
--   unattributed lines (inventory rows not at the bridge grain) -> unattributed_effect
WITH published_now AS (
    SELECT f.*
    FROM published.figures AS f
    JOIN published.current_months AS c ON c.period_month = f.period_month AND c.snapshot_id = f.snapshot_id
),
current_now AS (
    SELECT c.*, m.snapshot_id
    FROM current_bridge_figures AS c
    JOIN published.current_months AS m ON m.period_month = c.period_month
),
paired AS (
    SELECT
        COALESCE(p.snapshot_id, c.snapshot_id) AS snapshot_id,
        COALESCE(p.period_month, c.period_month) AS period_month,
        COALESCE(p.scope, c.scope) AS scope,
        COALESCE(p.scope3_category, c.scope3_category) AS scope3_category,
        COALESCE(p.method, c.method) AS method,
        COALESCE(p.basis, c.basis) AS basis,
        COALESCE(p.source_id, c.source_id) AS source_id,
        COALESCE(p.grain_kind, c.grain_kind) AS grain_kind,
        COALESCE(p.provider, c.provider) AS provider,
        COALESCE(p.account_id, c.account_id) AS account_id,
        COALESCE(p.region, c.region) AS region,
        COALESCE(p.service, c.service) AS service,
        COALESCE(p.activity_type, c.activity_type) AS activity_type,
        COALESCE(p.site, c.site) AS site,
        COALESCE(p.category, c.category) AS category,
        COALESCE(p.activity_unit, c.activity_unit) AS activity_unit,
        p.snapshot_id IS NOT NULL AS was_published,
        c.period_month IS NOT NULL AS is_current,
        p.method_signature AS published_signature,
        c.method_signature AS current_signature,
        p.activity_quantity AS published_quantity,
        c.activity_quantity AS current_quantity,
        p.effective_factor AS published_factor,
        c.effective_factor AS current_factor,
        p.tco2e AS published_tco2e,
        c.tco2e AS current_tco2e,
        COALESCE(c.tco2e, 0) - COALESCE(p.tco2e, 0) AS delta_tco2e
    FROM published_now AS p
    FULL OUTER JOIN current_now AS c
        ON c.snapshot_id = p.snapshot_id
        AND c.period_month = p.period_month AND c.scope = p.scope
        AND c.scope3_category IS NOT DISTINCT FROM p.scope3_category
        AND c.method = p.method AND c.basis = p.basis AND c.source_id = p.source_id
        AND c.grain_kind = p.grain_kind
        AND c.provider IS NOT DISTINCT FROM p.provider AND c.account_id IS NOT DISTINCT FROM p.account_id
        AND c.region IS NOT DISTINCT FROM p.region AND c.service IS NOT DISTINCT FROM p.service
        AND c.activity_type IS NOT DISTINCT FROM p.activity_type AND c.site IS NOT DISTINCT FROM p.site
        AND c.category IS NOT DISTINCT FROM p.category AND c.activity_unit IS NOT DISTINCT FROM p.activity_unit
),
changed AS (
    SELECT
        *,
        CASE
            WHEN NOT was_published THEN 'added'
            WHEN NOT is_current THEN 'removed'
            WHEN published_signature <> current_signature THEN 'method_change'
            WHEN grain_kind = 'cloud_reported' THEN 'provider_revision'
            WHEN grain_kind = 'unattributed' THEN 'unattributed'
            ELSE 'activity_factor'
        END AS change_kind
    FROM paired
    WHERE NOT was_published OR NOT is_current
       OR published_signature IS DISTINCT FROM current_signature
       OR published_quantity IS DISTINCT FROM current_quantity
       OR published_factor IS DISTINCT FROM current_factor
       OR published_tco2e IS DISTINCT FROM current_tco2e
),
split AS (
    SELECT
        *,
        CASE
            WHEN change_kind <> 'activity_factor' THEN 0.0
            WHEN published_factor IS NULL OR current_quantity IS NULL THEN delta_tco2e
            ELSE (current_quantity - published_quantity) * published_factor
        END AS activity_part
    FROM changed
)
SELECT
    snapshot_id, period_month, scope, scope3_category, method, basis, source_id, grain_kind, provider, account_id,
    region, service, activity_type, site, category, activity_unit, change_kind,
    published_signature, current_signature, published_quantity, current_quantity, published_factor, current_factor,
    published_tco2e, current_tco2e, delta_tco2e,
    CASE WHEN change_kind = 'method_change' THEN delta_tco2e ELSE 0.0 END AS method_effect,
    activity_part AS activity_effect,
    CASE WHEN change_kind = 'activity_factor' THEN delta_tco2e - activity_part ELSE 0.0 END AS factor_effect,
    CASE WHEN change_kind = 'provider_revision' THEN delta_tco2e ELSE 0.0 END AS provider_revision_effect,
    CASE WHEN change_kind IN ('added', 'removed') THEN delta_tco2e ELSE 0.0 END AS added_removed_effect,
    CASE WHEN change_kind = 'unattributed' THEN delta_tco2e ELSE 0.0 END AS unattributed_effect
FROM split
