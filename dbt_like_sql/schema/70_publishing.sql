-- Published periods and restatements (docs/restatements.md).
--
-- published.*: insert-only snapshots of the figures as they were published for a month range. Only
-- `carbon-pipeline publish` writes them, with INSERTs in one transaction; nothing in the pipeline
-- updates or deletes a published row, and the blocking check published_snapshots_unchanged recomputes
-- every snapshot's SHA-256 at each run. No PRIMARY KEYs (as in 00_warehouse.sql); uniqueness of the
-- snapshot id is enforced by the publisher and checked.
--
-- audit.restatement_log / audit.restatement_bridge: the current figures of every published month
-- compared with its current snapshot, rewritten whole by each run (idempotent, one transaction).
CREATE SCHEMA IF NOT EXISTS published;

-- One row per publication. A month is covered by at most one current snapshot: the one with the
-- highest publication_seq that covers it (view published.current_months).
CREATE TABLE IF NOT EXISTS published.snapshots (
    snapshot_id VARCHAR NOT NULL,           -- <first month>..<last month>.v<version>, e.g. 2025-01..2025-03.v1
    publication_seq INTEGER NOT NULL,       -- 1, 2, ... in the order of publication
    first_month DATE NOT NULL,
    last_month DATE NOT NULL,               -- inclusive
    version INTEGER NOT NULL,               -- 1 + snapshots published before that cover any of these months
    supersedes VARCHAR,                     -- snapshot ids this one replaces as current, comma-separated
    published_at TIMESTAMP NOT NULL,        -- UTC
    note VARCHAR,
    published_by VARCHAR,                   -- OS user that ran the publish command
    pipeline_version VARCHAR,
    coefficient_profile VARCHAR NOT NULL,   -- the inventory policies in force when published
    cloud_scope_policy VARCHAR NOT NULL,
    carbon_model_version VARCHAR NOT NULL,
    figure_rows BIGINT NOT NULL,
    summary_rows BIGINT NOT NULL,
    figures_sha256 VARCHAR NOT NULL,        -- of published.figures rows of the snapshot (canonical text)
    summary_sha256 VARCHAR NOT NULL,        -- of published.scope_summary rows of the snapshot
    content_sha256 VARCHAR NOT NULL         -- of the header fields above and the two row hashes
);

