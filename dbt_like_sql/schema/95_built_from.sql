-- What each month of each transform table (ledger, emissions, marts) was built from: the loaded deliveries
-- (raw.deliveries: source, delivery id, model version, object versions) of the source kinds upstream of it,
-- written in the same transaction as the month's replace (carbon_pipeline/built_from.py). A re-sync that
-- finds a delivery unchanged in raw skips the stages downstream only when each one's record equals
-- raw.deliveries; a run killed after the raw step committed leaves them at the previous delivery, and the
-- next re-sync rebuilds them (issue 13, class 4).
CREATE TABLE IF NOT EXISTS audit.built_from (
    stage_table VARCHAR NOT NULL,           -- schema.table, e.g. ledger.activity
    period_month DATE NOT NULL,
    source_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    delivery_id VARCHAR NOT NULL,
    model_version VARCHAR,
    objects_version VARCHAR,
    recorded_by_run VARCHAR,                -- the Dagster run (or CLI command) that built the month
    recorded_at TIMESTAMP NOT NULL          -- UTC
);
