"""Schedules re-sync trailing months; the sensor launches exactly the months whose delivery changed,
with run keys derived from the delivery's identity."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.defs.resources import SourcesResource


def _schedule(defs, name):
    return next(s for s in defs.schedules if s.name == name)


def test_daily_schedule_resyncs_the_previous_and_current_month(built):
    defs = build_definitions(built.settings)
    context = dg.build_schedule_context(
        repository_def=defs.get_repository_def(), scheduled_execution_time=datetime(2025, 3, 4, 6, tzinfo=UTC)
    )
    requests = _schedule(defs, "cur_daily_resync").evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2025-02-01", "2025-03-01"]
    assert len({r.run_key for r in requests}) == 2


def test_monthly_carbon_schedule_resyncs_the_three_closed_months_before(built):
    defs = build_definitions(built.settings)
    context = dg.build_schedule_context(
        repository_def=defs.get_repository_def(), scheduled_execution_time=datetime(2025, 7, 22, 7, tzinfo=UTC)
    )
    requests = _schedule(defs, "carbon_export_monthly").evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2025-04-01", "2025-05-01", "2025-06-01"]


def test_sensor_launches_each_delivered_month_once_and_again_only_for_a_new_delivery(fresh):
    defs = build_definitions(fresh.settings)
    sensor = next(s for s in defs.sensors if s.name == "landing_deliveries_sensor")
    resources = {"sources": SourcesResource(path=str(fresh.settings.sources_file))}

    with dg.build_sensor_context(resources=resources, repository_def=defs.get_repository_def()) as context:
        first = sensor.evaluate_tick(context)
    assert len(first.run_requests) == 24
    assert len({r.run_key for r in first.run_requests}) == 24

    with dg.build_sensor_context(
        cursor=first.cursor, resources=resources, repository_def=defs.get_repository_def()
    ) as context:
        again = sensor.evaluate_tick(context)
    assert again.run_requests == []

    report = fresh.landing / "cur-reports" / "demo-cur" / "20250101-20250201"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    shutil.copytree(report / manifest["assemblyId"], report / "new-assembly")
    manifest["assemblyId"] = "new-assembly"
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))
    with dg.build_sensor_context(
        cursor=again.cursor or first.cursor, resources=resources, repository_def=defs.get_repository_def()
    ) as context:
        redelivered = sensor.evaluate_tick(context)
    assert [r.partition_key for r in redelivered.run_requests] == ["2025-01-01"]
    assert redelivered.run_requests[0].run_key not in {r.run_key for r in first.run_requests}
