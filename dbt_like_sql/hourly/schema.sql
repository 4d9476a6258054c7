-- Hourly carbon (issue 16, docs/hourly.md). Applied ONLY when the sources file turns hourly on
-- (carbon_pipeline/hourly/build.py, run by the hourly assets: carbon_pipeline/defs/hourly/), never with
-- dbt_like_sql/schema/: with hourly off none of these exist, so the annual warehouse and its golden fingerprint
-- are untouched. Created if missing; each asset then replaces its months (or, for the small configuration
-- tables zone_map, load_profiles and site_profiles, the whole table) from the files the sources file names.
CREATE SCHEMA IF NOT EXISTS hourly;

-- hourly grid intensity in normal form, each row with its file's provenance (like factors.emission_factors)
CREATE TABLE IF NOT EXISTS hourly.grid_factors (
    zone VARCHAR NOT NULL,                  -- grid zone / balancing authority / bidding zone, as the file names it
    hour_utc TIMESTAMP NOT NULL,            -- start of the hour, UTC
    kgco2e_per_kwh DOUBLE NOT NULL,
    boundary VARCHAR NOT NULL,              -- direct | lifecycle
    layout VARCHAR NOT NULL,                -- plain | electricitymaps | eia930_oge | synthetic
    publisher VARCHAR NOT NULL,             -- 'synthetic' for the invented demo profile
    dataset VARCHAR NOT NULL,
    edition VARCHAR NOT NULL,
    licence VARCHAR NOT NULL,
    redistributable BOOLEAN NOT NULL,
    source_file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS hourly.zone_map (
    kind VARCHAR NOT NULL,                  -- site | cloud_region
    key VARCHAR NOT NULL,                   -- site id | <provider>:<region>
    zone VARCHAR NOT NULL,
    residual_geography VARCHAR              -- geography of the zone's annual residual mix in factors.emission_factors
);

CREATE TABLE IF NOT EXISTS hourly.load_profiles (profile VARCHAR NOT NULL, hour_of_day INTEGER NOT NULL, weight DOUBLE NOT NULL);
CREATE TABLE IF NOT EXISTS hourly.site_profiles (site VARCHAR NOT NULL, profile VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS hourly.meter_hours (
    site VARCHAR NOT NULL,
    hour_utc TIMESTAMP NOT NULL,
    kwh DOUBLE NOT NULL,
    source_file VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS hourly.instruments (
    instrument_id VARCHAR NOT NULL,
    instrument VARCHAR NOT NULL,            -- GC (granular certificate) | PPA (generation profile)
    hour_utc TIMESTAMP NOT NULL,
    kwh DOUBLE NOT NULL,
    zone VARCHAR NOT NULL,                  -- the market boundary the energy was produced in
    technology VARCHAR,
    source_file VARCHAR NOT NULL
);

-- electricity by hour: sites (metered or profiled from monthly bills) and cloud regions (usage estimate)
CREATE TABLE IF NOT EXISTS hourly.consumption (
    entity_kind VARCHAR NOT NULL,           -- site | cloud_region
    entity VARCHAR NOT NULL,                -- site id | <provider>:<region>
    period_month DATE NOT NULL,
    hour_utc TIMESTAMP NOT NULL,
    kwh DOUBLE NOT NULL,
    shape VARCHAR NOT NULL                  -- metered | profiled_flat | profiled:<profile> | cur_hourly | focus_hourly | cloud_profiled_flat
);

CREATE TABLE IF NOT EXISTS hourly.location_hourly (
    entity_kind VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    zone VARCHAR,
    period_month DATE NOT NULL,
    hour_utc TIMESTAMP NOT NULL,
    kwh DOUBLE NOT NULL,
    shape VARCHAR NOT NULL,
    kgco2e_per_kwh DOUBLE,
    boundary VARCHAR,
    grid_publisher VARCHAR,
    tco2e DOUBLE,
    flag VARCHAR                            -- no_zone | no_hourly_factor (kept, never dropped)
);

CREATE TABLE IF NOT EXISTS hourly.matching (
    zone VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    hour_utc TIMESTAMP NOT NULL,
    consumption_kwh DOUBLE NOT NULL,
    supply_kwh DOUBLE NOT NULL,
    matched_kwh DOUBLE NOT NULL,
    unmatched_kwh DOUBLE NOT NULL,
    surplus_kwh DOUBLE NOT NULL,            -- not carried to any other hour
    status VARCHAR NOT NULL,                -- matched | deficit | surplus | no_consumption | outside_boundary
    unmatched_kgco2e_per_kwh DOUBLE,
    unmatched_factor_source VARCHAR,        -- residual_mix:<factor_id> | location_fallback:<publisher> | none
    tco2e DOUBLE
);

CREATE TABLE IF NOT EXISTS marts.hourly_vs_annual (
    period_month DATE NOT NULL,
    entity_kind VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    zone VARCHAR,
    annual_kwh DOUBLE,
    hourly_kwh DOUBLE,
    annual_tco2e DOUBLE,
    hourly_tco2e DOUBLE,
    difference_tco2e DOUBLE,
    hourly_to_annual DOUBLE,
    -- the difference split in two: the same kWh at the zone's unweighted mean hourly factor of the month ...
    hourly_flat_tco2e DOUBLE,
    timing_effect_tco2e DOUBLE,             -- hourly - flat: WHEN the kWh were used
    factor_effect_tco2e DOUBLE,             -- flat - annual: WHICH factors (hourly set vs annual factor)
    profiled_kwh_share DOUBLE,
    kwh_without_hourly_factor DOUBLE,
    grid_publishers VARCHAR,
    note VARCHAR
);

CREATE TABLE IF NOT EXISTS marts.hourly_market_scope2 (
    period_month DATE NOT NULL,
    zone VARCHAR NOT NULL,
    consumption_kwh DOUBLE NOT NULL,
    supply_kwh DOUBLE NOT NULL,
    matched_kwh DOUBLE NOT NULL,
    unmatched_kwh DOUBLE NOT NULL,
    surplus_kwh DOUBLE NOT NULL,
    hours_with_consumption BIGINT NOT NULL,
    hours_fully_matched BIGINT NOT NULL,
    cfe_score DOUBLE,                       -- matched kWh / consumption kWh (the 24x7 CFE score)
    hourly_market_tco2e DOUBLE,
    annual_market_tco2e DOUBLE,             -- today's market-based figure (annual matching), emissions.activity_emissions
    unmatched_factor_sources VARCHAR,
    method VARCHAR NOT NULL
);
