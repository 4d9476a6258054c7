"""The hourly build end to end on a tiny warehouse (what the hourly assets do one by one), and all-or-nothing: a
bad file leaves the previous hourly tables as they were."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly.build import build_hourly
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.hourly.support import warehouse, write

SOURCES = """
sources: []
hourly:
  enabled: true
  zone_map: zones.csv
  grid_files:
    - {layout: synthetic, zone: Z, annual_kgco2e_per_kwh: 0.4, year: 2025}
  meter_files:
    - {layout: interval_csv, path: meter.csv, site: S}
  instrument_files:
    - {layout: ppa_profile, path: ppa.csv, edition: PPA 2025, licence_note: own data}
"""


@pytest.fixture()
def deployment(tmp_path):
    write(tmp_path / "zones.csv", "kind,key,zone\nsite,S,Z\n")
    write(tmp_path / "meter.csv", "interval_start,kwh\n2025-04-01T19:00Z,10\n2025-04-01T20:00Z,10\n")
    write(tmp_path / "ppa.csv", "contract_id,hour_utc,kwh,zone,technology\nP1,2025-04-01T19:00Z,10,Z,solar\n")
    write(tmp_path / "sources.yaml", SOURCES)
    warehouse(tmp_path).close()
    return tmp_path


def test_the_build_matches_a_ppa_hour_by_hour(deployment):
    con = duckdb.connect(str(deployment / "warehouse.duckdb"))
    try:
        built = build_hourly(con, load_sources_file(deployment / "sources.yaml").hourly)
        assert built.synthetic
        row = con.execute(
            "SELECT matched_kwh, unmatched_kwh, cfe_score FROM marts.hourly_market_scope2 WHERE zone = 'Z'"
        ).fetchone()
        assert row == (10.0, 10.0, 0.5)  # the PPA covers 19:00, not 20:00
        factor = con.execute(
            "SELECT unmatched_kgco2e_per_kwh, unmatched_factor_source FROM hourly.matching WHERE unmatched_kwh > 0"
        ).fetchone()
        assert factor == (pytest.approx(0.4 * (1 + 0.25 * 0.9659258262890683)), "location_fallback:synthetic")
    finally:
        con.close()


def test_a_month_range_replaces_only_its_months(deployment):
    write(deployment / "meter.csv", "interval_start,kwh\n2025-04-01T19:00Z,10\n2025-05-01T19:00Z,7\n")
    hourly = load_sources_file(deployment / "sources.yaml").hourly
    con = duckdb.connect(str(deployment / "warehouse.duckdb"))
    try:
        build_hourly(con, hourly)
        write(deployment / "meter.csv", "interval_start,kwh\n2025-04-01T19:00Z,10\n2025-05-01T19:00Z,9\n")
        build_hourly(con, hourly, start=date(2025, 4, 1), end=date(2025, 5, 1))  # April only: May keeps 7
        assert con.execute("SELECT hour_utc, kwh FROM hourly.consumption ORDER BY 1").fetchall() == [
            (datetime(2025, 4, 1, 19), 10.0),
            (datetime(2025, 5, 1, 19), 7.0),
        ]
        build_hourly(con, hourly, start=date(2025, 5, 1), end=date(2025, 6, 1))
        assert con.execute("SELECT kwh FROM hourly.consumption WHERE month(hour_utc) = 5").fetchall() == [(9.0,)]
    finally:
        con.close()


def test_a_bad_file_leaves_the_previous_hourly_tables(deployment):
    sources = load_sources_file(deployment / "sources.yaml")
    con = duckdb.connect(str(deployment / "warehouse.duckdb"))
    try:
        build_hourly(con, sources.hourly)
        before = con.execute("SELECT * FROM hourly.meter_hours ORDER BY ALL").fetchall()
        assert before[0][1] == datetime(2025, 4, 1, 19)
        write(deployment / "meter.csv", "interval_start,kwh\n2025-04-01T19:00Z,ten\n")
        with pytest.raises(UserFactorFileError, match=r"row 1, column 'kwh'"):
            build_hourly(con, load_sources_file(deployment / "sources.yaml").hourly)
        assert con.execute("SELECT * FROM hourly.meter_hours ORDER BY ALL").fetchall() == before
    finally:
        con.close()
