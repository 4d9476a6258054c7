-- FOCUS (FinOps Open Cost and Usage Specification) charges from any provider, one row per line of
-- each object read. Idempotent; never drops data.
CREATE TABLE IF NOT EXISTS raw.focus_charges (
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,             -- billing period folder (manifest layout) or month of ChargePeriodStart
    focus_version VARCHAR NOT NULL,         -- 1.0 | 1.1 | 1.2, detected from the object's columns
    delivery_id VARCHAR NOT NULL,           -- export executionId, or the file's sha256
    object_key VARCHAR NOT NULL,
    object_line BIGINT NOT NULL,            -- CSV: 1-based line, header = line 1; Parquet: 1-based row
    provider VARCHAR NOT NULL,              -- ProviderName normalised: aws | azure | gcp | oci | kebab-case name
    billing_account_id VARCHAR,
    sub_account_id VARCHAR,
    region VARCHAR,                         -- RegionId; NULL where the charge has none
    service_name VARCHAR,
    service_category VARCHAR,
    charge_category VARCHAR,                -- Usage | Purchase | Tax | Credit | Adjustment
    charge_class VARCHAR,                   -- Correction, else NULL
    charge_period_start TIMESTAMP,          -- UTC
    consumed_quantity DOUBLE,
    consumed_unit VARCHAR,
    pricing_quantity DOUBLE,
    pricing_unit VARCHAR,
    billed_cost DECIMAL(38, 10),
    effective_cost DECIMAL(38, 10),
    currency VARCHAR NOT NULL,              -- BillingCurrency
    sku_id VARCHAR,
    resource_id VARCHAR,
    flag VARCHAR                            -- NULL, or why the row needs a look (kept, never dropped)
);
