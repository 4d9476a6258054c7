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
WITH reported_coverage AS (
    -- (month, provider) pairs whose provider reported a figure for the method: the inventory counts those
    -- figures and leaves the provider's usage estimate out (marts/scope_summary.sql)
    SELECT period_month, provider, COUNT(location_tco2e) > 0 AS has_location, COUNT(market_tco2e) > 0 AS has_market
    FROM marts.cloud_emissions WHERE basis = 'reported' GROUP BY ALL
)
SELECT c.period_month, year(c.period_month) AS reporting_year, c.provider, c.account_id, c.region, c.service, c.basis,
    c.provider_scope, c.location_tco2e, c.market_tco2e, c.energy_kwh, c.model_version,
    CASE WHEN c.basis = 'reported' THEN c.location_tco2e IS NOT NULL
        ELSE c.location_tco2e IS NOT NULL AND NOT COALESCE(r.has_location, false) END AS counted_location,
    CASE WHEN c.basis = 'reported' THEN c.market_tco2e IS NOT NULL
        ELSE c.location_tco2e IS NOT NULL AND NOT COALESCE(r.has_market, false) END AS counted_market,
    CASE WHEN c.basis = 'reported' THEN c.market_tco2e ELSE c.location_tco2e END AS inventory_market_tco2e
FROM marts.cloud_emissions AS c
LEFT JOIN reported_coverage AS r ON r.period_month = c.period_month AND r.provider = c.provider;
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
COMMENT ON COLUMN bi.cloud_emissions.counted_location IS 'True where location_tco2e is in the inventory (marts.scope_summary): reported rows, and estimates of a month and provider with no reported location figure. SUM(location_tco2e) FILTER (WHERE counted_location) = the inventory''s cloud location-based tCO2e.';
COMMENT ON COLUMN bi.cloud_emissions.counted_market IS 'True where inventory_market_tco2e is in the inventory: reported rows with a market figure, and estimates of a month and provider with no reported market figure.';
COMMENT ON COLUMN bi.cloud_emissions.inventory_market_tco2e IS 'Market-based tCO2e as the inventory counts it: the reported market figure, or for estimates the location-based estimate (the location factor stands in, recorded as a fallback). SUM(inventory_market_tco2e) FILTER (WHERE counted_market) = the inventory''s cloud market-based tCO2e.';

CREATE OR REPLACE VIEW bi.cloud_reconciliation AS
WITH reported_coverage AS (
    SELECT DISTINCT period_month, provider FROM marts.cloud_reconciliation WHERE reported_location_tco2e IS NOT NULL
)
SELECT c.period_month, year(c.period_month) AS reporting_year, c.provider, c.account_id, c.region, c.service,
    c.reported_location_tco2e, c.estimated_location_tco2e, c.reported_to_estimated_ratio,
    CASE WHEN r.provider IS NOT NULL THEN c.reported_location_tco2e ELSE c.estimated_location_tco2e END
        AS inventory_location_tco2e
FROM marts.cloud_reconciliation AS c
LEFT JOIN reported_coverage AS r ON r.period_month = c.period_month AND r.provider = c.provider;
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
COMMENT ON COLUMN bi.cloud_reconciliation.inventory_location_tco2e IS 'The location-based tCO2e the inventory counts for the line: reported where the provider reported for the month, else the estimate. SUM(inventory_location_tco2e) = the inventory''s cloud location-based tCO2e.';

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
WITH reported_coverage AS (
    SELECT DISTINCT period_month, provider, 'location' AS method FROM ledger.provider_emissions
    WHERE is_selected AND location_tco2e IS NOT NULL
    UNION
    SELECT DISTINCT period_month, provider, 'market' FROM ledger.provider_emissions
    WHERE is_selected AND market_tco2e IS NOT NULL
),
cloud_scope AS (
    -- where the inventory puts cloud (the cloud_scope_policy setting): its reported rows' scope and category
    SELECT DISTINCT period_month, scope, scope3_category FROM marts.scope_summary WHERE basis = 'reported'
)
SELECT e.period_month, e.method, e.basis, e.scope, e.scope3_category, e.tco2e, e.energy_kwh, e.formula,
    e.tco2e IS NOT NULL AND (a.activity_type <> 'cloud_usage' OR rc.provider IS NULL) AS counted,
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
LEFT JOIN factors.emission_factors AS f ON f.factor_id = e.factor_id
LEFT JOIN reported_coverage AS rc
    ON a.activity_type = 'cloud_usage' AND rc.period_month = e.period_month AND rc.provider = a.provider
   AND rc.method = e.method
