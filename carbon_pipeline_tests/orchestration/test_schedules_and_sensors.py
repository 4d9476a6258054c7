"""Each source has its own schedule (cadence per source) and delivery sensor; both launch runs for
that source only, for exactly the months concerned, with run keys that make repeats no-ops."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.defs.automation.sensors import MAX_RUNS_PER_TICK
from carbon_pipeline.orchestration.partitions import SOURCES_TAG
from carbon_pipeline.orchestration.resources import SourcesResource
from carbon_pipeline.runner import failure_messages


def _tick(defs, name, when):
    schedule = next(s for s in defs.schedules if s.name == name)
    context = dg.build_schedule_context(repository_def=defs.get_repository_def(), scheduled_execution_time=when)
    return schedule.evaluate_tick(context).run_requests


def test_cur_resyncs_daily_the_previous_and_current_month_for_its_source_only(built):
    defs = build_definitions(built.settings)
    schedule = next(s for s in defs.schedules if s.name == "demo_cur_resync")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "aws_cur_resync_job"  # its kind's raw asset and what is downstream of it
    requests = _tick(defs, "demo_cur_resync", datetime(2025, 3, 4, 6, tzinfo=UTC))
    assert [r.partition_key for r in requests] == ["2025-02-01", "2025-03-01"]
    assert {r.tags[SOURCES_TAG] for r in requests} == {"demo-cur"}
    assert len({r.run_key for r in requests}) == 2


def test_carbon_export_resyncs_monthly_after_the_21st_the_three_closed_months(built):
    defs = build_definitions(built.settings)
    schedule = next(s for s in defs.schedules if s.name == "demo_carbon_resync")
    assert schedule.cron_schedule == "0 7 22 * *"
    requests = _tick(defs, "demo_carbon_resync", datetime(2025, 7, 22, 7, tzinfo=UTC))
    assert [r.partition_key for r in requests] == ["2025-04-01", "2025-05-01", "2025-06-01"]


def test_a_source_can_choose_its_cadence_or_no_schedule(fresh):
    sources = fresh.settings.sources_file
    text = sources.read_text().replace("    template: travel\n", "    template: travel\n    schedule: none\n")
    text = text.replace("    template: fuel\n", "    template: fuel\n    schedule: monthly\n")
    sources.write_text(text)
    defs = build_definitions(fresh.settings)
    names = {s.name: s.cron_schedule for s in defs.schedules}
    assert "demo_travel_resync" not in names
    assert names["demo_fleet_fuel_resync"] == "0 7 22 * *"


def test_a_sensor_launches_each_delivered_month_once_newest_first_a_few_per_tick_and_again_only_for_a_new_delivery(
    fresh,
):
    defs = build_definitions(fresh.settings)
    sensor = next(s for s in defs.sensors if s.name == "demo_cur_deliveries")
    resources = {"sources": SourcesResource(path=str(fresh.settings.sources_file))}

    def tick(cursor=None):
        with dg.build_sensor_context(cursor=cursor, resources=resources, repository_def=defs.get_repository_def()) as c:
            return sensor.evaluate_tick(c)

    first = tick()
    # the newest months first, MAX_RUNS_PER_TICK at a time; the cursor keeps what is left for the next ticks
    assert [r.partition_key for r in first.run_requests] == ["2025-12-01", "2025-11-01", "2025-10-01"]
    assert len(first.run_requests) == MAX_RUNS_PER_TICK
    requests, cursor = list(first.run_requests), first.cursor
    for _ in range(24):
        result = tick(cursor)
        if not result.run_requests:
            break
        assert len(result.run_requests) <= MAX_RUNS_PER_TICK
        requests += result.run_requests
        cursor = result.cursor
    assert len(requests) == 24
    assert len({r.run_key for r in requests}) == 24
    assert [r.partition_key for r in requests] == sorted((r.partition_key for r in requests), reverse=True)
    assert {r.tags[SOURCES_TAG] for r in requests} == {"demo-cur"}
    assert tick(cursor).run_requests == []

    report = fresh.landing / "cur-reports" / "demo-cur" / "20250101-20250201"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    shutil.copytree(report / manifest["assemblyId"], report / "new-assembly")
    manifest["assemblyId"] = "new-assembly"
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))
    redelivered = tick(cursor)
    assert [r.partition_key for r in redelivered.run_requests] == ["2025-01-01"]
    assert redelivered.run_requests[0].run_key not in {r.run_key for r in requests}


def test_a_run_tagged_with_one_source_rereads_only_that_source(built_copy):
    fresh = built_copy  # January 2025 loaded, as every month of the demo
    carbon_before = fresh.query("SELECT * FROM raw.aws_carbon_emissions ORDER BY ALL")
    # the carbon export for the month disappears from the landing zone: a full re-run would notice,
    # a run for the CUR source only must not touch the carbon rows
    shutil.rmtree(
        fresh.landing / "carbon-exports" / "demo-carbon" / "metadata" / "model_version=v2.0.0" / "usage_period=2025-01"
    )
    from carbon_pipeline.runner import run_inventory

    result = run_inventory(fresh.settings, date(2025, 1, 1), date(2025, 1, 1), tags={SOURCES_TAG: "demo-cur"})
    assert result.success, failure_messages(result)
    assert fresh.query("SELECT * FROM raw.aws_carbon_emissions ORDER BY ALL") == carbon_before
