-- The factor library (issue 4 items 1-3): validity of each factor, the geography hierarchy the as-of
-- resolution walks, user-supplied certificates, and the catalogue's file list. Runs at every connection:
-- everything is IF NOT EXISTS. 61_activity.sql creates the same contract tables only if this has not.

-- The reporting period the publisher intends a factor for (NULL = open at that end), and the edition that
-- replaces it; data_year stays the year the underlying data describes (docs/factors.md, "as-of rule").
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS valid_from DATE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS valid_to DATE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS superseded_by VARCHAR;

-- egrid:* -> iso3:USA -> global; iso3:* -> global (rebuilt with the catalogue, from the geographies in it)
CREATE TABLE IF NOT EXISTS factors.geography_parents (
    child VARCHAR NOT NULL,
    parent VARCHAR NOT NULL,
    rule VARCHAR                            -- why the parent holds
);

-- energy attribute certificates the user brings (user_factor_files kind: certificates); never shipped
CREATE TABLE IF NOT EXISTS factors.certificates (
    certificate_id VARCHAR NOT NULL,
    site VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    kwh DOUBLE NOT NULL,
    instrument VARCHAR,                     -- GO, REGO, REC, I-REC, PPA
    registry VARCHAR,
    source_file VARCHAR,
    file_sha256 VARCHAR
);

-- annual average exchange rates and a price index for deflating spend: no public-domain copy was found
-- (docs/factors.md), so the library ships none; the tables exist for the emissions model's contract
CREATE TABLE IF NOT EXISTS factors.exchange_rates (
    currency VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    units_per_usd DOUBLE NOT NULL,          -- annual average
    source VARCHAR
);

CREATE TABLE IF NOT EXISTS factors.price_indices (
    index_name VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    source VARCHAR
);

-- every file the catalogue was loaded from: the catalogue's version is this set of checksums
CREATE TABLE IF NOT EXISTS factors.catalogue_files (
    source_file VARCHAR NOT NULL,           -- shipped file name, or the user file's path
    origin VARCHAR NOT NULL,                -- shipped | user:<kind>
    target_table VARCHAR NOT NULL,
    rows_loaded BIGINT NOT NULL,
    licence VARCHAR NOT NULL,
    redistributable BOOLEAN NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- the item contract of the factor library (data/contract_items.csv): what the shipped sets must cover;
-- item and geography may be LIKE patterns (naics:%, iso3:%); status required | not_shipped | user_supplied
CREATE TABLE IF NOT EXISTS factors.contract_items (
    item VARCHAR NOT NULL,
    activity_unit VARCHAR NOT NULL,
    geography VARCHAR NOT NULL,
    publisher VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    note VARCHAR
);
