-- When any month in [$start, $end) of the transform tables $tables was last replaced (audit.built_from's
-- recorded_at, UTC): the serving file must have been published after it, or a re-sync may not skip
-- (carbon_pipeline/built_from.py, serving_is_stale). NULL when none of them was ever built.
SELECT MAX(recorded_at) AS last_built
FROM audit.built_from
WHERE list_contains($tables, stage_table) AND period_month >= $start AND period_month < $end
