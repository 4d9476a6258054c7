-- The warehouse's tables. Idempotent: run at every connection; never drops data.
-- No PRIMARY KEYs: DuckDB's ART indexes reject a delete-then-reinsert of the same key inside one
-- transaction, which is exactly how partitions are replaced. Uniqueness is an asset check instead.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS ledger;
CREATE SCHEMA IF NOT EXISTS factors;
CREATE SCHEMA IF NOT EXISTS emissions;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS audit;

-- One row per delivery seen for a source and month: the loaded one and any it superseded.
CREATE TABLE IF NOT EXISTS raw.deliveries (
    source_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    delivery_id VARCHAR NOT NULL,          -- CUR assemblyId, export executionId, or file checksum
    model_version VARCHAR,                  -- carbon exports: the provider's methodology version
    manifest_key VARCHAR,
    object_count INTEGER,
    row_count BIGINT,
    status VARCHAR NOT NULL                 -- loaded | superseded
);

CREATE TABLE IF NOT EXISTS raw.aws_cur_line_items (
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    assembly_id VARCHAR NOT NULL,
    object_key VARCHAR NOT NULL,
    object_line BIGINT NOT NULL,           -- 1-based line in the (decompressed) file, header = line 1
    line_item_id VARCHAR USING COMPRESSION uncompressed,  -- a random key: compressing it cost CPU, saved little (docs/performance.md, Profile 37)
    payer_account_id VARCHAR,
    usage_account_id VARCHAR,
    line_item_type VARCHAR,
    product_code VARCHAR,
    usage_type VARCHAR,
    operation VARCHAR,
    usage_start TIMESTAMP,
    usage_end TIMESTAMP,
    usage_amount DOUBLE,
    pricing_unit VARCHAR,
    unblended_cost DECIMAL(38, 10),
    currency VARCHAR,
    region_code VARCHAR,
    product_location VARCHAR,
    instance_type VARCHAR,
    vcpu INTEGER,
    flag VARCHAR                            -- NULL, or why the row needs a look (kept, never dropped)
);

CREATE TABLE IF NOT EXISTS raw.aws_carbon_emissions (
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    model_version VARCHAR NOT NULL,
    model_version_rank VARCHAR NOT NULL,    -- zero-padded numeric parts: orders v1 < v2.0.0 < v10
    delivery_id VARCHAR NOT NULL,
    object_key VARCHAR NOT NULL,
    object_line BIGINT NOT NULL,
    last_refresh_timestamp TIMESTAMP,
    location VARCHAR,
    payer_account_id VARCHAR,
    usage_account_id VARCHAR,
    product_code VARCHAR,
    region_code VARCHAR,
    usage_period_start TIMESTAMP,
    usage_period_end TIMESTAMP,
    total_lbm_mtco2e DOUBLE,
    total_mbm_mtco2e DOUBLE,
    scope_1_mtco2e DOUBLE,
    scope_2_lbm_mtco2e DOUBLE,
    scope_2_mbm_mtco2e DOUBLE,
    scope_3_lbm_mtco2e DOUBLE,
    scope_3_mbm_mtco2e DOUBLE
);

CREATE TABLE IF NOT EXISTS raw.activity_rows (
    source_id VARCHAR NOT NULL,
    template VARCHAR NOT NULL,              -- electricity | fuel | travel
    period_month DATE NOT NULL,
    object_key VARCHAR NOT NULL,
    object_version VARCHAR NOT NULL,        -- sha256 of the file
    object_line BIGINT NOT NULL,
    activity_date DATE,
    site VARCHAR,
    country VARCHAR,
    grid_area VARCHAR,
    category VARCHAR,                       -- fuel type, travel mode
    quantity DOUBLE,
    unit VARCHAR,
    passengers DOUBLE,                      -- travel: travellers on the leg
    cost DECIMAL(38, 10),
    currency VARCHAR,
    supplier_kgco2e_per_kwh DOUBLE,
    certificate_kwh DOUBLE
);

CREATE TABLE IF NOT EXISTS factors.emission_factors (
    factor_id VARCHAR NOT NULL,             -- publisher:dataset:item
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,                  -- kgCO2e/<activity unit>
    activity_unit VARCHAR NOT NULL,
    gases VARCHAR,
    gwp_set VARCHAR,
    boundary VARCHAR NOT NULL,              -- direct | lifecycle
    geography VARCHAR NOT NULL,             -- egrid:SRVC, iso3:SWE, global
    item VARCHAR NOT NULL,                  -- electricity_grid, diesel_light_truck, air_long_haul ...
    data_year INTEGER NOT NULL,
    publisher VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    edition VARCHAR NOT NULL,
    table_ref VARCHAR,
    licence VARCHAR NOT NULL,
    redistributable BOOLEAN NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);
-- Per-gas factors where the publisher gives them (issue 15: emissions by gas): kg of CO2, CH4 and N2O per
-- activity unit and the GWPs that turn them into `value` (kgCO2e). NULL where the publisher gives CO2e only
-- (DESNZ flat file totals, Ember, EEA, USEEIO, CCF): those rows are reported as CO2e only, never split.
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS co2_kg_per_unit DOUBLE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS ch4_kg_per_unit DOUBLE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS n2o_kg_per_unit DOUBLE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS gwp_ch4 DOUBLE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS gwp_n2o DOUBLE;