UNION ALL BY NAME
-- the provider-reported cloud figures the inventory counts (selected model version), one row per method
SELECT p.period_month, m.method, 'reported' AS basis, COALESCE(s.scope, 3) AS scope,
    CASE WHEN s.scope IS NULL THEN 1 ELSE s.scope3_category END AS scope3_category,
    CASE m.method WHEN 'location' THEN p.location_tco2e ELSE p.market_tco2e END AS tco2e,
    CASE m.method WHEN 'location' THEN p.location_tco2e ELSE p.market_tco2e END IS NOT NULL AS counted,
    'provider-reported figure, model version ' || p.model_version AS formula,
    'provider_reported' AS factor_resolution, 'cloud_reported' AS activity_type, p.source_id,
    p.source_object, p.delivery_id AS source_version, p.line_item_count, p.provider, p.account_id, p.region,
    p.service
FROM ledger.provider_emissions AS p
CROSS JOIN (VALUES ('location'), ('market')) AS m(method)
LEFT JOIN cloud_scope AS s ON s.period_month = p.period_month
WHERE p.is_selected;
COMMENT ON VIEW bi.audit_trail IS 'Every emission figure with the ledger row it was computed from (source object, delivery, first line, line-item count) and its factor''s provenance.';
COMMENT ON COLUMN bi.audit_trail.period_month IS 'First day of the activity month.';
COMMENT ON COLUMN bi.audit_trail.method IS 'location or market.';
COMMENT ON COLUMN bi.audit_trail.basis IS 'activity (own activity x factor), estimated_usage (cloud usage estimate) or reported (provider-reported cloud figure).';
COMMENT ON COLUMN bi.audit_trail.scope IS 'Scope of the reporting organisation.';
COMMENT ON COLUMN bi.audit_trail.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.audit_trail.tco2e IS 'Metric tons CO2e; NULL with emission_flag saying why.';
COMMENT ON COLUMN bi.audit_trail.energy_kwh IS 'Energy the figure was computed from, where energy-based.';
COMMENT ON COLUMN bi.audit_trail.formula IS 'How tco2e was computed from the activity and the factor.';
COMMENT ON COLUMN bi.audit_trail.counted IS 'True where tco2e is in the inventory (marts.scope_summary): own operations with a figure, provider-reported cloud figures, and usage estimates of a month, provider and method the provider reported nothing for. SUM(tco2e) FILTER (WHERE counted) per month, scope and method = marts.scope_summary.';
COMMENT ON COLUMN bi.audit_trail.factor_resolution IS 'exact, older_year, supplier, certificates+..., location_fallback or method_independent.';
COMMENT ON COLUMN bi.audit_trail.emission_flag IS 'Why there is no figure (e.g. no_usage_coefficient), else NULL.';
COMMENT ON COLUMN bi.audit_trail.activity_id IS 'Ledger activity id (stable hash of the activity grain).';
COMMENT ON COLUMN bi.audit_trail.activity_type IS 'cloud_usage, cloud_charge, electricity, fuel or travel; cloud_reported for a provider-reported figure.';
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

-- Published periods and restatements (docs/restatements.md).
CREATE OR REPLACE VIEW bi.published_scope_summary AS
WITH current_months AS (
    SELECT period_month, arg_max(snapshot_id, publication_seq) AS snapshot_id
    FROM (
        SELECT CAST(UNNEST(generate_series(first_month, last_month, INTERVAL 1 MONTH)) AS DATE) AS period_month,
            snapshot_id, publication_seq
        FROM published.snapshots
    )
    GROUP BY period_month
)
SELECT p.snapshot_id, c.snapshot_id IS NOT NULL AS is_current, s.published_at, s.note AS snapshot_note,
    p.period_month, year(p.period_month) AS reporting_year, p.scope, p.scope3_category,
    'Scope ' || CAST(p.scope AS VARCHAR) || COALESCE(' cat ' || CAST(p.scope3_category AS VARCHAR), '') AS scope_label,
    p.method, p.basis, p.tco2e, p.tco2e_low, p.tco2e_high
