-- The restatement log: for every published month, marts.scope_summary now against the month's current
-- snapshot (published.scope_summary), per scope x category x method x basis, with the bridge's parts
-- (audit.restatement_bridge, written just before in the same transaction) summed beside the delta.
-- Only lines that changed (or whose bridge has lines, e.g. a method change that left the total equal)
-- are listed. `cause` names the non-zero parts, largest first, and the method signatures that changed.
-- within_published_range: whether the figure now lies inside the 95 % range the line was published with
-- (issue 17): a restatement inside it is a refinement the published range already allowed for.
WITH published_now AS (
    SELECT s.*
    FROM published.scope_summary AS s
    JOIN published.current_months AS c ON c.period_month = s.period_month AND c.snapshot_id = s.snapshot_id
),
current_now AS (
    SELECT m.*, c.snapshot_id
    FROM marts.scope_summary AS m
    JOIN published.current_months AS c ON c.period_month = m.period_month
),
lines AS (
    SELECT
        COALESCE(p.snapshot_id, c.snapshot_id) AS snapshot_id,
        COALESCE(p.period_month, c.period_month) AS period_month,
        COALESCE(p.scope, c.scope) AS scope,
        COALESCE(p.scope3_category, c.scope3_category) AS scope3_category,
        COALESCE(p.method, c.method) AS method,
        COALESCE(p.basis, c.basis) AS basis,
        p.tco2e AS published_tco2e,
        p.tco2e_low AS published_tco2e_low,
        p.tco2e_high AS published_tco2e_high,
        c.tco2e AS current_tco2e
    FROM published_now AS p
    FULL OUTER JOIN current_now AS c
        ON c.snapshot_id = p.snapshot_id AND c.period_month = p.period_month AND c.scope = p.scope
        AND c.scope3_category IS NOT DISTINCT FROM p.scope3_category AND c.method = p.method AND c.basis = p.basis
),
bridge AS (
    SELECT
        snapshot_id, period_month, scope, scope3_category, method, basis,
        SUM(method_effect) AS method_effect,
        SUM(activity_effect) AS activity_effect,
        SUM(factor_effect) AS factor_effect,
        SUM(provider_revision_effect) AS provider_revision_effect,
        SUM(added_removed_effect) AS added_removed_effect,
        SUM(unattributed_effect) AS unattributed_effect,
        string_agg(DISTINCT CASE WHEN change_kind = 'method_change'
            THEN published_signature || ' -> ' || current_signature END, '; ') AS method_changes
    FROM audit.restatement_bridge
    GROUP BY ALL
),
joined AS (
    SELECT
        l.snapshot_id, l.period_month, l.scope, l.scope3_category, l.method, l.basis,
        l.published_tco2e, l.published_tco2e_low, l.published_tco2e_high, l.current_tco2e,
        COALESCE(l.current_tco2e, 0) - COALESCE(l.published_tco2e, 0) AS delta_tco2e,
        COALESCE(b.method_effect, 0) AS method_effect,
        COALESCE(b.activity_effect, 0) AS activity_effect,
        COALESCE(b.factor_effect, 0) AS factor_effect,
        COALESCE(b.provider_revision_effect, 0) AS provider_revision_effect,
        COALESCE(b.added_removed_effect, 0) AS added_removed_effect,
        COALESCE(b.unattributed_effect, 0) AS unattributed_effect,
        b.method_changes,
        b.snapshot_id IS NOT NULL AS has_bridge
    FROM lines AS l
    LEFT JOIN bridge AS b
        ON b.snapshot_id = l.snapshot_id AND b.period_month = l.period_month AND b.scope = l.scope
        AND b.scope3_category IS NOT DISTINCT FROM l.scope3_category AND b.method = l.method AND b.basis = l.basis
)
SELECT
    snapshot_id, period_month, scope, scope3_category, method, basis, published_tco2e, current_tco2e, delta_tco2e,
    published_tco2e_low, published_tco2e_high,
    -- did the restated figure fall inside the range it was published with? A line gone from the inventory
    -- counts as 0; NULL where no range was published (a new line, or a snapshot from before ranges)
    CASE WHEN published_tco2e_low IS NOT NULL AND published_tco2e_high IS NOT NULL
        THEN COALESCE(current_tco2e, 0) BETWEEN published_tco2e_low AND published_tco2e_high END
        AS within_published_range,
    method_effect, activity_effect, factor_effect, provider_revision_effect, added_removed_effect,
    unattributed_effect,
    COALESCE(
        (SELECT string_agg(part.name, ' + ' ORDER BY abs(part.amount) DESC, part.name)
         FROM (VALUES ('method change', method_effect), ('activity', activity_effect), ('factor', factor_effect),
                      ('provider revision', provider_revision_effect), ('added/removed lines', added_removed_effect),
                      ('unattributed', unattributed_effect))
             AS part(name, amount)
         WHERE part.amount <> 0),
        'no net change'
    ) || COALESCE(' [' || method_changes || ']', '') AS cause
FROM joined
WHERE has_bridge OR published_tco2e IS DISTINCT FROM current_tco2e
