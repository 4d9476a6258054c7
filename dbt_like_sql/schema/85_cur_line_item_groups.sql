-- CUR line items grouped at the ledger's grain (staging/cur_line_item_groups.sql), for legacy CUR and CUR 2.0
-- alike. Always written by the raw stage: from the copied rows when a source keeps its line items
-- (raw_line_items: copy, the default), from one validating scan of the delivered objects when it does not
-- (raw_line_items: reference), in which case these groups and raw.delivery_objects are the raw partition.
CREATE TABLE IF NOT EXISTS raw.cur_line_item_groups (
    source_kind VARCHAR NOT NULL,           -- aws_cur | aws_cur2
    raw_storage VARCHAR NOT NULL,           -- copied (line items also in raw.aws_cur*_line_items) | referenced | archived
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    assembly_id VARCHAR NOT NULL,           -- assemblyId (legacy CUR) or executionId (CUR 2.0)
    object_key VARCHAR NOT NULL,
    payer_account_id VARCHAR,
    usage_account_id VARCHAR,
    region_code VARCHAR,
    product_code VARCHAR,
    usage_type VARCHAR,
    line_item_type VARCHAR,
    instance_type VARCHAR,
    vcpu INTEGER,
    pricing_unit VARCHAR,
    currency VARCHAR,
    flag VARCHAR,
    line_item_count BIGINT NOT NULL,
    first_line BIGINT NOT NULL,             -- object_line of the group's first line item (drill-down starts here)
    last_line BIGINT NOT NULL,
    first_usage_start TIMESTAMP,
    last_usage_start TIMESTAMP,
    quantity DOUBLE NOT NULL,
    cost DECIMAL(38, 10) NOT NULL
);

-- Every object a CUR delivery was read from, with the version it was read at: with raw_line_items: reference
-- this is what the raw partition points at (the line items stay in the delivered objects; docs/performance.md
-- says what that asks of the bucket), and in either mode it is where an auditor starts a drill-down.
CREATE TABLE IF NOT EXISTS raw.delivery_objects (
    source_kind VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    delivery_id VARCHAR NOT NULL,
    object_key VARCHAR NOT NULL,            -- relative to the source's uri
    object_uri VARCHAR NOT NULL,            -- where it was read: s3://bucket/key or a local path
    object_version VARCHAR,                 -- ETag (S3) or size and mtime (local file), as the landing reports it
    raw_storage VARCHAR NOT NULL,           -- copied | referenced | archived
    line_items BIGINT NOT NULL              -- rows read from the object (= the rows its groups count)
);
-- raw_line_items: archive (sources/archive.py): the pipeline's own read-only copy of the object, the bytes the
-- month was read from, under <warehouse>.archive/; NULL for copied and referenced objects.
ALTER TABLE raw.delivery_objects ADD COLUMN IF NOT EXISTS archived_as VARCHAR;      -- <source>/<sha256>/<name>
ALTER TABLE raw.delivery_objects ADD COLUMN IF NOT EXISTS archived_sha256 VARCHAR;  -- SHA-256 of those bytes
