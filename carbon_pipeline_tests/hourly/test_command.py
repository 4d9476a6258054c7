"""``python -m carbon_pipeline.hourly`` end to end on a tiny warehouse, and the all-or-nothing build: a bad file
leaves the previous hourly tables as they were."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly.__main__ import main
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
def deployment(tmp_path, monkeypatch):
    write(tmp_path / "zones.csv", "kind,key,zone\nsite,S,Z\n")
    write(tmp_path / "meter.csv", "interval_start,kwh\n2025-04-01T19:00Z,10\n2025-04-01T20:00Z,10\n")
    write(tmp_path / "ppa.csv", "contract_id,hour_utc,kwh,zone,technology\nP1,2025-04-01T19:00Z,10,Z,solar\n")
    sources = write(tmp_path / "sources.yaml", SOURCES)
    monkeypatch.setenv("CARBON_SOURCES", str(sources))
    monkeypatch.setenv("CARBON_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    warehouse(tmp_path).close()
    return tmp_path


def test_the_command_builds_and_prints_the_summaries(deployment, capsys):
    assert main() == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    con = duckdb.connect(str(deployment / "warehouse.duckdb"), read_only=True)
    try:
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


def test_the_command_says_when_hourly_is_off(deployment, capsys):
    write(deployment / "sources.yaml", "sources: []\n")
    assert main() == 2
    assert "hourly is off" in capsys.readouterr().err


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