FROM published.scope_summary AS p
JOIN published.snapshots AS s ON s.snapshot_id = p.snapshot_id
LEFT JOIN current_months AS c ON c.period_month = p.period_month AND c.snapshot_id = p.snapshot_id;
COMMENT ON VIEW bi.published_scope_summary IS 'The inventory as published: every snapshot''s marts.scope_summary rows (insert-only, never changed); filter is_current for the figures currently reported.';
COMMENT ON COLUMN bi.published_scope_summary.snapshot_id IS 'Published snapshot: <first month>..<last month>.v<version>.';
COMMENT ON COLUMN bi.published_scope_summary.is_current IS 'True where this snapshot is the latest published for the month (a republication supersedes older versions).';
COMMENT ON COLUMN bi.published_scope_summary.published_at IS 'When the snapshot was published (UTC).';
COMMENT ON COLUMN bi.published_scope_summary.snapshot_note IS 'Note given when publishing.';
COMMENT ON COLUMN bi.published_scope_summary.period_month IS 'First day of the reporting month.';
COMMENT ON COLUMN bi.published_scope_summary.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.published_scope_summary.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.published_scope_summary.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.published_scope_summary.scope_label IS 'Display label, e.g. Scope 2 or Scope 3 cat 1.';
COMMENT ON COLUMN bi.published_scope_summary.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.published_scope_summary.basis IS 'reported, estimated_usage, estimated_spend or activity.';
COMMENT ON COLUMN bi.published_scope_summary.tco2e IS 'Metric tons CO2e as published.';
COMMENT ON COLUMN bi.published_scope_summary.tco2e_low IS 'Lower end of the 95 % range as published (marts.scope_summary_uncertainty); NULL for snapshots from before ranges were recorded.';
COMMENT ON COLUMN bi.published_scope_summary.tco2e_high IS 'Upper end of the 95 % range as published; NULL for snapshots from before ranges were recorded.';

CREATE OR REPLACE VIEW bi.restatement_log AS
SELECT snapshot_id, period_month, year(period_month) AS reporting_year, scope, scope3_category, method, basis,
    published_tco2e, current_tco2e, delta_tco2e, method_effect, activity_effect, factor_effect,
    provider_revision_effect, added_removed_effect, unattributed_effect, cause,
    published_tco2e_low, published_tco2e_high, within_published_range
FROM audit.restatement_log;
COMMENT ON VIEW bi.restatement_log IS 'Published months whose inventory differs now from their current snapshot: published vs current tCO2e per month x scope x category x method x basis, the delta split into its causes.';
COMMENT ON COLUMN bi.restatement_log.snapshot_id IS 'The month''s current published snapshot.';
COMMENT ON COLUMN bi.restatement_log.period_month IS 'First day of the restated month.';
COMMENT ON COLUMN bi.restatement_log.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.restatement_log.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.restatement_log.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.restatement_log.method IS 'location or market.';
COMMENT ON COLUMN bi.restatement_log.basis IS 'reported, estimated_usage, estimated_spend or activity.';
COMMENT ON COLUMN bi.restatement_log.published_tco2e IS 'tCO2e as published; NULL where the line was not published.';
COMMENT ON COLUMN bi.restatement_log.current_tco2e IS 'tCO2e in the inventory now; NULL where the line is gone.';
COMMENT ON COLUMN bi.restatement_log.delta_tco2e IS 'current - published (a missing side counts 0).';
COMMENT ON COLUMN bi.restatement_log.method_effect IS 'Part of the delta from method changes (provider model version, coefficient profile, factor dataset or resolution, formula).';
COMMENT ON COLUMN bi.restatement_log.activity_effect IS 'Part of the delta from changed activity: (A1 - A0) x F0 per bridge grain.';
COMMENT ON COLUMN bi.restatement_log.factor_effect IS 'Part of the delta from changed factor values under the same method: A1 x (F1 - F0).';
COMMENT ON COLUMN bi.restatement_log.provider_revision_effect IS 'Part of the delta from a provider revising its reported figures under the same model version.';
COMMENT ON COLUMN bi.restatement_log.added_removed_effect IS 'Part of the delta from bridge lines that appeared or disappeared.';
COMMENT ON COLUMN bi.restatement_log.unattributed_effect IS 'Part of the delta in inventory rows the bridge grain does not explain (see bi.restatement_bridge); normally 0.';
COMMENT ON COLUMN bi.restatement_log.cause IS 'The non-zero parts, largest first, and the method signatures that changed.';
COMMENT ON COLUMN bi.restatement_log.published_tco2e_low IS 'Lower end of the 95 % range the line was published with; NULL where none was recorded.';
COMMENT ON COLUMN bi.restatement_log.published_tco2e_high IS 'Upper end of the 95 % range the line was published with; NULL where none was recorded.';
COMMENT ON COLUMN bi.restatement_log.within_published_range IS 'True where the figure now (0 for a removed line) lies inside the published range: a change the published uncertainty allowed for; NULL where no range was published.';

