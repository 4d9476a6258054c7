"""The instance `make ui` runs on starts one run at a time (the warehouse allows a single writer), and the
serving file and the report follow any change of the marts without anyone launching them."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.orchestration.keys import INVENTORY_REPORT_KEY, SCOPE_SUMMARY_KEY, SERVING_KEY
from carbon_pipeline.settings import Settings

TEMPLATE = Path(__file__).resolve().parents[2] / "dagster_home" / "dagster.yaml"


def test_the_ui_instance_queues_runs_one_at_a_time(tmp_path):
    shutil.copy(TEMPLATE, tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_a_marts_only_materialization_requests_serving_and_then_the_report(tmp_path):
    settings = Settings(
        sources_file=tmp_path / "missing.yaml",
        warehouse=tmp_path / "w.duckdb",
        serving=tmp_path / "s.duckdb",
        uses_demo=False,
    )
    defs = build_definitions(settings)
    selection = dg.AssetSelection.assets(SERVING_KEY, INVENTORY_REPORT_KEY)
    with dg.DagsterInstance.ephemeral() as instance:
        quiet = dg.evaluate_automation_conditions(defs=defs, instance=instance, asset_selection=selection)
        assert quiet.total_requested == 0  # nothing upstream changed: nothing to do
        instance.report_runless_asset_event(dg.AssetMaterialization(SCOPE_SUMMARY_KEY, partition="2025-03-01"))
        after = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, asset_selection=selection, cursor=quiet.cursor
        )
        # both in the same tick: Dagster launches them as one run, serving first (the report reads its file)
        assert after.get_requested_partitions(SERVING_KEY) == {None}
        assert after.get_num_requested(INVENTORY_REPORT_KEY) == 1
        instance.report_runless_asset_event(dg.AssetMaterialization(SERVING_KEY))
        instance.report_runless_asset_event(dg.AssetMaterialization(INVENTORY_REPORT_KEY))
        later = dg.evaluate_automation_conditions(
            defs=defs, instance=instance, asset_selection=selection, cursor=after.cursor
        )
        assert later.total_requested == 0  # handled: not requested again until the marts change again
