"""Hourly-matched market-based Scope 2, worked by hand (docs/hourly.md, "Hourly matching").

Site S1 in zone Z1 (residual mix 0.5 kg/kWh) uses 10 kWh in each of three hours of 1 April 2025 (UTC):
    hour  consumption  certificates in Z1   matched  unmatched  surplus  status
    00:00     10            15                10        0          5      surplus  (5 kWh lost, not carried)
    01:00     10             4                 4        6          0      deficit
    02:00     10             0                 0       10          0      deficit  (partial cover)
A 100 kWh certificate produced in Z2 at 01:00 is outside the boundary: no site is in Z2, it matches nothing.
So Z1: matched 14 of 30 kWh (CFE score 14/30), unmatched 16 kWh x 0.5 = 8 kg = 0.008 t, beside the annual-
matching figure 0.0055 t ((30 - 19) x 0.5 / 1000: the 19 kWh of certificates netted over the month).
Site S2 in zone Z3 (no residual mix) uses 5 kWh at 00:00 with no instrument: the documented fallback charges it at
Z3's hourly location factor 0.8: 0.004 t, recorded as location_fallback.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from carbon_pipeline.hourly.build import build_hourly
from carbon_pipeline.hourly.config import HourlyFile
from carbon_pipeline_tests.hourly.support import activity, emission, residual_mix, settings, warehouse, write

APRIL = date(2025, 4, 1)


@pytest.fixture()
def built(tmp_path):
    con = warehouse(tmp_path)
    residual_mix(con, "iso3:DEU", 2024, 0.5)
    activity(con, "bill-s1", APRIL, site="S1", quantity=30.0, unit="kWh")
    emission(con, "bill-s1", APRIL, "location", tco2e=0.009, energy_kwh=30.0)
    emission(con, "bill-s1", APRIL, "market", tco2e=0.0055, energy_kwh=30.0)
    grid = write(
        tmp_path / "grid.csv",
        "zone,hour_utc,kgco2e_per_kwh,boundary\n"
        "Z1,2025-04-01T00:00:00Z,0.2,direct\nZ1,2025-04-01T01:00:00Z,0.3,direct\nZ1,2025-04-01T02:00:00Z,0.4,direct\n"
        "Z3,2025-04-01T00:00:00Z,0.8,direct\nZ3,2025-04-01T01:00:00Z,0.8,direct\n",
    )
    s1 = write(
        tmp_path / "s1.csv",
        "interval_start,kwh\n2025-04-01T00:00:00Z,10\n2025-04-01T01:00:00Z,10\n2025-04-01T02:00:00Z,10\n",
    )
    s2 = write(tmp_path / "s2.csv", "interval_start,kwh\n2025-04-01T00:00:00Z,5\n")
    certificates = write(
        tmp_path / "gc.csv",
        "certificate_id,production_start_utc,production_end_utc,kwh,zone,technology\n"
        "GC1,2025-04-01T00:00:00Z,2025-04-01T01:00:00Z,15,Z1,solar\n"
        "GC2,2025-04-01T01:00:00Z,2025-04-01T02:00:00Z,4,Z1,wind\n"
        "GC3,2025-04-01T01:00:00Z,2025-04-01T02:00:00Z,100,Z2,wind\n",
    )
    hourly = settings(
        tmp_path,
        grid=[HourlyFile("plain", grid, "test", "test licence")],
        zone_map="kind,key,zone,residual_geography\nsite,S1,Z1,iso3:DEU\nsite,S2,Z3,\n",
        meter_files=(
            HourlyFile("interval_csv", s1, options={"site": "S1"}),
            HourlyFile("interval_csv", s2, options={"site": "S2"}),
        ),
        instrument_files=(HourlyFile("granular_certificates", certificates, "test", "registry statement"),),
    )
    build_hourly(con, hourly)
    yield con
    con.close()


def _hours(con, zone):
    return con.execute(
        "SELECT hour(hour_utc), consumption_kwh, supply_kwh, matched_kwh, unmatched_kwh, surplus_kwh, status, "
        "round(tco2e, 9) FROM hourly.matching WHERE zone = ? ORDER BY hour_utc",
        [zone],
    ).fetchall()


def test_an_hour_with_surplus_and_hours_with_deficit_match_hour_by_hour_without_carry_over(built):
    assert _hours(built, "Z1") == [
        (0, 10.0, 15.0, 10.0, 0.0, 5.0, "surplus", 0.0),
        (1, 10.0, 4.0, 4.0, 6.0, 0.0, "deficit", 0.003),
        (2, 10.0, 0.0, 0.0, 10.0, 0.0, "deficit", 0.005),
    ]


def test_an_instrument_outside_the_market_boundary_matches_nothing(built):
    assert _hours(built, "Z2") == [(1, 0.0, 100.0, 0.0, 0.0, 100.0, "outside_boundary", 0.0)]


def test_unmatched_hours_use_the_residual_mix_and_else_the_recorded_location_fallback(built):
    sources = dict(
        built.execute(
            "SELECT zone || '@' || hour(hour_utc), unmatched_factor_source FROM hourly.matching WHERE unmatched_kwh > 0"
        ).fetchall()
    )
    assert sources == {
        "Z1@1": "residual_mix:user:aib:test:iso3:DEU:2024",
        "Z1@2": "residual_mix:user:aib:test:iso3:DEU:2024",
        "Z3@0": "location_fallback:user",
    }
    assert _hours(built, "Z3") == [(0, 5.0, 0.0, 0.0, 5.0, 0.0, "deficit", 0.004)]


def test_partial_cover_is_reported_beside_the_annual_matching_figure_with_the_cfe_score(built):
    row = built.execute(
        "SELECT consumption_kwh, supply_kwh, matched_kwh, unmatched_kwh, surplus_kwh, hours_with_consumption, "
        "hours_fully_matched, cfe_score, round(hourly_market_tco2e, 9), annual_market_tco2e "
        "FROM marts.hourly_market_scope2 WHERE zone = 'Z1' AND period_month = ?",
        [APRIL],
    ).fetchone()
    assert row[:7] == (30.0, 19.0, 14.0, 16.0, 5.0, 3, 1)
    assert row[7] == pytest.approx(14 / 30)
    assert row[8] == 0.008  # hourly matching: the noon surplus cannot cover 02:00
    assert row[9] == 0.0055  # annual matching nets the same certificates over the month


def test_metered_hours_give_the_location_figure_hour_by_hour(built):
    rows = built.execute(
        "SELECT annual_kwh, hourly_kwh, annual_tco2e, round(hourly_tco2e, 9), profiled_kwh_share "
        "FROM marts.hourly_vs_annual WHERE entity = 'S1'"
    ).fetchall()
    assert rows == [(30.0, 30.0, 0.009, 0.009, 0.0)]  # 10 x (0.2 + 0.3 + 0.4) / 1000
    first = built.execute(
        "SELECT hour_utc, dirtiest_rank FROM marts.hourly_intensity WHERE entity = 'S1' ORDER BY dirtiest_rank LIMIT 1"
    ).fetchone()
    assert first == (datetime(2025, 4, 1, 2), 1)


def test_the_grid_file_is_in_the_catalogue_with_licence_and_checksum(built, tmp_path):
    rows = built.execute(
        "SELECT origin, target_table, rows_loaded, licence, redistributable, length(file_sha256) "
        "FROM factors.catalogue_files WHERE origin LIKE 'hourly:%'"
    ).fetchall()
    assert rows == [("hourly:plain", "hourly.grid_factors", 5, "test licence", False, 64)]
