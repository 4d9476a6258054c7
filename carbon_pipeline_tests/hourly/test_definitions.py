"""The hourly stage in the code location: nothing at all with hourly off (the default), its month-partitioned
assets with their checks side by side when the sources file turns it on, and the serving file after them."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from carbon_pipeline.definitions import build_definitions
from carbon_pipeline.orchestration.keys import SERVING_KEY
from carbon_pipeline_tests.conftest import settings_under
from carbon_pipeline_tests.hourly.support import write

SOURCES = "settings:\n  start_month: '2025-01'\nsources:\n  - {id: cur, kind: aws_cur, uri: landing, hourly: true}\n"
HOURLY = (
    "hourly:\n  enabled: true\n  zone_map: zones.csv\n"
    "  grid_files:\n    - {layout: synthetic, zone: Z, annual_kgco2e_per_kwh: 0.4, year: 2025}\n"
)
HOURLY_ASSETS = {
    "hourly/grid_factors",
    "hourly/consumption",
    "hourly/location_hourly",
    "hourly/matching",
    "marts/hourly_vs_annual",
    "marts/hourly_market_scope2",
    "marts/hourly_intensity",
}


def definitions(tmp_path: Path, text: str) -> dg.Definitions:
    sources = write(tmp_path / "sources.yaml", text)
    write(tmp_path / "zones.csv", "kind,key,zone\n")
    settings = settings_under(tmp_path, sources)
    return build_definitions(settings)


def keys(defs: dg.Definitions) -> set[str]:
    return {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()}


def test_hourly_off_defines_nothing_hourly(tmp_path):
    defined = keys(definitions(tmp_path, SOURCES))
    assert not {k for k in defined if "hourly" in k}
    assert "marts/scope_summary" in defined


def test_hourly_on_adds_the_partitioned_stage_with_its_checks_and_serving_after_it(tmp_path):
    defs = definitions(tmp_path, SOURCES + HOURLY)
    graph = defs.resolve_asset_graph()
    assert keys(defs) >= HOURLY_ASSETS
    for name in HOURLY_ASSETS:
        node = graph.get(dg.AssetKey.from_user_string(name))
        assert isinstance(node.partitions_def, dg.MonthlyPartitionsDefinition), name
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {
        ("hourly/consumption", "hours_add_up_to_the_month"),
        ("hourly/location_hourly", "hours_without_zone_or_factor"),
        ("hourly/matching", "matching_balances"),
        ("marts/hourly_vs_annual", "synthetic_grid_profile_in_use"),
    } <= checks
    serving_parents = {k.to_user_string() for k in graph.get(SERVING_KEY).parent_keys}
    assert {"marts/hourly_vs_annual", "marts/hourly_market_scope2", "marts/hourly_intensity"} <= serving_parents
    for key in graph.get_all_asset_keys():  # the code location's conventions hold with hourly on too
        node = graph.get(key)
        assert node.description and len(node.description) > 40, key
        assert node.group_name == key.path[0], key
        if node.partitions_def is not None:
            assert node.backfill_policy == dg.BackfillPolicy.single_run(), key
    assert "hourly/consumption" in {
        k.to_user_string() for k in defs.resolve_job_def("inventory_job").asset_layer.executable_asset_keys
    }
