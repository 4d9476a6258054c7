-- Periods of one reporting year whose delivery or chosen model version changed after they had been
-- loaded (audit.restatements), and deliveries superseded before they were ever counted.
SELECT
    period_month, source_id, change_kind, previous_identity, new_identity, previous_row_count, new_row_count,
    recorded_by_run
FROM audit.restatements
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
ORDER BY period_month, source_id, change_kind, new_identity
