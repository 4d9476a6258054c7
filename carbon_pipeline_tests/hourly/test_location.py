"""Location-based by the hour, worked by hand, with the SYNTHETIC diurnal profile (annual x (1 + 0.25 cos(2 pi
(h - 19) / 24)), h the UTC hour): its daily mean is the annual factor, its peak (x 1.25) at 19:00 UTC and its
trough (x 0.75) at 07:00 UTC. So, for the same kWh:
- cloud usage all at 19:00 (hourly CUR) comes out 1.25 x the annual figure; all at 07:00, 0.75 x;
- usage spread over whole days (a daily line item, or a source without hourly: true, spread flat) equals it;
- a monthly bill spread flat equals it; spread by an office profile (08-17 UTC) it does not, by a known amount.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path

import pytest

from carbon_pipeline.hourly.build import build_hourly
from carbon_pipeline.hourly.config import HourlyFile
from carbon_pipeline_tests.hourly.support import activity, emission, settings, warehouse, write

APRIL = date(2025, 4, 1)


def _synthetic(zone: str, annual: float) -> HourlyFile:
    return HourlyFile("synthetic", Path(), options={"zone": zone, "annual_kgco2e_per_kwh": annual, "year": 2025})


def _cloud(con, activity_id: str, source: str, region: str, kwh: float, annual: float) -> None:
    activity(
        con,
        activity_id,
        APRIL,
        source_id=source,
        source_kind="aws_cur",
        activity_type="cloud_usage",
        estimation_class="compute",
        provider="aws",
        region=region,
        account_id="111122223333",
        service="AmazonEC2",
        usage_type="BoxUsage:m5.large",
        quantity=kwh,
        unit="Hrs",
    )
    emission(
        con,
        activity_id,
        APRIL,
        "location",
        basis="estimated_usage",
        energy_kwh=kwh,
        tco2e=kwh * annual / 1000 + 0.001,
        embodied_tco2e=0.001,
    )


def _line_item(con, source: str, region: str, start: datetime, end: datetime, line: int) -> None:
    con.execute(
        "INSERT INTO raw.aws_cur_line_items (source_id, period_month, assembly_id, object_key, object_line, "
        "usage_account_id, line_item_type, product_code, usage_type, usage_start, usage_end, usage_amount, "
        "region_code) VALUES (?, ?, 'a1', 'report-1.csv', ?, '111122223333', 'Usage', 'AmazonEC2', "
        "'BoxUsage:m5.large', ?, ?, 1.0, ?)",
        [source, APRIL, line, start, end, region],
    )


@pytest.fixture()
def built(tmp_path):
    con = warehouse(tmp_path)
    # hourly CUR: all use at 19:00 UTC (us-east-1) or 07:00 UTC (us-west-2); a daily line item (ap-south-1)
    _cloud(con, "c-peak", "cur-hourly", "us-east-1", 100.0, 0.4)
    _cloud(con, "c-trough", "cur-hourly", "us-west-2", 100.0, 0.2)
    _cloud(con, "c-day", "cur-hourly", "ap-south-1", 48.0, 0.7)
    _cloud(con, "c-flat", "cur-monthly", "eu-west-1", 72.0, 0.3)
    for line, day in enumerate((1, 2), start=2):
        _line_item(con, "cur-hourly", "us-east-1", datetime(2025, 4, day, 19), datetime(2025, 4, day, 20), line)
        _line_item(con, "cur-hourly", "us-west-2", datetime(2025, 4, day, 7), datetime(2025, 4, day, 8), line + 10)
    _line_item(con, "cur-hourly", "ap-south-1", datetime(2025, 4, 3), datetime(2025, 4, 4), 30)
    # the monthly source's line items exist too, but it is not turned hourly: its estimate is spread flat
    _line_item(con, "cur-monthly", "eu-west-1", datetime(2025, 4, 1, 19), datetime(2025, 4, 1, 20), 40)
    # monthly-billed sites: P1 flat, P2 by an office profile
    for site in ("P1", "P2"):
        activity(con, f"bill-{site}", APRIL, site=site, quantity=720.0, unit="kWh")
        emission(con, f"bill-{site}", APRIL, "location", tco2e=720 * 0.4 / 1000, energy_kwh=720.0)
    profiles = write(
        tmp_path / "profiles.csv",
        "profile,hour_of_day,weight\n" + "".join(f"office,{h},{1 if 8 <= h <= 17 else 0}\n" for h in range(24)),
    )
    hourly = settings(
        tmp_path,
        grid=[_synthetic(z, a) for z, a in (("US-PJM", 0.4), ("US-NW", 0.2), ("IN-WE", 0.7), ("IE", 0.3))],
        zone_map="kind,key,zone\ncloud_region,aws:us-east-1,US-PJM\ncloud_region,aws:us-west-2,US-NW\n"
        "cloud_region,aws:ap-south-1,IN-WE\ncloud_region,aws:eu-west-1,IE\nsite,P1,US-PJM\nsite,P2,US-PJM\n",
        load_profiles=profiles,
        site_profiles={"P2": "office"},
    )
    build_hourly(con, hourly, ["cur-hourly"])
    yield con
    con.close()


def _compare(con, entity):
    return con.execute(
        "SELECT annual_kwh, hourly_kwh, annual_tco2e, hourly_tco2e, hourly_to_annual, profiled_kwh_share, note "
        "FROM marts.hourly_vs_annual WHERE entity = ?",
        [entity],
    ).fetchone()


def test_cloud_use_at_the_dirtiest_hour_comes_out_above_the_annual_figure(built):
    annual_kwh, hourly_kwh, annual, hourly, ratio, profiled, note = _compare(built, "aws:us-east-1")
    assert (annual_kwh, hourly_kwh) == (100.0, pytest.approx(100.0))
    assert annual == pytest.approx(0.04)  # embodied left out: it is not electricity
    assert hourly == pytest.approx(100 * 0.4 * 1.25 / 1000)
    assert ratio == pytest.approx(1.25)
    timing, factor = built.execute(
        "SELECT timing_effect_tco2e, factor_effect_tco2e FROM marts.hourly_vs_annual WHERE entity = 'aws:us-east-1'"
    ).fetchone()
    assert timing == pytest.approx(0.01)  # all of the difference is when the kWh were used ...
    assert factor == pytest.approx(0.0, abs=1e-12)  # ... none is the factor set (April's mean is the annual 0.4)
    assert profiled == 0.0
    assert "SYNTHETIC" in note
    shapes = built.execute(
        "SELECT DISTINCT shape, hour(hour_utc) FROM hourly.consumption WHERE entity = 'aws:us-east-1'"
    ).fetchall()
    assert shapes == [("cur_hourly", 19)]


def test_cloud_use_at_the_cleanest_hour_comes_out_below_it(built):
    assert _compare(built, "aws:us-west-2")[4] == pytest.approx(0.75)


def test_use_spread_over_whole_days_equals_the_annual_figure(built):
    day = _compare(built, "aws:ap-south-1")
    assert day[4] == pytest.approx(1.0)
    assert built.execute("SELECT count(*) FROM hourly.consumption WHERE entity = 'aws:ap-south-1'").fetchone() == (24,)
    flat = _compare(built, "aws:eu-west-1")  # not turned hourly: spread flat over April, flagged
    assert flat[4] == pytest.approx(1.0)
    assert flat[5] == pytest.approx(1.0)
    assert built.execute(
        "SELECT DISTINCT shape, count(*) FROM hourly.consumption WHERE entity = 'aws:eu-west-1' GROUP BY shape"
    ).fetchall() == [("cloud_profiled_flat", 720)]


def test_a_monthly_bill_spread_flat_is_flagged_profiled_and_equals_the_annual_figure(built):
    rows = built.execute("SELECT DISTINCT shape, kwh FROM hourly.consumption WHERE entity = 'P1'").fetchall()
    assert rows == [("profiled_flat", pytest.approx(1.0))]  # 720 kWh over April's 720 hours
    compared = _compare(built, "P1")
    assert compared[4] == pytest.approx(1.0)
    assert compared[5] == 1.0
    assert "profiled: 100.0% of kWh" in compared[6]


def test_a_monthly_bill_spread_by_an_office_profile_lands_in_office_hours(built):
    hours = built.execute(
        "SELECT hour(hour_utc), round(sum(kwh), 9) FROM hourly.consumption WHERE entity = 'P2' GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert hours == [(h, 72.0 if 8 <= h <= 17 else 0.0) for h in range(24)]  # 720 / (30 days x 10 h) = 2.4 a day
    expected = sum(72.0 * 0.4 * (1 + 0.25 * math.cos(2 * math.pi * (h - 19) / 24)) for h in range(8, 18)) / 1000
    compared = _compare(built, "P2")
    assert compared[3] == pytest.approx(expected)
    assert compared[3] < compared[2]  # office hours miss the 19:00 peak: below the annual figure
    shapes = built.execute("SELECT DISTINCT shape FROM hourly.consumption WHERE entity = 'P2'").fetchall()
    assert shapes == [("profiled:office",)]


def test_the_hour_of_day_view_shows_when_use_was_dirtiest(built):
    rows = built.execute(
        "SELECT hour_of_day_utc, kgco2e_per_kwh FROM marts.hourly_intensity_by_hour_of_day "
        "WHERE entity = 'P1' ORDER BY kgco2e_per_kwh DESC LIMIT 1"
    ).fetchall()
    assert rows == [(19, pytest.approx(0.5))]
