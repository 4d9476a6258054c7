-- The loaded deliveries of the source kinds $kinds for the months [$start, $end): what a transform table's
-- month is built from when it is replaced now (recorded in audit.built_from, compared by stale_stages).
SELECT
    period_month,
    source_id,
    source_kind,
    delivery_id,
    model_version,
    objects_version
FROM raw.deliveries
WHERE status = 'loaded'
  AND period_month >= $start AND period_month < $end
  AND list_contains($kinds, source_kind)
