-- The data dictionary of the serving file (see docs/data_dictionary.md), as DuckDB comments so BI
-- tools that read catalog comments show them.
COMMENT ON TABLE marts.scope_summary IS 'GHG inventory: one row per reporting month x scope x Scope 3 category x method x basis, tCO2e.';
COMMENT ON COLUMN marts.scope_summary.period_month IS 'First day of the reporting month.';
COMMENT ON COLUMN marts.scope_summary.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN marts.scope_summary.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN marts.scope_summary.method IS 'location or market; a figure where the method does not matter appears under both.';
COMMENT ON COLUMN marts.scope_summary.basis IS 'reported (provider figure), estimated_usage, estimated_spend, activity (own activity x factor).';
COMMENT ON COLUMN marts.scope_summary.tco2e IS 'Metric tons CO2e.';
COMMENT ON TABLE marts.cloud_emissions IS 'Cloud emissions by month x provider x account x region x service x basis x provider scope.';
COMMENT ON COLUMN marts.cloud_emissions.account_id IS 'Usage account / subscription / project, leading zeros kept.';
COMMENT ON COLUMN marts.cloud_emissions.region IS 'Provider region code; global where none.';
COMMENT ON COLUMN marts.cloud_emissions.basis IS 'reported or estimated_usage.';
COMMENT ON COLUMN marts.cloud_emissions.provider_scope IS 'The provider''s own scope (1, 2, 3) where the export splits it, else NULL. Always the customer''s Scope 3 category 1.';
COMMENT ON COLUMN marts.cloud_emissions.market_tco2e IS 'NULL where unknown (usage estimates have no market-based instruments).';
COMMENT ON COLUMN marts.cloud_emissions.energy_kwh IS 'Estimated energy incl. PUE; NULL for reported rows.';
COMMENT ON COLUMN marts.cloud_emissions.model_version IS 'Provider methodology version; NULL for estimates.';
COMMENT ON TABLE marts.cloud_reconciliation IS 'Provider-reported vs usage-estimated location-based tCO2e per month x provider x account x region x service, with reported / estimated.';
COMMENT ON TABLE ledger.activity IS 'Activity ledger: each row traceable to source id, object, delivery (assemblyId / file sha256) and line-item count.';
COMMENT ON TABLE ledger.provider_emissions IS 'Provider-reported emissions; every model version kept, is_selected marks the one counted.';
COMMENT ON TABLE emissions.activity_emissions IS 'Per-activity emissions with factor id, data year, resolution (fallbacks recorded) and formula.';
COMMENT ON TABLE factors.emission_factors IS 'Factor catalogue with publisher, edition, data year, boundary, licence and source-file SHA-256.';
COMMENT ON TABLE factors.aws_region_grid IS 'AWS region -> grid geography whose factor applies.';
COMMENT ON TABLE raw.deliveries IS 'Every delivery seen per source and month: loaded or superseded.';
COMMENT ON TABLE audit.restatements IS 'Months whose delivery or provider model version changed after they were loaded.';
