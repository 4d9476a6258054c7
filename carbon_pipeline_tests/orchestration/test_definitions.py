"""The code location loads, and every asset, check, job, schedule and sensor is there."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.definitions import build_definitions

ASSETS = {
    "factors/emission_factors",
    "raw/aws_cur_line_items",
    "raw/aws_cur2_line_items",
    "raw/aws_carbon_emissions",
    "raw/activity_rows",
    "raw/focus_charges",
    "raw/gcp_carbon_emissions",
    "raw/azure_carbon_emissions",
    "raw/aws_sustainability_emissions",
    # issue 14: native Azure cost details and Google Cloud billing exports
    "raw/azure_cost_details_charges",
    "raw/gcp_billing_export_charges",
    "ledger/activity",
    "ledger/provider_emissions",
    "emissions/activity_emissions",
    "marts/cloud_emissions",
    "marts/cloud_reconciliation",
    "marts/scope_summary",
    # issue 17: uncertainty and data quality
    "emissions/emission_uncertainty",
    "marts/scope_summary_uncertainty",
    "marts/cloud_reconciliation_uncertainty",
    "marts/uncertainty_ranges",
    "reports/inventory_report",
    "serving/serving_database",
    "audit/restatement_log",
}
BLOCKING_CHECKS = {
    ("raw/aws_cur_line_items", "rows_match_deliveries"),
    ("raw/aws_cur2_line_items", "rows_match_deliveries"),
    ("raw/aws_carbon_emissions", "rows_match_deliveries"),
    ("raw/activity_rows", "rows_match_deliveries"),
    ("raw/focus_charges", "rows_match_deliveries"),
    ("raw/gcp_carbon_emissions", "rows_match_deliveries"),
    ("raw/azure_carbon_emissions", "rows_match_deliveries"),
    ("raw/aws_sustainability_emissions", "rows_match_deliveries"),
    ("raw/azure_cost_details_charges", "rows_match_deliveries"),
    ("raw/gcp_billing_export_charges", "rows_match_deliveries"),
    ("ledger/activity", "cost_and_line_items_reconcile_with_raw"),
    ("ledger/provider_emissions", "one_model_version_per_month"),
    ("factors/emission_factors", "catalogue_integrity"),
    ("emissions/activity_emissions", "every_activity_has_emissions_or_flag"),
    ("marts/cloud_emissions", "reported_totals_match_ledger"),
    ("marts/scope_summary", "inventory_adds_up"),
    ("raw/aws_cur_line_items", "column_contract"),
    ("raw/aws_cur2_line_items", "column_contract"),
    ("raw/aws_cur_line_items", "line_item_groups_contract"),
    ("raw/aws_cur2_line_items", "line_item_groups_contract"),
    ("ledger/activity", "column_contract"),
    ("ledger/activity", "row_counts_by_stage"),
    ("emissions/activity_emissions", "row_counts_by_stage"),
    ("audit/restatement_log", "published_snapshots_unchanged"),
    ("audit/restatement_log", "restatement_bridge_reconciles"),
    ("serving/serving_database", "served_views_reconcile"),
    # issue 14's blocking check, missing here since it was added (this test failed on db78a3c without it)
    ("emissions/activity_emissions", "cloud_usage_mostly_estimated_from_usage"),
    ("emissions/emission_uncertainty", "every_figure_has_tiers_and_range"),
    ("marts/scope_summary_uncertainty", "ranges_contain_and_widen"),
}
WARNING_CHECKS = {
    ("ledger/activity", "unclassified_cloud_usage"),
    ("marts/cloud_reconciliation", "reported_vs_estimated_divergence"),
    ("raw/aws_cur_line_items", "source_freshness"),
    ("raw/aws_cur2_line_items", "source_freshness"),
    ("raw/aws_carbon_emissions", "source_freshness"),
    ("raw/activity_rows", "source_freshness"),
    ("raw/focus_charges", "source_freshness"),
    ("raw/gcp_carbon_emissions", "source_freshness"),
    ("raw/azure_carbon_emissions", "source_freshness"),
    ("raw/aws_sustainability_emissions", "source_freshness"),
    ("raw/azure_cost_details_charges", "source_freshness"),
    ("raw/gcp_billing_export_charges", "source_freshness"),
    ("ledger/activity", "negative_usage"),
    ("emissions/activity_emissions", "factor_fallbacks"),
    ("emissions/activity_emissions", "spend_excluded_providers"),
    ("marts/cloud_emissions", "month_over_month_spike"),
}


def test_definitions_load_with_every_asset_check_job_schedule_and_sensor(built):
    defs = build_definitions(built.settings)
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get_all_asset_keys()} == ASSETS
    checks = {(k.asset_key.to_user_string(), k.name): graph.get_check_spec(k) for k in graph.asset_check_keys}
    assert set(checks) == BLOCKING_CHECKS | WARNING_CHECKS
    assert {key for key, spec in checks.items() if spec.blocking} == BLOCKING_CHECKS
    jobs = {j.name for j in defs.resolve_all_job_defs()}
    assert jobs >= {"inventory_job", "aws_cur_resync_job", "aws_carbon_resync_job", "activity_csv_resync_job"}
    sources = (
        *("demo_cur", "demo_carbon", "demo_electricity", "demo_fleet_fuel", "demo_travel"),
        *("demo_heating", "demo_vehicles", "demo_travel_uk", "demo_spend"),
    )
    assert {s.name for s in defs.schedules} == {f"{source}_resync" for source in sources}
    assert {s.name for s in defs.sensors} == {f"{source}_deliveries" for source in sources}


def test_every_stage_has_a_blocking_check():
    stages = {asset.split("/")[0] for asset, _ in BLOCKING_CHECKS}
    assert stages == {"raw", "ledger", "factors", "emissions", "marts", "audit", "serving"}


def test_every_asset_explains_itself_and_belongs_to_its_stage_group(built):
    graph = build_definitions(built.settings).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description and len(node.description) > 40, key
        assert node.group_name == key.path[0], key


def test_partitioned_stages_backfill_a_range_in_a_single_run(built):
    graph = build_definitions(built.settings).resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.partitions_def is not None:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key


def test_a_run_reuses_the_code_locations_definitions_only_for_the_deployment_they_were_built_from(
    tmp_path, monkeypatch, demo_files
):
    """The CLI's run would otherwise build the definitions a second time (0.2 s of `make run`); a run over other
    settings, a changed sources file or another working folder (the resources hold resolved paths) must not get
    them."""
    import dataclasses
    import importlib
    import shutil

    import carbon_pipeline.definitions as definitions
    from carbon_pipeline.settings import load_settings

    shutil.copytree(demo_files, tmp_path / "demo")
    sources = tmp_path / "demo" / "sources.yaml"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CARBON_SOURCES", str(sources))
    try:
        importlib.reload(definitions)  # the code location as a process started here loads it
        settings = load_settings()
        assert definitions.definitions_for(settings) is definitions.defs

        other = dataclasses.replace(settings, warehouse=tmp_path / "other.duckdb")
        assert definitions.definitions_for(other) is not definitions.defs

        sources.write_text(sources.read_text().replace('start_month: "2024-01"', 'start_month: "2025-01"', 1))
        assert definitions.definitions_for(settings) is not definitions.defs
        sources.write_text((demo_files / "sources.yaml").read_text())
        assert definitions.definitions_for(settings) is definitions.defs

        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
        assert definitions.definitions_for(settings) is not definitions.defs
    finally:
        monkeypatch.undo()
        importlib.reload(definitions)
