-- Deliveries of one reporting year that a newer delivery replaced (raw.deliveries, status superseded):
-- context for the restatement log, since a delivery superseded before its first load is no restatement.
SELECT period_month, source_id, source_kind, delivery_id, model_version, manifest_key
FROM raw.deliveries
WHERE period_month >= make_date($year, 1, 1) AND period_month < make_date($year + 1, 1, 1)
  AND status = 'superseded'
ORDER BY period_month, source_id, delivery_id