CREATE OR REPLACE VIEW bi.restatement_bridge AS
SELECT snapshot_id, period_month, year(period_month) AS reporting_year, scope, scope3_category, method, basis,
    source_id, grain_kind, provider, account_id, region, service, activity_type, site, category, activity_unit,
    change_kind, published_signature, current_signature, published_quantity, current_quantity, published_factor,
    current_factor, published_tco2e, current_tco2e, delta_tco2e, method_effect, activity_effect, factor_effect,
    provider_revision_effect, added_removed_effect, unattributed_effect
FROM audit.restatement_bridge;
COMMENT ON VIEW bi.restatement_bridge IS 'The restatement bridge: one line per changed bridge grain of a published month, its delta split into method, activity, factor, provider-revision and added/removed effects that add up to it.';
COMMENT ON COLUMN bi.restatement_bridge.snapshot_id IS 'The month''s current published snapshot.';
COMMENT ON COLUMN bi.restatement_bridge.period_month IS 'First day of the month.';
COMMENT ON COLUMN bi.restatement_bridge.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.restatement_bridge.scope IS '1, 2 or 3, of the reporting organisation.';
COMMENT ON COLUMN bi.restatement_bridge.scope3_category IS '1-15 for Scope 3, else NULL.';
COMMENT ON COLUMN bi.restatement_bridge.method IS 'location or market.';
COMMENT ON COLUMN bi.restatement_bridge.basis IS 'reported, estimated_usage, estimated_spend or activity.';
COMMENT ON COLUMN bi.restatement_bridge.source_id IS 'Configured source id; (unattributed) for inventory rows not at the bridge grain.';
COMMENT ON COLUMN bi.restatement_bridge.grain_kind IS 'cloud_reported, cloud_estimated, own_operations or unattributed.';
COMMENT ON COLUMN bi.restatement_bridge.provider IS 'Cloud provider; NULL for own operations.';
COMMENT ON COLUMN bi.restatement_bridge.account_id IS 'Cloud usage account; NULL for own operations.';
COMMENT ON COLUMN bi.restatement_bridge.region IS 'Cloud region; NULL for own operations.';
COMMENT ON COLUMN bi.restatement_bridge.service IS 'Cloud service; NULL for own operations.';
COMMENT ON COLUMN bi.restatement_bridge.activity_type IS 'Own operations: electricity, fuel or travel.';
COMMENT ON COLUMN bi.restatement_bridge.site IS 'Own operations: site, vehicle or trip.';
COMMENT ON COLUMN bi.restatement_bridge.category IS 'Own operations: fuel type or travel mode.';
COMMENT ON COLUMN bi.restatement_bridge.activity_unit IS 'Unit of the quantities (the factor''s activity unit, kWh for cloud estimates).';
COMMENT ON COLUMN bi.restatement_bridge.change_kind IS 'method_change, activity_factor, provider_revision, added, removed or unattributed.';
COMMENT ON COLUMN bi.restatement_bridge.published_signature IS 'Method signature as published: basis with provider model version, or coefficient profile and files, factor ids and resolutions, formula.';
COMMENT ON COLUMN bi.restatement_bridge.current_signature IS 'Method signature now.';
COMMENT ON COLUMN bi.restatement_bridge.published_quantity IS 'Activity quantity as published (A0), in activity_unit; NULL for provider-reported figures.';
COMMENT ON COLUMN bi.restatement_bridge.current_quantity IS 'Activity quantity now (A1).';
COMMENT ON COLUMN bi.restatement_bridge.published_factor IS 'Effective factor as published (F0 = tCO2e / A0), tCO2e per activity_unit.';
COMMENT ON COLUMN bi.restatement_bridge.current_factor IS 'Effective factor now (F1).';
COMMENT ON COLUMN bi.restatement_bridge.published_tco2e IS 'tCO2e as published; NULL for an added line.';
COMMENT ON COLUMN bi.restatement_bridge.current_tco2e IS 'tCO2e now; NULL for a removed line.';
COMMENT ON COLUMN bi.restatement_bridge.delta_tco2e IS 'current - published (a missing side counts 0).';
COMMENT ON COLUMN bi.restatement_bridge.method_effect IS 'The whole delta when the method signature changed, else 0.';
COMMENT ON COLUMN bi.restatement_bridge.activity_effect IS '(A1 - A0) x F0 under an unchanged method (the whole delta where nothing was published for the grain''s factor).';
COMMENT ON COLUMN bi.restatement_bridge.factor_effect IS 'A1 x (F1 - F0) under an unchanged method (computed as delta - activity_effect, so the parts add up exactly).';
COMMENT ON COLUMN bi.restatement_bridge.provider_revision_effect IS 'The whole delta of a provider-reported line whose model version is unchanged, else 0.';
COMMENT ON COLUMN bi.restatement_bridge.added_removed_effect IS 'The whole delta of a line that appeared or disappeared, else 0.';
COMMENT ON COLUMN bi.restatement_bridge.unattributed_effect IS 'The whole delta of an unattributed line (inventory rows not at the bridge grain), else 0.';

