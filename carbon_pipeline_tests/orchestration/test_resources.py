"""What steps used to read from the environment at run time (the engine, the run date) are resources,
configured once in the definitions from the deployment's settings: a run uses what its resources say, and an
environment variable set while it runs changes nothing."""

from __future__ import annotations

import dataclasses
from datetime import date

import dagster as dg
import pytest

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.orchestration.keys import raw_asset_key
from carbon_pipeline.orchestration.resources import EngineResource, RunDateResource
from carbon_pipeline.runner import QUIET_LOGS, failure_messages
from carbon_pipeline.settings import load_settings

MONTH = date(2025, 3, 1)


def test_the_definitions_configure_the_engine_and_run_date_resources_from_the_settings(built):
    settings = dataclasses.replace(built.settings, engine="spark", spark_master="spark://m:7077", as_of="2025-12-20")
    resources = build_definitions(settings).resources
    assert resources["engine"] == EngineResource(name="spark", spark_master="spark://m:7077")
    assert resources["run_date"] == RunDateResource(as_of="2025-12-20")


def test_the_settings_read_carbon_engine_and_carbon_as_of_once(monkeypatch):
    monkeypatch.setenv("CARBON_ENGINE", " Spark ")
    monkeypatch.setenv("CARBON_AS_OF", "2025-12-20")
    settings = load_settings()
    assert (settings.engine, settings.as_of) == ("spark", "2025-12-20")


def test_a_transform_runs_on_the_engine_its_resource_names_whatever_carbon_engine_says(built_copy, monkeypatch):
    # the environment names an engine that does not exist: the run must not look at it
    monkeypatch.setenv("CARBON_ENGINE", "no-such-engine")
    result = built_copy.materialize(["marts/scope_summary"], MONTH, MONTH)
    assert result.success, failure_messages(result)

    # the resource names one that does not exist, the environment none: the step fails on the resource's
    monkeypatch.delenv("CARBON_ENGINE")
    configured = dataclasses.replace(built_copy.settings, engine="no-such-engine")
    job = build_definitions(configured).resolve_job_def("inventory_job")
    with dg.DagsterInstance.ephemeral() as instance:
        failed = job.execute_in_process(
            instance=instance,
            run_config=QUIET_LOGS,
            tags=_window(MONTH),
            raise_on_error=False,
            asset_selection=[dg.AssetKey.from_user_string("marts/scope_summary")],
        )
    assert not failed.success
    assert any("CARBON_ENGINE='no-such-engine' is not an engine" in m for m in failure_messages(failed))


@pytest.mark.parametrize(("as_of", "passed"), [("2025-12-20", True), ("2026-09-01", False)])
def test_freshness_is_judged_against_the_run_date_resource_not_carbon_as_of(built_copy, monkeypatch, as_of, passed):
    # the environment pins the opposite answer: the resource decides
    monkeypatch.setenv("CARBON_AS_OF", "2026-09-01" if passed else "2025-12-20")
    settings = dataclasses.replace(built_copy.settings, as_of=as_of)
    check = dg.AssetCheckKey(raw_asset_key("aws_cur"), "source_freshness")
    job = dg.define_asset_job("freshness_only", selection=dg.AssetSelection.checks(check))
    defs = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[job]))
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("freshness_only").execute_in_process(
            instance=instance, run_config=QUIET_LOGS, raise_on_error=False
        )
    assert result.success, failure_messages(result)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is passed
    assert f"$as_of={as_of}" in evaluation.metadata["query"].value


def _window(month: date) -> dict[str, str]:
    from carbon_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG

    return {RANGE_START_TAG: f"{month:%Y-%m-%d}", RANGE_END_TAG: f"{month:%Y-%m-%d}"}
