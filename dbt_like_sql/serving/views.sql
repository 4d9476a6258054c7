-- Stable views for BI tools in the serving file (schema bi; see docs/data_dictionary.md). Dashboards
-- should query these, not the tables: the tables follow the pipeline's needs, these names and columns
-- change only on purpose. Every name is schema-qualified without a catalog, so the views resolve inside
-- the serving file alone (the warehouse is detached before it is published).
CREATE SCHEMA IF NOT EXISTS bi;

CREATE OR REPLACE VIEW bi.scope_summary AS
SELECT period_month, year(period_month) AS reporting_year, scope, scope3_category,
    'Scope ' || CAST(scope AS VARCHAR) || COALESCE(' cat ' || CAST(scope3_category AS VARCHAR), '') AS scope_label,
    method, basis, tco2e
FROM marts.scope_summary;
COMMENT ON VIEW bi.scope_summary IS 'The GHG inventory (marts.scope_summary) with reporting year and a scope label: month x scope x Scope 3 category x method x basis, tCO2e.';
COMMENT ON COLUMN bi.scope_summary.period_month IS 'First day of the reporting month.';
COMMENT ON COLUMN bi.scope_summary.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.scope_summary.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.scope_summary.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.scope_summary.scope_label IS 'Display label, e.g. Scope 2 or Scope 3 cat 1.';
COMMENT ON COLUMN bi.scope_summary.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.scope_summary.basis IS 'reported, estimated_usage, estimated_spend or activity.';
COMMENT ON COLUMN bi.scope_summary.tco2e IS 'Metric tons CO2e.';

CREATE OR REPLACE VIEW bi.cloud_emissions AS
SELECT period_month, year(period_month) AS reporting_year, provider, account_id, region, service, basis,
    provider_scope, location_tco2e, market_tco2e, energy_kwh, model_version
FROM marts.cloud_emissions;
COMMENT ON VIEW bi.cloud_emissions IS 'Cloud emissions (marts.cloud_emissions): provider-reported beside usage-estimated; never sum the two bases.';
COMMENT ON COLUMN bi.cloud_emissions.period_month IS 'First day of the usage month.';
COMMENT ON COLUMN bi.cloud_emissions.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.cloud_emissions.provider IS 'Cloud provider: aws, azure, gcp, oci, ...';
COMMENT ON COLUMN bi.cloud_emissions.account_id IS 'Usage account / subscription / project, leading zeros kept.';
COMMENT ON COLUMN bi.cloud_emissions.region IS 'Provider region code; global where none.';
COMMENT ON COLUMN bi.cloud_emissions.service IS 'Provider product / service code.';
COMMENT ON COLUMN bi.cloud_emissions.basis IS 'reported or estimated_usage.';
COMMENT ON COLUMN bi.cloud_emissions.provider_scope IS 'The provider''s own scope split where known, else NULL; always the customer''s Scope 3 category 1.';
COMMENT ON COLUMN bi.cloud_emissions.location_tco2e IS 'Location-based metric tons CO2e; NULL where the provider reports none.';
COMMENT ON COLUMN bi.cloud_emissions.market_tco2e IS 'Market-based metric tons CO2e; NULL where unknown.';
COMMENT ON COLUMN bi.cloud_emissions.energy_kwh IS 'Estimated energy incl. PUE; NULL for reported rows.';
COMMENT ON COLUMN bi.cloud_emissions.model_version IS 'Provider methodology version; NULL for estimates.';

CREATE OR REPLACE VIEW bi.cloud_reconciliation AS
SELECT period_month, year(period_month) AS reporting_year, provider, account_id, region, service,
    reported_location_tco2e, estimated_location_tco2e, reported_to_estimated_ratio
