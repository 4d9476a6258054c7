"""The hourly readers on tiny files in each layout: normal form, units, boundaries, and errors that name the file,
row and column; and the hourly: section of the sources file."""

from __future__ import annotations

from datetime import datetime

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly import files
from carbon_pipeline.hourly.config import HourlyFile, parse_hourly
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.hourly.support import write

EM_HEADER = (
    "Datetime (UTC),Country,Zone name,Zone id,Carbon intensity gCO₂eq/kWh (direct),"
    "Carbon intensity gCO₂eq/kWh (Life cycle),Carbon-free energy percentage (CFE%),"
    "Renewable energy percentage (RE%),Data source,Data estimated,Data estimation method\n"
)


def test_electricity_maps_portal_file_gives_both_boundaries_in_kg(tmp_path):
    path = write(
        tmp_path / "DE_2024_hourly.csv",
        EM_HEADER + "2024-01-01 00:00:00,Germany,Germany,DE,350.5,420.0,40,45,x,false,\n"
        "2024-01-01 01:00:00,Germany,Germany,DE,300,,41,46,x,true,TIME_SLICER_AVERAGE\n",
    )
    grid = files.read_grid_file(HourlyFile("electricitymaps", path, "2024 hourly", "ODbL, licensed to Acme"))
    assert grid.rows == [
        ("DE", datetime(2024, 1, 1, 0), pytest.approx(0.3505), "direct"),
        ("DE", datetime(2024, 1, 1, 0), pytest.approx(0.42), "lifecycle"),
        ("DE", datetime(2024, 1, 1, 1), pytest.approx(0.3), "direct"),
    ]
    assert grid.skipped_empty == 1  # the empty life-cycle cell: counted, not loaded, not zero
    assert (grid.publisher, grid.licence, grid.redistributable) == ("Electricity Maps", "ODbL, licensed to Acme", False)
    assert len(grid.file_sha256) == 64


def test_a_daily_file_is_refused_rather_than_read_as_hourly(tmp_path):
    path = write(
        tmp_path / "DE_2024_daily.csv",
        EM_HEADER
        + "2024-01-01 00:00:00,Germany,Germany,DE,350,420,,,,,\n2024-01-02 00:00:00,Germany,Germany,DE,300,400,,,,,\n",
    )
    with pytest.raises(UserFactorFileError, match="not 1 hour"):
        files.read_grid_file(HourlyFile("electricitymaps", path, "e", "l"))


def test_eia930_derived_rates_convert_lb_per_mwh_and_take_the_zone_from_the_sources_file(tmp_path):
    path = write(
        tmp_path / "PJM.csv",
        "datetime_utc,consumed_co2e_rate_lb_per_mwh_for_electricity\n"
        "2024-01-01 05:00:00+00:00,1000\n2024-01-01 06:00:00+00:00,\n2024-01-01 07:00:00+00:00,500\n",
    )
    grid = files.read_grid_file(HourlyFile("eia930_oge", path, "OGE 2024", "CC BY 4.0", {"zone": "PJM"}))
    assert grid.rows == [
        ("PJM", datetime(2024, 1, 1, 5), pytest.approx(0.45359237), "direct"),
        ("PJM", datetime(2024, 1, 1, 7), pytest.approx(0.226796185), "direct"),
    ]
    assert grid.skipped_empty == 1


def test_plain_file_errors_name_row_and_column(tmp_path):
    path = write(tmp_path / "g.csv", "zone,hour_utc,kgco2e_per_kwh,boundary\nZ,2025-01-01T00:00Z,-1,direct\n")
    with pytest.raises(UserFactorFileError, match=r"row 1, column 'kgco2e_per_kwh'"):
        files.read_grid_file(HourlyFile("plain", path, "e", "l"))
    path = write(tmp_path / "h.csv", "zone,hour_utc,kgco2e_per_kwh,boundary\nZ,2025-01-01T00:30Z,0.1,direct\n")
    with pytest.raises(UserFactorFileError, match=r"not the start of an hour"):
        files.read_grid_file(HourlyFile("plain", path, "e", "l"))


