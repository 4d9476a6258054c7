-- Every published snapshot's content hashes, recomputed from the stored rows: used when publishing (the
-- header records them) and by the blocking check published_snapshots_unchanged (they must still match).
-- Canonical text: each row's columns (all but snapshot_id) as DuckDB's text of the value, NULL as \N,
-- joined by '|' (a summary row's published range appended where one was recorded); the rows sorted and joined
-- by newlines; SHA-256 of that. DOUBLE prints as the shortest
-- text that reads back to the same value, so any change to any value changes the hash. An auditor can
-- recompute them with this file alone.
WITH figure_rows AS (
    SELECT snapshot_id, concat_ws('|',
        COALESCE(CAST(period_month AS VARCHAR), '\N'), COALESCE(CAST(scope AS VARCHAR), '\N'),
        COALESCE(CAST(scope3_category AS VARCHAR), '\N'), COALESCE(method, '\N'), COALESCE(basis, '\N'),
        COALESCE(source_id, '\N'), COALESCE(grain_kind, '\N'), COALESCE(provider, '\N'),
        COALESCE(account_id, '\N'), COALESCE(region, '\N'), COALESCE(service, '\N'),
        COALESCE(activity_type, '\N'), COALESCE(site, '\N'), COALESCE(category, '\N'),
        COALESCE(activity_unit, '\N'), COALESCE(CAST(activity_quantity AS VARCHAR), '\N'),
        COALESCE(CAST(effective_factor AS VARCHAR), '\N'), COALESCE(method_signature, '\N'),
        COALESCE(CAST(emission_rows AS VARCHAR), '\N'), COALESCE(CAST(tco2e AS VARCHAR), '\N')
    ) AS row_text
    FROM published.figures
),
summary_rows AS (
    SELECT snapshot_id, concat_ws('|',
        COALESCE(CAST(period_month AS VARCHAR), '\N'), COALESCE(CAST(scope AS VARCHAR), '\N'),
        COALESCE(CAST(scope3_category AS VARCHAR), '\N'), COALESCE(method, '\N'), COALESCE(basis, '\N'),
        COALESCE(CAST(tco2e AS VARCHAR), '\N')
    -- the published range, where one was recorded (snapshots from before ranges hash as they always did)
    ) || CASE WHEN tco2e_low IS NULL AND tco2e_high IS NULL THEN ''
        ELSE '|' || COALESCE(CAST(tco2e_low AS VARCHAR), '\N') || '|' || COALESCE(CAST(tco2e_high AS VARCHAR), '\N')
        END AS row_text
    FROM published.scope_summary
),
figures AS (
    SELECT snapshot_id, COUNT(*) AS figure_rows, sha256(string_agg(row_text, chr(10) ORDER BY row_text)) AS figures_sha256
    FROM figure_rows GROUP BY snapshot_id
),
summary AS (
    SELECT snapshot_id, COUNT(*) AS summary_rows, sha256(string_agg(row_text, chr(10) ORDER BY row_text)) AS summary_sha256
    FROM summary_rows GROUP BY snapshot_id
)
SELECT
    COALESCE(f.snapshot_id, s.snapshot_id) AS snapshot_id,
    COALESCE(f.figure_rows, 0) AS figure_rows,
    f.figures_sha256,
    COALESCE(s.summary_rows, 0) AS summary_rows,
    s.summary_sha256
FROM figures AS f
FULL OUTER JOIN summary AS s ON s.snapshot_id = f.snapshot_id
