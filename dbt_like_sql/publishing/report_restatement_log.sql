-- Report: the restatement log lines of one reporting year (published vs current, with the bridge parts).
SELECT snapshot_id, period_month, scope, scope3_category, method, basis, published_tco2e, current_tco2e,
    delta_tco2e, method_effect, activity_effect, factor_effect, provider_revision_effect, added_removed_effect,
    unattributed_effect, cause
FROM audit.restatement_log
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
ORDER BY period_month, scope, scope3_category NULLS FIRST, method, basis