-- Coverage of the cloud usage estimate (issue 14): per provider x month x service, how much of the usage
-- cost each rung of the estimate carries (emissions/activity_emissions.sql; the same reading as
-- reports/cloud_usage_coverage.sql and the blocking check checks/cloud_spend_fallback_share.sql).
CREATE OR REPLACE VIEW bi.cloud_usage_coverage AS
WITH usage AS (
    SELECT a.period_month, a.provider, COALESCE(a.service, 'unknown') AS service, a.cost,
        CASE
            WHEN e.tco2e IS NULL THEN 'no_figure'
            WHEN e.factor_resolution = 'spend_fallback' THEN 'spend'
            WHEN a.estimation_class = 'unclassified' THEN 'cost_prior'
            ELSE 'classified'
        END AS rung
    FROM ledger.activity AS a
    LEFT JOIN emissions.activity_emissions AS e
        ON e.activity_id = a.activity_id AND e.period_month = a.period_month AND e.method = 'location'
    WHERE a.activity_type = 'cloud_usage'
      AND a.flag IS DISTINCT FROM 'counted_in_ec2_rows' AND a.flag IS DISTINCT FROM 'negative_usage'
)
-- cost summed as DECIMAL: exact in any row order (the activity-grain tables are copied unsorted; a DOUBLE sum's
-- last digits depend on the order rows are added in)
SELECT period_month, provider, service,
    CAST(SUM(cost) AS DOUBLE) AS usage_cost,
    CAST(SUM(CASE WHEN rung = 'classified' THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS classified_share,
    CAST(SUM(CASE WHEN rung = 'cost_prior' THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS cost_prior_share,
    CAST(SUM(CASE WHEN rung = 'spend' THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS spend_fallback_share,
    CAST(SUM(CASE WHEN rung = 'no_figure' THEN cost ELSE 0 END) AS DOUBLE)
        / NULLIF(CAST(SUM(cost) AS DOUBLE), 0) AS no_figure_share
FROM usage
GROUP BY period_month, provider, service;
COMMENT ON VIEW bi.cloud_usage_coverage IS 'How much of each provider x month x service''s cloud usage cost the usage estimate classified, and how much rests on the kWh-per-cost prior, the spend-based fallback or no figure (issue 14).';
COMMENT ON COLUMN bi.cloud_usage_coverage.period_month IS 'First day of the usage month.';
COMMENT ON COLUMN bi.cloud_usage_coverage.provider IS 'aws, azure, gcp, oci, ...';
COMMENT ON COLUMN bi.cloud_usage_coverage.service IS 'Provider product/service code or name.';
COMMENT ON COLUMN bi.cloud_usage_coverage.usage_cost IS 'Usage cost in the billing currency (negative-usage corrections and usage carried by EC2 rows left out).';
COMMENT ON COLUMN bi.cloud_usage_coverage.classified_share IS 'Share of usage cost estimated from its own usage (vCPU-hours, GB-months, GB ...).';
COMMENT ON COLUMN bi.cloud_usage_coverage.cost_prior_share IS 'Share estimated as cost x the kWh per cost of the same provider-month''s classified usage (flag estimated_from_cost).';
COMMENT ON COLUMN bi.cloud_usage_coverage.spend_fallback_share IS 'Share estimated from spend with USEEIO''s data processing & hosting factor (flag estimated_from_spend).';
COMMENT ON COLUMN bi.cloud_usage_coverage.no_figure_share IS 'Share with no tCO2e (no grid factor, no exchange rate): counted on the last fallback by the blocking check.';

-- Uncertainty and data quality (issue 17, docs/uncertainty.md). A range is not additive: yearly and scope
-- ranges are computed from the figures again (marts.uncertainty_by_year: the publish runs
-- marts/uncertainty_ranges.sql over each year's figures), never by adding monthly ranges. Propagation: the
-- figures of one error group (one factor, the usage model, one provider's methodology) share one error; the
-- groups are added in quadrature, or drawn by a seeded Monte Carlo where a tier is lognormal.
-- the table is the serving file's own (carbon_pipeline/serving/publish.py computes it before these views are
-- made); where these views are made over a bare warehouse (tests) it is made empty, with the same columns
CREATE TABLE IF NOT EXISTS marts.uncertainty_by_year AS SELECT * FROM marts.uncertainty_ranges LIMIT 0;
COMMENT ON TABLE marts.uncertainty_by_year IS 'Each reporting year''s totals per scope (scope_total) and for the inventory (inventory_total) per method with their 95 % range: marts/uncertainty_ranges.sql over the year''s figures, computed when the serving file is published (bi.inventory_uncertainty).';
COMMENT ON COLUMN marts.uncertainty_by_year.period_month IS 'First day of the month (marts.uncertainty_ranges) or of the year (marts.uncertainty_by_year).';
COMMENT ON COLUMN marts.uncertainty_by_year.cell_kind IS 'scope_summary (marts.scope_summary''s grain) or cloud_estimate (marts.cloud_reconciliation''s estimates); in the yearly table scope_total or inventory_total.';
COMMENT ON COLUMN marts.uncertainty_by_year.scope IS '1, 2 or 3; NULL for cloud_estimate and inventory_total cells.';
COMMENT ON COLUMN marts.uncertainty_by_year.scope3_category IS '1-15 for Scope 3 summary cells, else NULL.';
COMMENT ON COLUMN marts.uncertainty_by_year.method IS 'location or market.';
COMMENT ON COLUMN marts.uncertainty_by_year.basis IS 'As in marts.scope_summary; all for the yearly totals.';
COMMENT ON COLUMN marts.uncertainty_by_year.provider IS 'Cloud provider (cloud_estimate cells).';
COMMENT ON COLUMN marts.uncertainty_by_year.account_id IS 'Usage account / subscription / project (cloud_estimate cells).';
COMMENT ON COLUMN marts.uncertainty_by_year.region IS 'Provider region code (cloud_estimate cells).';
COMMENT ON COLUMN marts.uncertainty_by_year.service IS 'Provider product / service code (cloud_estimate cells).';
COMMENT ON COLUMN marts.uncertainty_by_year.tco2e IS 'Metric tons CO2e of the cell''s figures.';
COMMENT ON COLUMN marts.uncertainty_by_year.tco2e_low IS 'Lower end of the 95 % range, never below 0 nor above tco2e.';
COMMENT ON COLUMN marts.uncertainty_by_year.tco2e_high IS 'Upper end of the 95 % range, never below tco2e.';
COMMENT ON COLUMN marts.uncertainty_by_year.half_width IS 'Half-width of the 95 % range by quadrature of the error groups (IPCC Approach 1).';
COMMENT ON COLUMN marts.uncertainty_by_year.propagation IS 'quadrature (every tier normal) or monte_carlo (a lognormal tier: 2.5 % and 97.5 % quantiles of seeded draws).';
COMMENT ON COLUMN marts.uncertainty_by_year.primary_data_share IS 'Share of tco2e from metered, invoiced or provider-reported activity data.';
COMMENT ON COLUMN marts.uncertainty_by_year.largest_component_half_width IS 'Widest single figure''s half-width: half_width is never less.';
COMMENT ON COLUMN marts.uncertainty_by_year.sum_of_half_widths IS 'Half-width if every error were fully correlated: half_width is never more.';
COMMENT ON COLUMN marts.uncertainty_by_year.figures IS 'Figures (emission rows, provider figures) in the cell.';
COMMENT ON COLUMN marts.uncertainty_by_year.months_covered IS 'Months with figures in the cell.';
CREATE OR REPLACE VIEW bi.inventory_uncertainty AS
SELECT year(period_month) AS reporting_year,
    CASE WHEN cell_kind = 'inventory_total' THEN 'Total' ELSE 'Scope ' || CAST(scope AS VARCHAR) END AS scope_label,
    method, tco2e, tco2e_low, tco2e_high, half_width / NULLIF(tco2e, 0) AS u95_relative, primary_data_share,
    months_covered, propagation
FROM marts.uncertainty_by_year
WHERE cell_kind IN ('scope_total', 'inventory_total');
COMMENT ON VIEW bi.inventory_uncertainty IS 'Inventory totals per reporting year x scope (and Total) x method with their 95 % range, propagated from every counted figure of the year with shared errors as one (quadrature, or a seeded Monte Carlo where a tier is skewed: docs/uncertainty.md).';
COMMENT ON COLUMN bi.inventory_uncertainty.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.inventory_uncertainty.scope_label IS 'Scope 1, Scope 2, Scope 3, or Total (all scopes of the method).';
COMMENT ON COLUMN bi.inventory_uncertainty.method IS 'location or market; never add the two.';
COMMENT ON COLUMN bi.inventory_uncertainty.tco2e IS 'Metric tons CO2e: the inventory figure (equals bi.inventory_by_year).';
COMMENT ON COLUMN bi.inventory_uncertainty.tco2e_low IS 'Lower end of the 95 % range (never below 0).';
COMMENT ON COLUMN bi.inventory_uncertainty.tco2e_high IS 'Upper end of the 95 % range.';
COMMENT ON COLUMN bi.inventory_uncertainty.u95_relative IS 'Half-width of the 95 % range by quadrature (IPCC Approach 1) / tco2e; a Monte Carlo range is not symmetric around tco2e.';
COMMENT ON COLUMN bi.inventory_uncertainty.primary_data_share IS 'Share of tco2e from primary activity data (metered, invoiced or provider-reported): the ESRS E1 primary-data share.';
COMMENT ON COLUMN bi.inventory_uncertainty.months_covered IS 'Months of the year with counted figures.';
COMMENT ON COLUMN bi.inventory_uncertainty.propagation IS 'quadrature (every tier normal) or monte_carlo (a lognormal tier in the total: the range is the 2.5 % and 97.5 % quantiles of seeded draws).';

CREATE OR REPLACE VIEW bi.uncertainty_tier_shares AS
WITH counted AS (
    SELECT year(period_month) AS reporting_year, method, activity_tier, factor_tier, tco2e
    FROM emissions.emission_uncertainty
    WHERE counts_in_inventory AND tco2e IS NOT NULL
),
by_tier AS (
    SELECT reporting_year, method, activity_tier, factor_tier,
        CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e, COUNT(*) AS figures
    FROM counted GROUP BY reporting_year, method, activity_tier, factor_tier
)
SELECT reporting_year, method, activity_tier, factor_tier,
    activity_tier IN ('metered', 'invoiced', 'provider_reported') AS is_primary_data,
    tco2e,
    tco2e / NULLIF(CAST(SUM(CAST(tco2e AS DECIMAL(38, 15))) OVER (PARTITION BY reporting_year, method) AS DOUBLE), 0)
        AS share_of_total,
    figures
FROM by_tier;
COMMENT ON VIEW bi.uncertainty_tier_shares IS 'Share of each year''s inventory (per method) by activity-data tier x factor tier (docs/uncertainty.md).';
COMMENT ON COLUMN bi.uncertainty_tier_shares.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.method IS 'location or market.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.activity_tier IS 'metered, invoiced, provider_reported, usage_estimated, cost_estimated, spend_based or profiled.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.factor_tier IS 'exact_current, older_year, parent_geography, global_average, supplier, residual_mix, ccf_coefficient, location_fallback or eeio_sector.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.is_primary_data IS 'True for metered, invoiced and provider-reported activity data.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.tco2e IS 'Metric tons CO2e of the tier pair.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.share_of_total IS 'tco2e / the year''s inventory total for the method.';
COMMENT ON COLUMN bi.uncertainty_tier_shares.figures IS 'Number of figures (emission rows or provider figures).';

CREATE OR REPLACE VIEW bi.uncertainty_contributors AS
WITH counted AS (
    SELECT year(period_month) AS reporting_year, method, activity_label, activity_tier, factor_tier, tco2e,
        activity_u95, factor_u95, activity_error_key, factor_error_key
    FROM emissions.emission_uncertainty
    WHERE counts_in_inventory AND tco2e IS NOT NULL
),
activity_groups AS (
    SELECT reporting_year, method, activity_error_key,
        CAST(SUM(CAST(tco2e * activity_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM counted GROUP BY reporting_year, method, activity_error_key
),
factor_groups AS (
    SELECT reporting_year, method, factor_error_key,
        CAST(SUM(CAST(tco2e * factor_u95 AS DECIMAL(38, 15))) AS DOUBLE) AS group_half_width
    FROM counted GROUP BY reporting_year, method, factor_error_key
),
-- a figure's part of the total variance: its term of each group it is in, times the group's half-width
-- (the parts add up to the total variance exactly)
contributions AS (
    SELECT c.reporting_year, c.method, c.activity_label,
        MIN(c.activity_tier) AS activity_tier, MIN(c.factor_tier) AS factor_tier,
        CAST(SUM(CAST(c.tco2e AS DECIMAL(38, 15))) AS DOUBLE) AS tco2e,
        CAST(SUM(CAST(c.tco2e * c.activity_u95 * a.group_half_width + c.tco2e * c.factor_u95 * f.group_half_width
            AS DECIMAL(38, 15))) AS DOUBLE)
            AS variance_contribution
    FROM counted AS c
    JOIN activity_groups AS a
        ON a.reporting_year = c.reporting_year AND a.method = c.method AND a.activity_error_key = c.activity_error_key
    JOIN factor_groups AS f
        ON f.reporting_year = c.reporting_year AND f.method = c.method AND f.factor_error_key = c.factor_error_key
    GROUP BY c.reporting_year, c.method, c.activity_label
),
ranked AS (
    SELECT *,
        variance_contribution / NULLIF(CAST(SUM(CAST(variance_contribution AS DECIMAL(38, 15)))
            OVER (PARTITION BY reporting_year, method) AS DOUBLE), 0)
            AS share_of_variance,
        ROW_NUMBER() OVER (PARTITION BY reporting_year, method
            ORDER BY variance_contribution DESC, activity_label) AS uncertainty_rank
    FROM contributions
)
SELECT reporting_year, method, uncertainty_rank, activity_label, activity_tier, factor_tier, tco2e,
    variance_contribution, share_of_variance
FROM ranked
WHERE uncertainty_rank <= 10;
COMMENT ON VIEW bi.uncertainty_contributors IS 'The ten activities contributing most to the variance of each year''s total (per method): where better data pays off most.';
COMMENT ON COLUMN bi.uncertainty_contributors.reporting_year IS 'Calendar year.';
COMMENT ON COLUMN bi.uncertainty_contributors.method IS 'location or market.';
COMMENT ON COLUMN bi.uncertainty_contributors.uncertainty_rank IS '1 = the largest contributor.';
COMMENT ON COLUMN bi.uncertainty_contributors.activity_label IS 'The activity: provider service region (estimation class) for cloud, activity type, category and site for own operations.';
COMMENT ON COLUMN bi.uncertainty_contributors.activity_tier IS 'Activity-data tier (the first alphabetically where the activity has several).';
COMMENT ON COLUMN bi.uncertainty_contributors.factor_tier IS 'Factor tier (the first alphabetically where the activity has several).';
COMMENT ON COLUMN bi.uncertainty_contributors.tco2e IS 'Metric tons CO2e of the activity in the year.';
COMMENT ON COLUMN bi.uncertainty_contributors.variance_contribution IS 'Its part of the variance of the total (tCO2e^2, at the 95 % half-width scale); parts add up to the total.';
COMMENT ON COLUMN bi.uncertainty_contributors.share_of_variance IS 'variance_contribution / the total''s variance.';

CREATE OR REPLACE VIEW bi.cloud_reconciliation_ranges AS
SELECT period_month, year(period_month) AS reporting_year, provider, account_id, region, service,
    reported_location_tco2e, estimated_location_tco2e, estimated_tco2e_low, estimated_tco2e_high, reported_position
FROM marts.cloud_reconciliation_uncertainty;
COMMENT ON VIEW bi.cloud_reconciliation_ranges IS 'Provider-reported vs usage-estimated location-based tCO2e with the estimate''s 95 % range (marts.cloud_reconciliation_uncertainty).';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.period_month IS 'First day of the usage month.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.reporting_year IS 'Calendar year of period_month.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.provider IS 'Cloud provider.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.account_id IS 'Usage account / subscription / project.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.region IS 'Provider region code.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.service IS 'Provider product / service code.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.reported_location_tco2e IS 'Provider-reported location-based tCO2e; NULL where not reported.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.estimated_location_tco2e IS 'Usage-estimated location-based tCO2e; NULL where no estimate.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.estimated_tco2e_low IS 'Lower end of the estimate''s 95 % range.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.estimated_tco2e_high IS 'Upper end of the estimate''s 95 % range.';
COMMENT ON COLUMN bi.cloud_reconciliation_ranges.reported_position IS 'below_range, within_range or above_range: where the reported figure falls against the estimate''s range; no_estimate or not_reported where one side is missing.';
