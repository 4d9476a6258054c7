-- The partition store (carbon_pipeline/storage, CARBON_PARTITION_STORE): which version of each stored
-- raw/ledger month this DuckDB file holds, so a run hydrates only months that are missing or at
-- another version than the store's pointer. Bookkeeping of this file only: never published or served.
CREATE SCHEMA IF NOT EXISTS partition_store;

CREATE TABLE IF NOT EXISTS partition_store.local_versions (
    store VARCHAR NOT NULL,                 -- the store's URL (folder or s3://bucket/prefix)
    stored_table VARCHAR NOT NULL,          -- schema.table, e.g. raw.aws_cur_line_items
    period_month DATE NOT NULL,
    version VARCHAR NOT NULL,               -- the pointer's version (digest of the partition's files)
    synced VARCHAR NOT NULL,                -- published | hydrated
    synced_at TIMESTAMP NOT NULL            -- UTC
);
