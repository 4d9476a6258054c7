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


def _range_runs(home: Path, monkeypatch) -> tuple[dg.DagsterInstance, list[str]]:  # noqa: ANN001
    """A three-month range run of an asset with a check, and a range run that fails, on the instance in ``home``."""
    months = dg.MonthlyPartitionsDefinition(start_date="2025-01-01")

    @dg.asset(partitions_def=months, backfill_policy=dg.BackfillPolicy.single_run())
    def monthly(context) -> dg.MaterializeResult:  # noqa: ANN001
        for key in context.partition_keys:
            context.add_asset_metadata({"rows": 1}, partition_key=key)
        return dg.MaterializeResult()

    @dg.asset_check(asset=monthly)
    def has_rows() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    @dg.asset(partitions_def=months, backfill_policy=dg.BackfillPolicy.single_run())
    def broken() -> None:
        raise ValueError("refused")

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    instance = dg.DagsterInstance.from_config(str(home))
    defs = dg.Definitions(assets=[monthly, broken], asset_checks=[has_rows])
    window = {"dagster/asset_partition_range_start": "2025-01-01", "dagster/asset_partition_range_end": "2025-03-01"}
    run_ids = []
    for selection in ([monthly.key, has_rows.check_key], [broken.key]):
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            instance=instance,
            tags=window,
            asset_selection=[k for k in selection if isinstance(k, dg.AssetKey)],
            raise_on_error=False,
        )
        run_ids.append(result.run_id)
    return instance, run_ids


def _what_the_instance_holds(instance: dg.DagsterInstance, run_ids: list[str]) -> dict:
    """Every stored event of the runs (type, asset, partition), and what the UI asks the cross-run index: the
    materialized partitions, each partition's last planned run (a failed run's partitions are failed by it) and
    each partition's data version, each asset's record and the check's executions."""
    events = [
        (
            str(e.dagster_event_type),
            e.dagster_event.asset_key.to_user_string() if e.dagster_event.asset_key else "",
            e.dagster_event.partition or "",
        )
        for run_id in run_ids
        for e in instance.all_logs(run_id)
        if e.is_dagster_event
    ]
    order = {run_id: n for n, run_id in enumerate(run_ids)}
    storage = instance.event_log_storage
    planned = {
        (key, partition): order[storage.get_latest_planned_materialization_info(dg.AssetKey(key), partition).run_id]
        for key in ("monthly", "broken")
        for partition in ("2025-01-01", "2025-02-01", "2025-03-01")
    }
    versioned = storage.get_latest_tags_by_partition(  # the asset event tags table
        dg.AssetKey("monthly"), dg.DagsterEventType.ASSET_MATERIALIZATION, ["dagster/data_version"]
    )
    checks = storage.get_asset_check_execution_history(dg.AssetCheckKey(dg.AssetKey("monthly"), "has_rows"), 10)
    entries = {r.asset_entry.asset_key.to_user_string(): r.asset_entry for r in instance.get_asset_records()}
    return {
        "events": Counter(events),
        "asset records": {  # the asset-key table: last run, last materialization
            key: (order[e.last_run_id], e.last_materialization and e.last_materialization.dagster_event.partition)
            for key, e in entries.items()
        },
        "materialized": instance.get_materialized_partitions(dg.AssetKey("monthly")),
        "failed": instance.get_materialized_partitions(dg.AssetKey("broken")),
        "planned": planned,
        "data_versioned": {partition: sorted(tags) for partition, tags in versioned.items()},
        "checks": sorted((order[c.run_id], c.status.value) for c in checks),
    }


def test_a_range_runs_events_stored_in_batches_read_back_as_dagsters_own_storage_stores_them(tmp_path, monkeypatch):
    """With DAGSTER_EVENT_BATCH_SIZE (make run, make ui), Dagster hands a run's planned events, and each step's
    materializations of a range run, to the event log as one batch, which writes it in one transaction per file
    (Profile 25). What the instance then holds must be what Dagster's own SQLite storage holds after storing
    them one by one: every event, the partitions materialized, the planned runs that mark a failed run's
    partitions failed, the data versions, the asset records, the check's executions."""
    from carbon_pipeline.orchestration.event_log import ReusedEngineSqliteEventLogStorage

    batches: list[int] = []
    store_batch = ReusedEngineSqliteEventLogStorage.store_event_batch

    def counted(self, events) -> None:  # noqa: ANN001
        batches.append(len(events))
        store_batch(self, events)

    monkeypatch.setattr(ReusedEngineSqliteEventLogStorage, "store_event_batch", counted)
    (tmp_path / "ours").mkdir()
    shutil.copy(TEMPLATE, tmp_path / "ours" / "dagster.yaml")
    (tmp_path / "dagsters").mkdir()
    (tmp_path / "dagsters" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "1000")
    ours, our_runs = _range_runs(tmp_path / "ours", monkeypatch)
    monkeypatch.delenv("DAGSTER_EVENT_BATCH_SIZE")
    dagsters, their_runs = _range_runs(tmp_path / "dagsters", monkeypatch)
    with ours, dagsters:
        assert type(dagsters.event_log_storage).__name__ == "SqliteEventLogStorage"
        held = _what_the_instance_holds(ours, our_runs)
        assert held == _what_the_instance_holds(dagsters, their_runs)
    assert held["materialized"] == {"2025-01-01", "2025-02-01", "2025-03-01"} and held["failed"] == set()
    assert held["asset records"] == {"monthly": (0, "2025-03-01"), "broken": (1, None)}
    assert held["data_versioned"] == {m: ["dagster/data_version"] for m in held["materialized"]}
    assert held["planned"][("broken", "2025-02-01")] == 1 and (0, "SUCCEEDED") in held["checks"]
    # the planned events of each run came as one batch, the three months' materializations as another
    assert max(batches) >= 4 and batches.count(3) >= 1, batches


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
