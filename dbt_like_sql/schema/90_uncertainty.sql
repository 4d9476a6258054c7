-- Uncertainty and data quality (issue 17, docs/uncertainty.md). Idempotent, like 00_warehouse.sql.

-- default relative uncertainty (95 % half-width) per data-quality tier, with its source; shipped file
-- carbon_pipeline/factors/data/uncertainty_defaults.csv, overridable with settings.uncertainty
CREATE TABLE IF NOT EXISTS factors.uncertainty_defaults (
    axis VARCHAR NOT NULL,                  -- activity | factor
    tier VARCHAR NOT NULL,
    u95_relative DOUBLE,                    -- NULL: derived (derivation says how)
    derivation VARCHAR NOT NULL,            -- given | min_max_watts
    source VARCHAR NOT NULL,
    reference VARCHAR,
    is_judgement BOOLEAN NOT NULL,
    note VARCHAR,
    source_file VARCHAR,
    file_sha256 VARCHAR
);
-- normal | lognormal: the shape of the tier's error (docs/uncertainty.md, "Monte Carlo where skewed")
ALTER TABLE factors.uncertainty_defaults ADD COLUMN IF NOT EXISTS distribution VARCHAR;

-- one row per figure that can reach the inventory: every emission row (emissions.activity_emissions,
-- same activity_id, period_month and method) and every selected provider-reported figure per method
CREATE TABLE IF NOT EXISTS emissions.emission_uncertainty (
    figure_id VARCHAR NOT NULL,             -- the emission row's activity_id, or provider:<source>:<row key>
    period_month DATE NOT NULL,
    method VARCHAR NOT NULL,                -- location | market
    figure_kind VARCHAR NOT NULL,           -- activity_emission | provider_reported
    basis VARCHAR NOT NULL,                 -- as in marts.scope_summary
    scope INTEGER,
    scope3_category INTEGER,
    provider VARCHAR,
    activity_label VARCHAR NOT NULL,        -- what the activity is, for the largest-contributor table
    counts_in_inventory BOOLEAN NOT NULL,   -- FALSE: a cloud estimate where the provider reported the month
    tco2e DOUBLE,
    factor_id VARCHAR,
    factor_resolution VARCHAR,
    flag VARCHAR,
    activity_tier VARCHAR,                  -- metered | invoiced | provider_reported | usage_estimated | ...
    factor_tier VARCHAR,                    -- exact_current | older_year | parent_geography | global_average | ...
    activity_u95 DOUBLE,                    -- relative 95 % half-width of the activity datum
    factor_u95 DOUBLE,                      -- relative 95 % half-width of the factor
    u95 DOUBLE,                             -- combined: sqrt(activity_u95^2 + factor_u95^2)
    tco2e_low DOUBLE,
    tco2e_high DOUBLE,
    activity_error_key VARCHAR,             -- rows with the same key share one activity error
    factor_error_key VARCHAR,               -- rows with the same key share one factor error
    u95_sources VARCHAR
);

-- marts.scope_summary's grain and tco2e, with the 95 % range and the tier mix
CREATE TABLE IF NOT EXISTS marts.scope_summary_uncertainty (
    period_month DATE NOT NULL,
    scope INTEGER,
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    tco2e DOUBLE,
    tco2e_low DOUBLE,
    tco2e_high DOUBLE,
    u95_relative DOUBLE,
    primary_data_share DOUBLE,
    largest_component_half_width DOUBLE,    -- for the check: a total never narrower than one of its rows
    sum_of_half_widths DOUBLE,              -- ... nor wider than all its errors fully correlated
    figures BIGINT
);

-- marts.cloud_reconciliation with the usage estimate's range and where the reported figure falls in it
CREATE TABLE IF NOT EXISTS marts.cloud_reconciliation_uncertainty (
    period_month DATE NOT NULL,
    provider VARCHAR NOT NULL,
    account_id VARCHAR,
    region VARCHAR NOT NULL,
    service VARCHAR NOT NULL,
    reported_location_tco2e DOUBLE,
    estimated_location_tco2e DOUBLE,
    estimated_tco2e_low DOUBLE,
    estimated_tco2e_high DOUBLE,
    reported_position VARCHAR               -- below_range | within_range | above_range | no_estimate | not_reported
);

-- the 95 % range of every total the two marts above show, computed once (dbt_like_sql/marts/uncertainty_ranges.sql)
CREATE TABLE IF NOT EXISTS marts.uncertainty_ranges (
    period_month DATE NOT NULL,
    cell_kind VARCHAR NOT NULL,             -- scope_summary | cloud_estimate
    scope INTEGER,                          -- scope_summary cells: marts.scope_summary's grain
    scope3_category INTEGER,
    method VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    provider VARCHAR,                       -- cloud_estimate cells: marts.cloud_reconciliation's grain
    account_id VARCHAR,
    region VARCHAR,
    service VARCHAR,
    tco2e DOUBLE,
    tco2e_low DOUBLE,
    tco2e_high DOUBLE,
    half_width DOUBLE,                      -- IPCC Approach 1 (quadrature of the error groups)
    propagation VARCHAR NOT NULL,           -- quadrature | monte_carlo (a skewed group in the cell)
    primary_data_share DOUBLE,
    largest_component_half_width DOUBLE,
    sum_of_half_widths DOUBLE,
    figures BIGINT,
    months_covered BIGINT                   -- months with figures (1 in the warehouse; the year's in the serving file)
);
ALTER TABLE marts.scope_summary_uncertainty ADD COLUMN IF NOT EXISTS half_width DOUBLE;
ALTER TABLE marts.scope_summary_uncertainty ADD COLUMN IF NOT EXISTS propagation VARCHAR;
ALTER TABLE marts.cloud_reconciliation_uncertainty ADD COLUMN IF NOT EXISTS propagation VARCHAR;

-- restatements (docs/restatements.md): the 95 % range each summary line was published with, and whether a
-- restated figure falls inside it. NULL for snapshots published before ranges were recorded.
ALTER TABLE published.scope_summary ADD COLUMN IF NOT EXISTS tco2e_low DOUBLE;
ALTER TABLE published.scope_summary ADD COLUMN IF NOT EXISTS tco2e_high DOUBLE;
ALTER TABLE audit.restatement_log ADD COLUMN IF NOT EXISTS published_tco2e_low DOUBLE;
ALTER TABLE audit.restatement_log ADD COLUMN IF NOT EXISTS published_tco2e_high DOUBLE;
ALTER TABLE audit.restatement_log ADD COLUMN IF NOT EXISTS within_published_range BOOLEAN;
