-- Own-operations activity (issue 3 item 7, issue 4 items 4, 6, 7): the columns the activity templates
-- (docs/activity_templates.md) carry beyond the original electricity / fuel / travel ones. The factor
-- tables the own-operations emissions read (validity columns, geography parents, certificates, exchange
-- rates, price indices) are the factor library's: 60_factor_library.sql, which runs first.

-- raw: the new template columns and the source options that apply to the row
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS supplier VARCHAR;            -- electricity / spend supplier
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS cabin VARCHAR;               -- flights: economy, business ...
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS haul VARCHAR;                -- flights: explicit band
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS ownership VARCHAR;           -- vehicles: owned | employee | rental
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS description VARCHAR;         -- spend: the invoice line's text
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS factor_geography VARCHAR;    -- source option (default geography)
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS radiative_forcing BOOLEAN;   -- source option (flights)
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS supplier_provider VARCHAR;   -- spend: cloud provider the supplier is
ALTER TABLE raw.activity_rows ADD COLUMN IF NOT EXISTS reading VARCHAR;             -- electricity: meter | invoice | estimate (NULL: not said)

-- ledger: who supplied it (electricity supplier id for supplier factors; spend supplier)
ALTER TABLE ledger.activity ADD COLUMN IF NOT EXISTS supplier VARCHAR;
-- ledger: how an electricity row's kWh was obtained (meter | invoice | estimate; NULL: not said, read as
-- invoice); the activity tier of docs/uncertainty.md is read from it
ALTER TABLE ledger.activity ADD COLUMN IF NOT EXISTS reading VARCHAR;

-- emissions: what fell back when the factor was chosen, in words (NULL: the exact factor)
ALTER TABLE emissions.activity_emissions ADD COLUMN IF NOT EXISTS factor_fallback VARCHAR;
