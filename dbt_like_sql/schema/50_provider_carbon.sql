-- Provider-reported emissions from providers other than the AWS carbon export: Google Cloud Carbon
-- Footprint exports (gcp_carbon), Azure Carbon Optimization exports (azure_carbon) and the AWS
-- Sustainability API (aws_sustainability_api). One table for the three, not one each: after the
-- readers' staging SQL they have the same shape (month x account x region x service, per provider scope,
-- location and market), so the ledger selects model versions in one query and the checks read one
-- table. Values are metric tons: GCP and Azure report kilograms and are divided by 1000 in staging.
-- Each provider scope is stored as it counts under each method: GCP scope 1 and scope 3 and AWS
-- scope 1 have no location/market distinction and are written to both columns; Azure reports only
-- location-based figures, so its market columns stay NULL. Idempotent; never drops data.
CREATE TABLE IF NOT EXISTS raw.provider_carbon_emissions (
    source_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,           -- gcp_carbon | azure_carbon | aws_sustainability_api
    provider VARCHAR NOT NULL,              -- gcp | azure | aws
    period_month DATE NOT NULL,             -- the row's own usage month
    model_version VARCHAR NOT NULL,         -- GCP carbon_model_version as text | 'azure' | API ModelVersion
    model_version_rank VARCHAR NOT NULL,    -- zero-padded numeric parts: orders 9 < 10, v1 < v2.0.0
    delivery_id VARCHAR NOT NULL,           -- file sha256, or sha256 of the API's result items
    object_key VARCHAR NOT NULL,            -- file name, or the API request (operation and month)
    object_line BIGINT NOT NULL,            -- CSV: 1-based line, header = line 1; else 1-based record
    billing_account_id VARCHAR,
    account_id VARCHAR,                     -- GCP project id | Azure subscription id | AWS usage account
    region VARCHAR,
    location VARCHAR,
    service VARCHAR,
    category_type VARCHAR,                  -- Azure categoryType of the row (Subscription, Resource, ...)
    item_name VARCHAR,                      -- Azure itemName
    total_lbm_tco2e DOUBLE,
    total_mbm_tco2e DOUBLE,
    scope_1_lbm_tco2e DOUBLE,
    scope_1_mbm_tco2e DOUBLE,
    scope_2_lbm_tco2e DOUBLE,
    scope_2_mbm_tco2e DOUBLE,
    scope_3_lbm_tco2e DOUBLE,
    scope_3_mbm_tco2e DOUBLE
);

-- One view per source kind, so each raw asset names a relation holding exactly its rows.
CREATE OR REPLACE VIEW raw.gcp_carbon_emissions AS
    SELECT * FROM raw.provider_carbon_emissions WHERE source_kind = 'gcp_carbon';
CREATE OR REPLACE VIEW raw.azure_carbon_emissions AS
    SELECT * FROM raw.provider_carbon_emissions WHERE source_kind = 'azure_carbon';
CREATE OR REPLACE VIEW raw.aws_sustainability_emissions AS
    SELECT * FROM raw.provider_carbon_emissions WHERE source_kind = 'aws_sustainability_api';
