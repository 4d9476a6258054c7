-- Cloud billing fidelity (issue 3 leftovers) and the FOCUS usage estimate (issue 4, item 5). Idempotent;
-- never drops data.

-- Dynamic CUR columns kept as JSON object text, one column per kind, so that a tag activated next month is a
-- new key, not a new column: legacy `resourceTags/user:team` and Parquet `resource_tags_user_team` columns
-- and CUR 2.0's `resource_tags` map in resource_tags (schema/30_cur2.sql); legacy `costCategory/<name>`
-- columns and CUR 2.0's `cost_category` map in cost_category. Legacy keys are the Athena spelling of the
-- header after its category (`user:team` -> `user_team`, as in CUR 2.0's map); CUR 2.0 keys are kept as
-- delivered. NULL when the row has no non-empty value. Text rather than MAP(VARCHAR, VARCHAR): a MAP column
-- costs about three times the CPU per row to store (docs/sources.md).
ALTER TABLE raw.aws_cur_line_items ADD COLUMN IF NOT EXISTS cost_category VARCHAR;
ALTER TABLE raw.aws_cur2_line_items ADD COLUMN IF NOT EXISTS cost_category VARCHAR;

-- FOCUS columns the usage estimate classifies with. AWS exports carry CUR's usage type, operation and
-- service code in x_UsageType, x_Operation, x_ServiceCode; sku_meter is FOCUS 1.1's SkuMeter, else Azure's
-- x_SkuMeterCategory | x_SkuMeterSubcategory | x_SkuMeterName; sku_price_details is FOCUS 1.1's
-- SkuPriceDetails (JSON), else Azure's x_SkuDetails (JSON, where the VM's VCPUs are).
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS usage_type VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS operation VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS service_code VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS resource_type VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS charge_description VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS sku_meter VARCHAR;
ALTER TABLE raw.focus_charges ADD COLUMN IF NOT EXISTS sku_price_details VARCHAR;

-- Azure, Google Cloud and OCI region -> the geography whose grid factor applies (as factors.aws_region_grid
-- does for AWS): US regions by eGRID subregion, elsewhere the country.
CREATE TABLE IF NOT EXISTS factors.cloud_region_grid (
    provider VARCHAR NOT NULL,              -- azure | gcp | oci (FOCUS ProviderName normalised)
    region_code VARCHAR NOT NULL,           -- FOCUS RegionId as the provider writes it
    location VARCHAR,
    iso3 VARCHAR,
    grid_area VARCHAR,
    geography VARCHAR NOT NULL,
    geography_note VARCHAR,
    source VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);
