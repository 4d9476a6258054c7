"""Interval meter files in local time with an IANA time zone, across daylight-saving changes, worked by hand for
Europe/Berlin 2025 (CET = UTC+1, CEST = UTC+2; clocks forward 30 March 02:00 -> 03:00, back 26 October
03:00 -> 02:00):

- the spring day has 23 local hours: 00:00 and 01:00 CET are 23:00 and 00:00 UTC, 03:00 CEST is 01:00 UTC, so the
  day's 23 rows land on 23 consecutive UTC hours 29 March 23:00 .. 30 March 21:00;
- the autumn day has 25: 02:00 comes twice, first as CEST (00:00 UTC), then as CET (01:00 UTC), in file order;
- a local time inside the spring gap does not exist and is an error naming the row, never a guess.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly.config import HourlyFile, parse_hourly
from carbon_pipeline.hourly.files import read_meter_file
from carbon_pipeline_tests.hourly.support import write


def meter(tmp_path: Path, rows: list[tuple[str, float]], layout: str = "interval_csv") -> HourlyFile:
    text = "interval_start,kwh\n" + "".join(f"{start},{kwh}\n" for start, kwh in rows)
    path = write(tmp_path / "meter.csv", text)
    return HourlyFile(layout, path, options={"site": "berlin", "timezone": "Europe/Berlin"})


def local_day(day: date, hours: list[int]) -> list[tuple[str, float]]:
    """Rows of a local day in file order; kWh = 1, 2, 3 ... so each row can be followed to its UTC hour."""
    return [(f"{day}T{hour:02d}:00", float(i + 1)) for i, hour in enumerate(hours)]


def test_the_spring_day_has_23_hours_on_consecutive_utc_hours(tmp_path):
    # 02:00 does not exist that day: a meter logs 00, 01, 03, 04 ... 23
    rows = local_day(date(2025, 3, 30), [0, 1, *range(3, 24)])
    hours = read_meter_file(meter(tmp_path, rows))
    assert len(hours) == 23
    assert [h for _, h, _, _ in hours] == [datetime(2025, 3, 29, 23) + timedelta(hours=i) for i in range(23)]
    by_hour = {h: kwh for _, h, kwh, _ in hours}
    assert by_hour[datetime(2025, 3, 29, 23)] == 1.0  # 00:00 CET
    assert by_hour[datetime(2025, 3, 30, 0)] == 2.0  # 01:00 CET
    assert by_hour[datetime(2025, 3, 30, 1)] == 3.0  # 03:00 CEST: the next instant after 01:59 CET
    assert by_hour[datetime(2025, 3, 30, 21)] == 23.0  # 23:00 CEST


def test_the_autumn_day_has_25_hours_and_the_repeated_hour_is_summer_time_first(tmp_path):
    # 02:00 comes twice: the meter logs 00, 01, 02, 02, 03 ... 23
    rows = local_day(date(2025, 10, 26), [0, 1, 2, 2, *range(3, 24)])
    hours = read_meter_file(meter(tmp_path, rows))
    assert len(hours) == 25
    assert [h for _, h, _, _ in hours] == [datetime(2025, 10, 25, 22) + timedelta(hours=i) for i in range(25)]
    by_hour = {h: kwh for _, h, kwh, _ in hours}
    assert by_hour[datetime(2025, 10, 25, 22)] == 1.0  # 00:00 CEST
    assert by_hour[datetime(2025, 10, 26, 0)] == 3.0  # the first 02:00: CEST
    assert by_hour[datetime(2025, 10, 26, 1)] == 4.0  # the second 02:00: CET
    assert by_hour[datetime(2025, 10, 26, 2)] == 5.0  # 03:00 CET
    assert sum(by_hour.values()) == sum(range(1, 26))  # nothing lost, nothing doubled


def test_quarter_hours_of_the_repeated_hour_sum_into_two_utc_hours(tmp_path):
    quarters = [f"2025-10-26T02:{m:02d}" for m in (0, 15, 30, 45)]
    rows = [(q, 1.0) for q in quarters] + [(q, 2.0) for q in quarters]
    hours = read_meter_file(meter(tmp_path, rows))
    assert [(h, kwh) for _, h, kwh, _ in hours] == [(datetime(2025, 10, 26, 0), 4.0), (datetime(2025, 10, 26, 1), 8.0)]


def test_a_local_time_in_the_spring_gap_is_an_error_naming_the_row(tmp_path):
    rows = local_day(date(2025, 3, 30), [0, 1, 2, 3])
    with pytest.raises(UserFactorFileError, match=r"row 3, column 'interval_start'.*does not exist in Europe/Berlin"):
        read_meter_file(meter(tmp_path, rows))


def test_a_third_repeated_hour_is_a_duplicate(tmp_path):
    rows = local_day(date(2025, 10, 26), [2, 2, 2])
    with pytest.raises(UserFactorFileError, match="appears twice"):
        read_meter_file(meter(tmp_path, rows))


def test_an_explicit_offset_in_the_file_wins_over_the_time_zone(tmp_path):
    hours = read_meter_file(meter(tmp_path, [("2025-10-26T02:00+01:00", 1.0)]))
    assert hours[0][1] == datetime(2025, 10, 26, 1)


def test_green_button_local_times_follow_the_time_zone(tmp_path):
    text = (
        "Name,ACME\nAddress,1 Main St\n\n"
        "TYPE,DATE,START TIME,END TIME,USAGE (kWh),UNITS,COST,NOTES\n"
        "Electric usage,2025-11-02,01:00,01:59,1.5,kWh,$0.20,\n"
        "Electric usage,2025-11-02,01:00,01:59,2.5,kWh,$0.30,\n"
        "Electric usage,2025-11-02,02:00,02:59,3.5,kWh,$0.40,\n"
    )
    path = write(tmp_path / "gb.csv", text)
    entry = HourlyFile("green_button", path, options={"site": "austin", "timezone": "America/Chicago"})
    # Chicago 2025-11-02: 01:00 CDT (UTC-5) = 06:00 UTC, 01:00 CST (UTC-6) = 07:00 UTC, 02:00 CST = 08:00 UTC
    assert [(h, kwh) for _, h, kwh, _ in read_meter_file(entry)] == [
        (datetime(2025, 11, 2, 6), 1.5),
        (datetime(2025, 11, 2, 7), 2.5),
        (datetime(2025, 11, 2, 8), 3.5),
    ]


def test_the_sources_file_refuses_an_unknown_zone_and_both_clocks(tmp_path):
    base = {"enabled": True, "zone_map": "z.csv", "grid_files": [{"layout": "synthetic", "zone": "Z",
            "annual_kgco2e_per_kwh": 0.3, "year": 2025}]}  # fmt: skip
    bad_zone = {
        **base,
        "meter_files": [{"layout": "interval_csv", "path": "m.csv", "site": "s", "timezone": "Mars/Base"}],
    }
    with pytest.raises(ConfigError, match="'Mars/Base' is not an IANA time zone"):
        parse_hourly(bad_zone, tmp_path / "sources.yaml")
    both = {**base, "meter_files": [{"layout": "interval_csv", "path": "m.csv", "site": "s",
            "timezone": "Europe/Berlin", "utc_offset_hours": 1}]}  # fmt: skip
    with pytest.raises(ConfigError, match="not both"):
        parse_hourly(both, tmp_path / "sources.yaml")