-- The figures at the bridge grain, as published (dbt_like_sql/publishing/bridge_figures.sql).
CREATE TABLE IF NOT EXISTS published.figures (
    snapshot_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    scope INTEGER NOT NULL,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    grain_kind VARCHAR NOT NULL,            -- cloud_reported | cloud_estimated | own_operations | unattributed
    provider VARCHAR,
    account_id VARCHAR,
    region VARCHAR,
    service VARCHAR,
    activity_type VARCHAR,
    site VARCHAR,
    category VARCHAR,
    activity_unit VARCHAR,                  -- unit of activity_quantity (the factor's activity unit)
    activity_quantity DOUBLE,               -- NULL for provider-reported figures (no quantity)
    effective_factor DOUBLE,                -- tco2e / activity_quantity, tCO2e per activity_unit
    method_signature VARCHAR NOT NULL,
    emission_rows BIGINT NOT NULL,
    tco2e DOUBLE NOT NULL
);

-- marts.scope_summary rows of the snapshot's months, as published.
CREATE TABLE IF NOT EXISTS published.scope_summary (
    snapshot_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    scope INTEGER NOT NULL,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    tco2e DOUBLE NOT NULL
);

-- Per published month: the snapshot that is current for it.
CREATE OR REPLACE VIEW published.current_months AS
SELECT period_month, snapshot_id, publication_seq
FROM (
    SELECT CAST(m.period_month AS DATE) AS period_month, s.snapshot_id, s.publication_seq,
        ROW_NUMBER() OVER (PARTITION BY m.period_month ORDER BY s.publication_seq DESC) AS recency
    FROM published.snapshots AS s,
        LATERAL (SELECT UNNEST(generate_series(s.first_month, s.last_month, INTERVAL 1 MONTH)) AS period_month) AS m
)
WHERE recency = 1;

-- Each snapshot with whether it is still current for at least one of its months.
CREATE OR REPLACE VIEW published.snapshot_log AS
SELECT s.snapshot_id, s.publication_seq, s.first_month, s.last_month, s.version, s.supersedes, s.published_at,
    s.note, s.published_by, s.figure_rows, s.summary_rows, s.content_sha256,
    EXISTS (SELECT 1 FROM published.current_months AS c WHERE c.snapshot_id = s.snapshot_id) AS is_current
FROM published.snapshots AS s;

-- Current vs published per month x scope x category x method x basis, with the bridge's parts summed.
CREATE TABLE IF NOT EXISTS audit.restatement_log (
    snapshot_id VARCHAR NOT NULL,           -- the month's current snapshot
    period_month DATE NOT NULL,
    scope INTEGER NOT NULL,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    published_tco2e DOUBLE,                 -- NULL: the line was not published
    current_tco2e DOUBLE,                   -- NULL: the line is gone from the current inventory
    delta_tco2e DOUBLE NOT NULL,            -- current - published (missing = 0)
    method_effect DOUBLE NOT NULL,
    activity_effect DOUBLE NOT NULL,
    factor_effect DOUBLE NOT NULL,
    provider_revision_effect DOUBLE NOT NULL,
    added_removed_effect DOUBLE NOT NULL,
    unattributed_effect DOUBLE NOT NULL,
    cause VARCHAR NOT NULL                  -- the non-zero parts, largest first
);

-- One line per bridge grain whose figures differ between the current snapshot and now.
CREATE TABLE IF NOT EXISTS audit.restatement_bridge (
    snapshot_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    scope INTEGER NOT NULL,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    grain_kind VARCHAR NOT NULL,
    provider VARCHAR,
    account_id VARCHAR,
    region VARCHAR,
    service VARCHAR,
    activity_type VARCHAR,
    site VARCHAR,
    category VARCHAR,
    activity_unit VARCHAR,
    change_kind VARCHAR NOT NULL,           -- method_change | activity_factor | provider_revision | added | removed | unattributed
    published_signature VARCHAR,
    current_signature VARCHAR,
    published_quantity DOUBLE,
    current_quantity DOUBLE,
    published_factor DOUBLE,
    current_factor DOUBLE,
    published_tco2e DOUBLE,
    current_tco2e DOUBLE,
    delta_tco2e DOUBLE NOT NULL,
    method_effect DOUBLE NOT NULL,
    activity_effect DOUBLE NOT NULL,
    factor_effect DOUBLE NOT NULL,
    provider_revision_effect DOUBLE NOT NULL,
    added_removed_effect DOUBLE NOT NULL,
    unattributed_effect DOUBLE NOT NULL
);

-- The content hash of a snapshot header: every field but the hash itself, as text (NULL as \N), joined
-- by '|'. The publisher stores it; the check published_snapshots_unchanged recomputes it.
CREATE OR REPLACE MACRO published.snapshot_content_sha256(
    snapshot_id, publication_seq, first_month, last_month, version, supersedes, published_at, note, published_by,
    pipeline_version, coefficient_profile, cloud_scope_policy, carbon_model_version, figure_rows, summary_rows,
    figures_sha256, summary_sha256
) AS sha256(concat_ws('|',
    COALESCE(CAST(snapshot_id AS VARCHAR), '\N'), COALESCE(CAST(publication_seq AS VARCHAR), '\N'),
    COALESCE(CAST(first_month AS VARCHAR), '\N'), COALESCE(CAST(last_month AS VARCHAR), '\N'),
    COALESCE(CAST(version AS VARCHAR), '\N'), COALESCE(CAST(supersedes AS VARCHAR), '\N'),
    COALESCE(CAST(published_at AS VARCHAR), '\N'), COALESCE(CAST(note AS VARCHAR), '\N'),
    COALESCE(CAST(published_by AS VARCHAR), '\N'), COALESCE(CAST(pipeline_version AS VARCHAR), '\N'),
    COALESCE(CAST(coefficient_profile AS VARCHAR), '\N'), COALESCE(CAST(cloud_scope_policy AS VARCHAR), '\N'),
    COALESCE(CAST(carbon_model_version AS VARCHAR), '\N'), COALESCE(CAST(figure_rows AS VARCHAR), '\N'),
    COALESCE(CAST(summary_rows AS VARCHAR), '\N'), COALESCE(CAST(figures_sha256 AS VARCHAR), '\N'),
    COALESCE(CAST(summary_sha256 AS VARCHAR), '\N')
));