FROM marts.cloud_reconciliation;
COMMENT ON VIEW bi.cloud_reconciliation IS 'Provider-reported vs usage-estimated location-based tCO2e side by side (marts.cloud_reconciliation).';
COMMENT ON COLUMN bi.cloud_reconciliation.period_month IS 'First day of the usage month.';
COMMENT ON COLUMN bi.cloud_reconciliation.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.cloud_reconciliation.provider IS 'Cloud provider.';
COMMENT ON COLUMN bi.cloud_reconciliation.account_id IS 'Usage account / subscription / project.';
COMMENT ON COLUMN bi.cloud_reconciliation.region IS 'Provider region code.';
COMMENT ON COLUMN bi.cloud_reconciliation.service IS 'Provider product / service code.';
COMMENT ON COLUMN bi.cloud_reconciliation.reported_location_tco2e IS 'Provider-reported location-based tCO2e; NULL where not reported.';
COMMENT ON COLUMN bi.cloud_reconciliation.estimated_location_tco2e IS 'Usage-estimated location-based tCO2e; NULL where no estimate.';
COMMENT ON COLUMN bi.cloud_reconciliation.reported_to_estimated_ratio IS 'reported / estimated; NULL where either is missing or the estimate is 0.';

CREATE OR REPLACE VIEW bi.inventory_by_year AS
SELECT year(period_month) AS reporting_year, scope, method, SUM(tco2e) AS tco2e,
    COUNT(DISTINCT period_month) AS months_covered
FROM marts.scope_summary
GROUP BY ALL;
COMMENT ON VIEW bi.inventory_by_year IS 'Inventory totals per reporting year x scope x method (all categories and bases summed), with the months covered.';
COMMENT ON COLUMN bi.inventory_by_year.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.inventory_by_year.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.inventory_by_year.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.inventory_by_year.tco2e IS 'Metric tons CO2e for the year (only the months covered).';
COMMENT ON COLUMN bi.inventory_by_year.months_covered IS 'Months of the year with inventory rows: below 12 means a partial year.';

CREATE OR REPLACE VIEW bi.audit_trail AS
SELECT e.period_month, e.method, e.basis, e.scope, e.scope3_category, e.tco2e, e.energy_kwh, e.formula,
    e.factor_resolution, e.flag AS emission_flag,
    a.activity_id, a.activity_type, a.source_id, a.source_kind, a.source_object, a.source_version, a.first_line,
    a.line_item_count, a.provider, a.account_id, a.region, a.service, a.usage_type, a.site, a.category,
    a.quantity, a.unit, a.cost, a.currency, a.estimation_class, a.flag AS ledger_flag,
    e.factor_id, e.factor_value, e.factor_unit, e.factor_data_year, e.factor_boundary,
    f.publisher AS factor_publisher, f.dataset AS factor_dataset, f.edition AS factor_edition,
    f.table_ref AS factor_table_ref, f.licence AS factor_licence, f.source_file AS factor_source_file,
    f.file_sha256 AS factor_file_sha256
