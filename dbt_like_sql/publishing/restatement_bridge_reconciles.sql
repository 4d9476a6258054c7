-- Blocking check: the bridge's parts add up to each delta (per bridge line, and per restatement-log line
-- against marts.scope_summary now minus the published summary), within 1e-9 tCO2e. One row per line
-- that does not.
SELECT 'audit.restatement_bridge' AS relation, snapshot_id, period_month, scope, scope3_category, method, basis,
    delta_tco2e, method_effect + activity_effect + factor_effect + provider_revision_effect + added_removed_effect + unattributed_effect
        AS parts_tco2e
FROM audit.restatement_bridge
WHERE abs(delta_tco2e - (method_effect + activity_effect + factor_effect + provider_revision_effect
    + added_removed_effect + unattributed_effect)) > 1e-9
UNION ALL
SELECT 'audit.restatement_log', snapshot_id, period_month, scope, scope3_category, method, basis,
    delta_tco2e, method_effect + activity_effect + factor_effect + provider_revision_effect + added_removed_effect + unattributed_effect
FROM audit.restatement_log
WHERE abs(delta_tco2e - (method_effect + activity_effect + factor_effect + provider_revision_effect
    + added_removed_effect + unattributed_effect)) > 1e-9
ORDER BY ALL