CREATE TABLE IF NOT EXISTS factors.aws_region_grid (
    region_code VARCHAR NOT NULL,
    location VARCHAR,
    iso3 VARCHAR,
    grid_area VARCHAR,
    geography VARCHAR NOT NULL,
    geography_note VARCHAR,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS factors.cloud_usage_coefficients (
    profile VARCHAR NOT NULL,
    coefficient VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    reference VARCHAR,
    licence VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS factors.unit_conversions (
    from_unit VARCHAR NOT NULL,
    to_unit VARCHAR NOT NULL,
    multiplier DOUBLE NOT NULL,
    source VARCHAR NOT NULL,
    reference VARCHAR
);

CREATE TABLE IF NOT EXISTS ledger.activity (
    activity_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    source_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    source_object VARCHAR NOT NULL,
    source_version VARCHAR NOT NULL,
    line_item_count BIGINT NOT NULL,
    first_line BIGINT NOT NULL,
    activity_type VARCHAR NOT NULL,         -- cloud_usage | cloud_charge | electricity | fuel | travel
    provider VARCHAR,
    account_id VARCHAR,
    region VARCHAR,
    service VARCHAR,
    usage_type VARCHAR,
    line_item_type VARCHAR,
    instance_type VARCHAR,
    vcpu INTEGER,
    site VARCHAR,
    geography VARCHAR,
    category VARCHAR,
    quantity DOUBLE,
    unit VARCHAR,
    cost DECIMAL(38, 10),
    currency VARCHAR,
    supplier_kgco2e_per_kwh DOUBLE,
    certificate_kwh DOUBLE,
    scope INTEGER,
    scope3_category INTEGER,
    estimation_class VARCHAR NOT NULL,      -- compute | gpu | serverless_lambda | serverless_fargate | storage_ssd | storage_hdd
                                            -- | network | electricity | fuel | travel | cost_only | unclassified
    flag VARCHAR
);

CREATE TABLE IF NOT EXISTS ledger.provider_emissions (
    period_month DATE NOT NULL,
    source_id VARCHAR NOT NULL,
    provider VARCHAR NOT NULL,
    model_version VARCHAR NOT NULL,
    delivery_id VARCHAR NOT NULL,
    source_object VARCHAR NOT NULL,
    line_item_count BIGINT NOT NULL,
    account_id VARCHAR,
    region VARCHAR NOT NULL,
    location VARCHAR,
    service VARCHAR NOT NULL,
    provider_scope INTEGER,                 -- NULL: the export has no scope split for this row
    location_tco2e DOUBLE,
    market_tco2e DOUBLE,
    is_selected BOOLEAN NOT NULL,           -- the model version chosen for this month by policy
    selection_note VARCHAR
);

CREATE TABLE IF NOT EXISTS emissions.activity_emissions (
    activity_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    method VARCHAR NOT NULL,                -- location | market
    basis VARCHAR NOT NULL,                 -- activity | estimated_usage
    scope INTEGER,
    scope3_category INTEGER,
    energy_kwh DOUBLE,
    factor_id VARCHAR,
    factor_value DOUBLE,
    factor_unit VARCHAR,
    factor_boundary VARCHAR,
    factor_data_year INTEGER,
    factor_resolution VARCHAR,              -- exact | older_year | location_fallback | supplier | certificates
    formula VARCHAR NOT NULL,
    tco2e DOUBLE,
    flag VARCHAR,
    embodied_tco2e DOUBLE                   -- cloud hardware embodied emissions, included in tco2e
);

CREATE TABLE IF NOT EXISTS marts.cloud_emissions (
    period_month DATE NOT NULL,
    provider VARCHAR NOT NULL,
    account_id VARCHAR,
    region VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    provider_scope INTEGER,
    location_tco2e DOUBLE,
    market_tco2e DOUBLE,
    energy_kwh DOUBLE,
    model_version VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.cloud_reconciliation (
    period_month DATE NOT NULL,
    provider VARCHAR NOT NULL,
    account_id VARCHAR,
    region VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    reported_location_tco2e DOUBLE,
    estimated_location_tco2e DOUBLE,
    reported_to_estimated_ratio DOUBLE
);

CREATE TABLE IF NOT EXISTS marts.scope_summary (
    period_month DATE NOT NULL,
    scope INTEGER NOT NULL,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    tco2e DOUBLE NOT NULL
);

-- A period whose source delivery or chosen model version changed after it had been loaded.
CREATE TABLE IF NOT EXISTS audit.restatements (
    source_id VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    change_kind VARCHAR NOT NULL,           -- redelivery | model_version
    previous_identity VARCHAR NOT NULL,
    new_identity VARCHAR NOT NULL,
    previous_row_count BIGINT,
    new_row_count BIGINT,
    recorded_by_run VARCHAR
);