def test_synthetic_profile_keeps_the_annual_mean_and_says_it_is_synthetic():
    grid = files.synthetic_grid("Z", 0.4, 2025)
    assert len(grid.rows) == 8760
    assert sum(r[2] for r in grid.rows) / 8760 == pytest.approx(0.4)
    assert max(grid.rows, key=lambda r: r[2])[1].hour == 19
    assert grid.publisher == "synthetic" and "no measured data" in grid.licence


def test_green_button_quarter_hours_in_local_time_sum_into_utc_hours(tmp_path):
    path = write(
        tmp_path / "gb.csv",
        'Name,ACME\nAddress,"1 Main St, Springfield"\nAccount Number,123\nService,Electric\n\n'
        "TYPE,DATE,START TIME,END TIME,USAGE (kWh),COST,NOTES\n"
        "Electric usage,2025-04-01,00:00,00:14,0.25,$0.03,\nElectric usage,2025-04-01,00:15,00:29,0.25,$0.03,\n"
        "Electric usage,2025-04-01,00:30,00:44,0.25,$0.03,\nElectric usage,2025-04-01,00:45,00:59,0.5,$0.03,\n"
        "Electric usage,2025-04-01,01:00,01:14,2,$0.03,\n",
    )
    hours = files.read_meter_file(HourlyFile("green_button", path, options={"site": "S", "utc_offset_hours": -5}))
    assert [(h, k) for _, h, k, _ in hours] == [(datetime(2025, 4, 1, 5), 1.25), (datetime(2025, 4, 1, 6), 2.0)]
    with pytest.raises(UserFactorFileError, match="utc_offset_hours"):
        files.read_meter_file(HourlyFile("green_button", path, options={"site": "S"}))


def test_interval_csv_refuses_a_repeated_interval(tmp_path):
    path = write(tmp_path / "m.csv", "interval_start,kwh\n2025-04-01T00:00Z,1\n2025-04-01T00:00Z,1\n")
    with pytest.raises(UserFactorFileError, match="appears twice"):
        files.read_meter_file(HourlyFile("interval_csv", path, options={"site": "S"}))


def test_a_granular_certificate_longer_than_an_hour_is_refused(tmp_path):
    path = write(
        tmp_path / "gc.csv",
        "certificate_id,production_start_utc,production_end_utc,kwh,zone\nG1,2025-04-01T00:00Z,2025-04-01T02:00Z,5,Z\n",
    )
    with pytest.raises(UserFactorFileError, match=r"row 1, column 'production_end_utc'"):
        files.read_instrument_file(HourlyFile("granular_certificates", path, "e", "l"))


def test_the_hourly_section_is_strict_and_off_by_default(tmp_path):
    sources = tmp_path / "sources.yaml"
    assert parse_hourly(None, sources).enabled is False
    with pytest.raises(ConfigError, match="hourly.grid"):
        parse_hourly({"grid": []}, sources)
    with pytest.raises(ConfigError, match="missing required key 'zone'"):
        parse_hourly(
            {"grid_files": [{"layout": "eia930_oge", "path": "x.csv", "edition": "e", "licence_note": "l"}]}, sources
        )
    with pytest.raises(ConfigError, match="grid_files"):
        parse_hourly({"enabled": True, "zone_map": "z.csv"}, sources)
    write(sources, "sources: []\nhourly:\n  enabled: false\n")
    assert load_sources_file(sources).hourly.enabled is False


def test_a_cur_source_takes_a_boolean_hourly_option(tmp_path):
    sources = write(tmp_path / "sources.yaml", "sources:\n  - {id: c, kind: aws_cur, uri: cur, hourly: yes-please}\n")
    with pytest.raises(ConfigError, match="'hourly' must be true or false"):
        load_sources_file(sources)
    write(sources, "sources:\n  - {id: c, kind: aws_cur, uri: cur, hourly: true}\n")
    assert load_sources_file(sources).sources[0].options["hourly"] is True
