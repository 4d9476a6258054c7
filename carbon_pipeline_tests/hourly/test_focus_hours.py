"""FOCUS charge periods by the hour (docs/hourly.md, "Cloud regions by the hour"), worked by hand on tiny tables.
An Azure VM's usage estimate of 100 kWh in April 2025 (ledger keys as ledger/activity_focus.sql makes them):

- its source turned hourly, with hourly charge periods of 1, 3 and 0 vCPU-hours at 03:00 and 19:00 and (a cost
  correction) 12:00 UTC: the 100 kWh land 25 at 03:00 and 75 at 19:00, shaped `focus_hourly`, not profiled;
- the same export as daily rows (every charge period starting at midnight, on two days): each day's share spread
  over its 24 hours;
- a source not turned hourly: spread flat over April's 720 hours and labelled so.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.hourly.build import build_hourly, hourly_sources
from carbon_pipeline.hourly.config import HourlyFile
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline_tests.hourly.support import activity, emission, settings, warehouse, write

APRIL = date(2025, 4, 1)
KEYS = {"account_id": "sub-1", "service": "Virtual Machines", "usage_type": "Compute:vCPU-Hours"}
# one region per source, so that each source's hours can be read on their own
REGIONS = {"focus-hourly": "westeurope", "focus-daily": "northeurope", "focus-off": "swedencentral"}


def _estimate(con, activity_id: str, source: str, kwh: float) -> None:
    activity(
        con, activity_id, APRIL, source_id=source, source_kind="focus", activity_type="cloud_usage",
        estimation_class="compute", provider="azure", quantity=4.0, unit="vCPU-Hours", region=REGIONS[source], **KEYS,
    )  # fmt: skip
    emission(con, activity_id, APRIL, "location", basis="estimated_usage", energy_kwh=kwh, tco2e=kwh * 0.3 / 1000)


def _charge(con, source: str, line: int, start: datetime, quantity: float, charge_class: str | None = None) -> None:
    con.execute(
        "INSERT INTO raw.focus_charges (source_id, period_month, focus_version, delivery_id, object_key, object_line, "
        "provider, billing_account_id, sub_account_id, region, service_name, service_category, charge_category, "
        "charge_class, charge_period_start, consumed_quantity, consumed_unit, billed_cost, currency) "
        "VALUES (?, ?, '1.2', 'd1', 'focus.csv', ?, 'azure', 'ba-1', 'sub-1', ?, 'Virtual Machines', "
        "'Compute', 'Usage', ?, ?, ?, 'vCPU-Hours', 1.0, 'EUR')",
        [source, APRIL, line, REGIONS[source], charge_class, start, quantity],
    )


@pytest.fixture()
def built(tmp_path):
    con = warehouse(tmp_path)
    _estimate(con, "hourly", "focus-hourly", 100.0)
    _charge(con, "focus-hourly", 2, datetime(2025, 4, 1, 3), 1.0)
    _charge(con, "focus-hourly", 3, datetime(2025, 4, 1, 19), 3.0)
    _charge(con, "focus-hourly", 4, datetime(2025, 4, 1, 12), 5.0, charge_class="Correction")  # not usage
    _estimate(con, "daily", "focus-daily", 48.0)
    _charge(con, "focus-daily", 2, datetime(2025, 4, 1), 1.0)
    _charge(con, "focus-daily", 3, datetime(2025, 4, 2), 3.0)
    _estimate(con, "off", "focus-off", 72.0)
    _charge(con, "focus-off", 2, datetime(2025, 4, 1, 3), 1.0)
    hourly = settings(
        tmp_path,
        grid=[HourlyFile("synthetic", Path(), options={"zone": "NL", "annual_kgco2e_per_kwh": 0.3, "year": 2025})],
        zone_map="kind,key,zone\n" + "".join(f"cloud_region,azure:{r},NL\n" for r in REGIONS.values()),
    )
    build_hourly(con, hourly, ["focus-hourly", "focus-daily"])
    yield con
    con.close()


def _hours(con, source: str) -> list[tuple[datetime, float, str]]:
    return con.execute(
        "SELECT hour_utc, round(kwh, 9), shape FROM hourly.consumption WHERE entity = ? ORDER BY 1",
        [f"azure:{REGIONS[source]}"],
    ).fetchall()


def test_hourly_charge_periods_shape_the_estimate_hour_by_hour(built):
    assert _hours(built, "focus-hourly") == [
        (datetime(2025, 4, 1, 3), 25.0, "focus_hourly"),
        (datetime(2025, 4, 1, 19), 75.0, "focus_hourly"),  # the 12:00 correction is not usage: no hour of its own
    ]


def test_daily_charge_periods_are_spread_over_their_day(built):
    daily = _hours(built, "focus-daily")
    assert len(daily) == 48 and {shape for _, _, shape in daily} == {"focus_hourly"}
    assert {kwh for h, kwh, _ in daily if h.day == 1} == {0.5}  # 48 kWh x 1/4 over 24 hours
    assert {kwh for h, kwh, _ in daily if h.day == 2} == {1.5}  # 48 kWh x 3/4 over 24 hours


def test_a_source_not_turned_hourly_is_spread_flat_and_labelled(built):
    flat = _hours(built, "focus-off")
    assert len(flat) == 720 and {(kwh, shape) for _, kwh, shape in flat} == {(0.1, "cloud_profiled_flat")}
    shares = built.execute("SELECT entity, profiled_kwh_share FROM marts.hourly_vs_annual ORDER BY 1").fetchall()
    assert shares == [("azure:northeurope", 0.0), ("azure:swedencentral", 1.0), ("azure:westeurope", 0.0)]


def test_hourly_true_on_a_focus_source_is_read_and_checked(tmp_path):
    source = "sources:\n  - id: f1\n    kind: focus\n    uri: landing\n    hourly: {value}\n"
    write(tmp_path / "sources.yaml", source.format(value="true"))
    assert hourly_sources(load_sources_file(tmp_path / "sources.yaml")) == ["f1"]
    write(tmp_path / "sources.yaml", source.format(value="yes please"))
    with pytest.raises(ConfigError, match="key 'hourly' must be true or false"):
        load_sources_file(tmp_path / "sources.yaml")
