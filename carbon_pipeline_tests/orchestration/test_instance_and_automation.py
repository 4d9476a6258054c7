"""The instance `make ui` runs on starts one run at a time (the warehouse allows a single writer), and the
serving file and the report follow any change of the marts without anyone launching them."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.orchestration.event_log import OPEN_SHARDS
from carbon_pipeline.orchestration.keys import INVENTORY_REPORT_KEY, SCOPE_SUMMARY_KEY, SERVING_KEY
from carbon_pipeline.settings import Settings

TEMPLATE = Path(__file__).resolve().parents[2] / "dagster_home" / "dagster.yaml"


def test_the_ui_instance_queues_runs_one_at_a_time(tmp_path, monkeypatch):
    shutil.copy(TEMPLATE, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1


def test_the_ui_instance_keeps_every_event_of_a_run_where_dagsters_default_instance_does(tmp_path, monkeypatch):
    """The event log reuses one engine per file (docs/performance.md, Profile 12); what it stores and where must
    be Dagster's own: every event of two runs read back, asset materializations per partition included."""
    shutil.copy(TEMPLATE, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    months = dg.MonthlyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(partitions_def=months)
    def monthly(context) -> None:  # noqa: ANN001  (a string annotation is refused by Dagster here)
        context.log.info(f"wrote {context.partition_key}")

    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.event_log_storage).__name__ == "ReusedEngineSqliteEventLogStorage"
        job = dg.Definitions(assets=[monthly]).resolve_implicit_global_asset_job_def()
        results = [job.execute_in_process(instance=instance, partition_key=key) for key in ("2025-01-01", "2025-02-01")]
        assert all(result.success for result in results)
        for result in results:
            stored = Counter(e.dagster_event_type for e in instance.all_logs(result.run_id) if e.is_dagster_event)
            assert not Counter(e.event_type for e in result.all_events) - stored  # every event the run emitted
            assert stored[dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED] == 1
            assert stored[dg.DagsterEventType.RUN_SUCCESS] == 1
        materialized = instance.get_materialized_partitions(dg.AssetKey("monthly"))
        assert materialized == {"2025-01-01", "2025-02-01"}
    assert sorted(p.name for p in (tmp_path / "history" / "runs").glob("*.db")) == sorted(
        [f"{result.run_id}.db" for result in results] + ["index.db"]
    )


def open_event_log_files(folder: Path) -> list[str]:
    """The files under ``folder`` this process holds open (Linux /proc)."""
    held = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(folder)) and target.endswith(".db"):
            held.append(target)
    return held


def test_the_ui_instance_keeps_few_event_log_files_open_however_many_runs_it_reads(tmp_path, monkeypatch):
    """A connection is kept per database file between events (Profile 13), but a long-lived process such as the
    UI reads many runs: only the index and the most recently used run databases stay open, and a wipe (which
    deletes the run files) leaves none of them open."""
    shutil.copy(TEMPLATE, tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))

    @dg.asset
    def single() -> None:
        return None

    runs = tmp_path / "history" / "runs"
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        job = dg.Definitions(assets=[single]).resolve_implicit_global_asset_job_def()
        run_ids = [job.execute_in_process(instance=instance).run_id for _ in range(OPEN_SHARDS + 4)]
        for run_id in run_ids:  # as the UI reads each run's events
            assert instance.all_logs(run_id)
        held = open_event_log_files(runs)
        assert str(runs / "index.db") in held
        assert 0 < len([f for f in held if not f.endswith("index.db")]) <= OPEN_SHARDS
        instance.wipe()
        assert not [f for f in open_event_log_files(runs) if not f.endswith("index.db")]
        assert job.execute_in_process(instance=instance).success  # and it carries on after the wipe


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
