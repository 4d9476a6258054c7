"""Hourly on the demo organisation (one whole-job test): built on a COPY of the demo warehouse, so the shared
warehouse and the golden fingerprint are untouched, with every site and cloud region mapped to a synthetic zone and
the demo's CUR sources turned hourly. What must hold whatever the demo contains: every kWh of the annual
inventory's sites and cloud estimates is somewhere in the hours (nothing lost, nothing invented), every row is
labelled synthetic, and a month spread flat over whole days comes out at the annual figure."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.hourly.build import build_hourly
from carbon_pipeline.hourly.config import HourlyFile, HourlySettings
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.hourly.support import write


@pytest.fixture(scope="module")
def demo_hourly(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-hourly")
    shutil.copy(built.settings.warehouse, root / "warehouse.duckdb")
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    sites = [
        r[0]
        for r in con.execute("SELECT DISTINCT site FROM ledger.activity WHERE activity_type = 'electricity'").fetchall()
    ]
    regions = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT a.provider || ':' || a.region FROM ledger.activity AS a JOIN emissions.activity_emissions "
            "AS e USING (activity_id, period_month) WHERE e.basis = 'estimated_usage' AND e.energy_kwh > 0"
        ).fetchall()
    ]
    years = [r[0] for r in con.execute("SELECT DISTINCT year(period_month) FROM ledger.activity ORDER BY 1").fetchall()]
    zone_map = "kind,key,zone\n" + "".join(f"site,{s},Z-SITES\n" for s in sites if s)
    zone_map += "".join(f"cloud_region,{r},Z-CLOUD\n" for r in regions)
    grid = [
        HourlyFile("synthetic", Path(), options={"zone": zone, "annual_kgco2e_per_kwh": value, "year": year})
        for zone, value in (("Z-SITES", 0.3), ("Z-CLOUD", 0.5))
        for year in years
    ]
    hourly = HourlySettings(enabled=True, grid_files=tuple(grid), zone_map=write(root / "zones.csv", zone_map))
    sources = load_sources_file(built.settings.sources_file)
    cur = [s.id for s in sources.sources if s.kind in ("aws_cur", "aws_cur2")]
    build_hourly(con, hourly, cur)
    yield con, sites, regions
    con.close()


def test_every_annual_kwh_is_in_the_hours(demo_hourly):
    con, sites, regions = demo_hourly
    assert sites and regions, "the demo has sites and estimated cloud regions"
    rows = con.execute(
        "SELECT entity, period_month, annual_kwh, hourly_kwh FROM marts.hourly_vs_annual WHERE annual_kwh IS NOT NULL"
    ).fetchall()
    assert rows
    for entity, month, annual, hourly in rows:
        assert hourly == pytest.approx(annual, rel=1e-9), (entity, month)


def test_every_result_is_labelled_synthetic_and_flat_months_equal_the_annual_figure(demo_hourly):
    con, _, _ = demo_hourly
    notes = con.execute("SELECT DISTINCT contains(note, 'SYNTHETIC') FROM marts.hourly_vs_annual").fetchall()
    assert notes == [(True,)]
    flat = con.execute(
        "SELECT entity, period_month, hourly_tco2e, annual_kwh * 0.3 / 1000 FROM marts.hourly_vs_annual "
        "WHERE entity_kind = 'site' AND profiled_kwh_share = 1"
    ).fetchall()
    assert flat
    for entity, month, hourly, expected in flat:
        assert hourly == pytest.approx(expected, rel=1e-9), (entity, month)
    timing = con.execute(
        "SELECT max(abs(timing_effect_tco2e)) FROM marts.hourly_vs_annual WHERE profiled_kwh_share = 1"
    ).fetchone()[0]
    assert timing == pytest.approx(0.0, abs=1e-9)  # a flat month has no timing effect, whatever the factors


def test_hourly_cur_shapes_the_demo_estimate(demo_hourly):
    con, _, _ = demo_hourly
    shapes = dict(
        con.execute(
            "SELECT shape, count(*) FROM hourly.consumption WHERE entity_kind = 'cloud_region' GROUP BY 1"
        ).fetchall()
    )
    assert shapes.get("cur_hourly", 0) > 0