FROM emissions.activity_emissions AS e
JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
LEFT JOIN factors.emission_factors AS f ON f.factor_id = e.factor_id;
COMMENT ON VIEW bi.audit_trail IS 'Every emission figure with the ledger row it was computed from (source object, delivery, first line, line-item count) and its factor''s provenance.';
COMMENT ON COLUMN bi.audit_trail.period_month IS 'First day of the activity month.';
COMMENT ON COLUMN bi.audit_trail.method IS 'location or market.';
COMMENT ON COLUMN bi.audit_trail.basis IS 'activity (own activity x factor) or estimated_usage (cloud usage estimate).';
COMMENT ON COLUMN bi.audit_trail.scope IS 'Scope of the reporting organisation.';
COMMENT ON COLUMN bi.audit_trail.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.audit_trail.tco2e IS 'Metric tons CO2e; NULL with emission_flag saying why.';
COMMENT ON COLUMN bi.audit_trail.energy_kwh IS 'Energy the figure was computed from, where energy-based.';
COMMENT ON COLUMN bi.audit_trail.formula IS 'How tco2e was computed from the activity and the factor.';
COMMENT ON COLUMN bi.audit_trail.factor_resolution IS 'exact, older_year, supplier, certificates+..., location_fallback or method_independent.';
COMMENT ON COLUMN bi.audit_trail.emission_flag IS 'Why there is no figure (e.g. no_usage_coefficient), else NULL.';
COMMENT ON COLUMN bi.audit_trail.activity_id IS 'Ledger activity id (stable hash of the activity grain).';
COMMENT ON COLUMN bi.audit_trail.activity_type IS 'cloud_usage, cloud_charge, electricity, fuel or travel.';
COMMENT ON COLUMN bi.audit_trail.source_id IS 'Configured source id (sources file).';
COMMENT ON COLUMN bi.audit_trail.source_kind IS 'Source kind: aws_cur, activity_csv, focus, ...';
COMMENT ON COLUMN bi.audit_trail.source_object IS 'Object / file the rows came from.';
COMMENT ON COLUMN bi.audit_trail.source_version IS 'Delivery identity: CUR assemblyId or file SHA-256.';
COMMENT ON COLUMN bi.audit_trail.first_line IS 'First line of the object that went into this activity.';
COMMENT ON COLUMN bi.audit_trail.line_item_count IS 'Source lines grouped into this activity.';
COMMENT ON COLUMN bi.audit_trail.provider IS 'Cloud provider, NULL for own operations.';
COMMENT ON COLUMN bi.audit_trail.account_id IS 'Cloud usage account, leading zeros kept.';
COMMENT ON COLUMN bi.audit_trail.region IS 'Cloud region code.';
COMMENT ON COLUMN bi.audit_trail.service IS 'Cloud service code.';
COMMENT ON COLUMN bi.audit_trail.usage_type IS 'Cloud usage type.';
COMMENT ON COLUMN bi.audit_trail.site IS 'Own-operations site.';
COMMENT ON COLUMN bi.audit_trail.category IS 'Fuel type or travel mode.';
COMMENT ON COLUMN bi.audit_trail.quantity IS 'Activity quantity in unit.';
COMMENT ON COLUMN bi.audit_trail.unit IS 'Unit of quantity.';
COMMENT ON COLUMN bi.audit_trail.cost IS 'Cost in currency (exact DECIMAL).';
COMMENT ON COLUMN bi.audit_trail.currency IS 'ISO currency code of cost.';
COMMENT ON COLUMN bi.audit_trail.estimation_class IS 'How the activity is estimated (compute, storage_ssd, electricity, ...), or cost_only / unclassified.';
COMMENT ON COLUMN bi.audit_trail.ledger_flag IS 'Why the ledger row needs a look, else NULL.';
COMMENT ON COLUMN bi.audit_trail.factor_id IS 'Factor used (publisher:dataset:item, or supplier:...).';
COMMENT ON COLUMN bi.audit_trail.factor_value IS 'Factor value in factor_unit.';
COMMENT ON COLUMN bi.audit_trail.factor_unit IS 'kgCO2e per activity unit.';
COMMENT ON COLUMN bi.audit_trail.factor_data_year IS 'Data year of the factor.';
COMMENT ON COLUMN bi.audit_trail.factor_boundary IS 'direct, lifecycle or supplier.';
COMMENT ON COLUMN bi.audit_trail.factor_publisher IS 'Factor publisher; NULL for supplier factors given on the activity row.';
COMMENT ON COLUMN bi.audit_trail.factor_dataset IS 'Factor dataset.';
COMMENT ON COLUMN bi.audit_trail.factor_edition IS 'Factor dataset edition.';
COMMENT ON COLUMN bi.audit_trail.factor_table_ref IS 'Table of the publication the factor comes from.';
COMMENT ON COLUMN bi.audit_trail.factor_licence IS 'Licence of the factor data.';
COMMENT ON COLUMN bi.audit_trail.factor_source_file IS 'Shipped file the factor was loaded from.';
COMMENT ON COLUMN bi.audit_trail.factor_file_sha256 IS 'SHA-256 of that file.';
