-- Blocking check: every published snapshot is exactly as it was published. Returns one row per problem:
-- rows whose hashes or counts no longer match the header (a row changed, was added or deleted), a
-- header whose own content hash no longer matches (note, dates, hashes edited), rows without a header,
-- and a snapshot id used twice. No rows = unchanged.
-- recomputed_snapshot_hashes: dbt_like_sql/publishing/snapshot_hashes.sql, run by the check just before
WITH problems AS (
    SELECT h.snapshot_id,
        CASE
            WHEN r.snapshot_id IS NULL THEN 'published rows deleted'
            WHEN r.figure_rows <> h.figure_rows OR r.figures_sha256 IS DISTINCT FROM h.figures_sha256
                THEN 'published.figures changed'
            WHEN r.summary_rows <> h.summary_rows OR r.summary_sha256 IS DISTINCT FROM h.summary_sha256
                THEN 'published.scope_summary changed'
        END AS problem,
        h.figures_sha256 AS expected, r.figures_sha256 AS found
    FROM published.snapshots AS h
    LEFT JOIN recomputed_snapshot_hashes AS r ON r.snapshot_id = h.snapshot_id
    UNION ALL
    SELECT h.snapshot_id, 'snapshot header changed', h.content_sha256,
        published.snapshot_content_sha256(h.snapshot_id, h.publication_seq, h.first_month, h.last_month, h.version,
            h.supersedes, h.published_at, h.note, h.published_by, h.pipeline_version, h.coefficient_profile,
            h.cloud_scope_policy, h.carbon_model_version, h.figure_rows, h.summary_rows, h.figures_sha256,
            h.summary_sha256)
    FROM published.snapshots AS h
    UNION ALL
    SELECT r.snapshot_id, 'published rows without a snapshot header', NULL, r.figures_sha256
    FROM recomputed_snapshot_hashes AS r
    WHERE r.snapshot_id NOT IN (SELECT snapshot_id FROM published.snapshots)
    UNION ALL
    SELECT snapshot_id, 'snapshot id published twice', NULL, CAST(COUNT(*) AS VARCHAR)
    FROM published.snapshots GROUP BY snapshot_id HAVING COUNT(*) > 1
)
SELECT snapshot_id, problem, expected, found
FROM problems
WHERE problem IS NOT NULL
  AND NOT (problem = 'snapshot header changed' AND expected = found)
ORDER BY snapshot_id, problem
