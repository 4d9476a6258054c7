-- Own-operations activity (issue 3 item 7, issue 4 items 4, 6, 7): the columns the activity templates
-- (docs/activity_templates.md) carry beyond the original electricity / fuel / travel ones, and the
-- factor-library tables the own-operations emissions read. The factor tables are created here only if
-- the factor library (60_factor_library.sql, run first) has not: the same contract columns, so the
-- emissions model runs, with no rows, on a warehouse whose factor library has none.

-- raw: the new template columns and the source options that apply to the row
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS supplier VARCHAR;            -- electricity / spend supplier
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS cabin VARCHAR;               -- flights: economy, business ...
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS haul VARCHAR;                -- flights: explicit band
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS ownership VARCHAR;           -- vehicles: owned | employee | rental
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS description VARCHAR;         -- spend: the invoice line's text
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS factor_geography VARCHAR;    -- source option (default geography)
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS radiative_forcing BOOLEAN;   -- source option (flights)
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS supplier_provider VARCHAR;   -- spend: cloud provider the supplier is

-- ledger: who supplied it (electricity supplier id for supplier factors; spend supplier)
ALTER TABLE ledger.activity ADD COLUMN IF NOT EXISTS supplier VARCHAR;

-- emissions: what fell back when the factor was chosen, in words (NULL: the exact factor)
ALTER TABLE emissions.activity_emissions ADD COLUMN IF NOT EXISTS factor_fallback VARCHAR;

-- factor library columns and tables the as-of resolution reads (contract shared with the factor library)
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS valid_from DATE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS valid_to DATE;
ALTER TABLE factors.emission_factors ADD COLUMN IF NOT EXISTS superseded_by VARCHAR;

CREATE TABLE IF NOT EXISTS factors.geography_parents (
    child VARCHAR NOT NULL,
    parent VARCHAR NOT NULL
);

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
