-- Report: the published snapshots covering months of one reporting year, and whether each is current.
WITH current_months AS (
    SELECT period_month, arg_max(snapshot_id, publication_seq) AS snapshot_id
    FROM (
        SELECT CAST(UNNEST(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS period_month,
            snapshot_id, publication_seq
        FROM published.snapshots
    )
    GROUP BY period_month
)
SELECT s.snapshot_id, s.first_month, s.last_month, s.version, s.supersedes, s.published_at, s.note,
    s.content_sha256, s.snapshot_id IN (SELECT snapshot_id FROM current_months) AS is_current
FROM published.snapshots AS s
WHERE s.first_month < make_date($year + 1, 1, 1) AND s.last_month >= make_date($year, 1, 1)
ORDER BY s.publication_seq
