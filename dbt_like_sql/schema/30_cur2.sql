-- CUR 2.0 (AWS Data Exports, table COST_AND_USAGE_REPORT) line items. Idempotent; never drops data.
-- The same columns as raw.aws_cur_line_items on purpose: both are filled by the same staging models
-- (staging/aws_cur_line_items*.sql), and the ledger reads them as one union. A table of its own (not
-- rows of raw.aws_cur_line_items) because Dagster materializes one raw asset per source kind, and one
-- asset per table keeps "which asset wrote these rows" a fact instead of a filter.
CREATE TABLE IF NOT EXISTS raw.aws_cur2_line_items (
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,             -- the BILLING_PERIOD= folder
    assembly_id VARCHAR NOT NULL,           -- the manifest's executionId (named as in the legacy table)
    object_key VARCHAR NOT NULL,
    object_line BIGINT NOT NULL,            -- Parquet: 1-based row; CSV: 1-based line, header = line 1
    line_item_id VARCHAR USING COMPRESSION uncompressed,  -- a random key: compressing it cost CPU, saved little (docs/performance.md, Profile 37)
    payer_account_id VARCHAR,               -- 12 digits: an int64 id is zero-padded back
    usage_account_id VARCHAR,
    line_item_type VARCHAR,
    product_code VARCHAR,
    usage_type VARCHAR,
    operation VARCHAR,
    usage_start TIMESTAMP,                  -- UTC
    usage_end TIMESTAMP,
    usage_amount DOUBLE,
    pricing_unit VARCHAR,
    unblended_cost DECIMAL(38, 10),
    currency VARCHAR,
    region_code VARCHAR,                    -- product_region_code, else product['region']
    product_location VARCHAR,
    instance_type VARCHAR,
    vcpu INTEGER,                           -- product['vcpu']
    flag VARCHAR,                           -- NULL, or why the row needs a look (kept, never dropped)
    resource_tags VARCHAR                   -- the resource_tags map as a JSON object, NULL when empty
);

-- The legacy table gets the same column so that one staging model fills both; legacy CUR's one
-- resourceTags/* column per tag is folded into it (schema/80_cloud_billing.sql).
ALTER TABLE raw.aws_cur_line_items ADD COLUMN IF NOT EXISTS resource_tags VARCHAR;
