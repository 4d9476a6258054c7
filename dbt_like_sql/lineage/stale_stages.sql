-- The months in [$start, $end) of transform table $stage_table that were built from other deliveries than
-- raw holds now: one row per month and source where its record (audit.built_from) and the loaded deliveries
-- of the source kinds upstream of it ($kinds) differ, with both sides. A month built before a delivery
-- arrived, or never recorded, differs too. No rows = the table is current for those months.
WITH raw_side AS (
    SELECT period_month, source_id,
           string_agg(delivery_id || COALESCE(' ' || model_version, '') || COALESCE(' @' || objects_version, ''),
                      ', ' ORDER BY delivery_id, model_version, objects_version) AS identity
    FROM raw.deliveries
    WHERE status = 'loaded'
      AND period_month >= $start AND period_month < $end
      AND list_contains($kinds, source_kind)
    GROUP BY ALL
),
built_side AS (
    SELECT period_month, source_id,
           string_agg(delivery_id || COALESCE(' ' || model_version, '') || COALESCE(' @' || objects_version, ''),
                      ', ' ORDER BY delivery_id, model_version, objects_version) AS identity
    FROM audit.built_from
    WHERE stage_table = $stage_table
      AND period_month >= $start AND period_month < $end
    GROUP BY ALL
)
SELECT
    $stage_table AS stage_table,
    period_month,
    source_id,
    b.identity AS built_from,
    r.identity AS raw_holds
FROM raw_side AS r
FULL OUTER JOIN built_side AS b USING (period_month, source_id)
WHERE b.identity IS DISTINCT FROM r.identity
ORDER BY period_month, source_id
