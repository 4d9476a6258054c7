"""Intensity metrics: tCO2e per unit of each denominator the organisation gives in the sources file
(settings.intensity_denominators: name, unit, a value per year), validated when the file is read, built at
publish into marts.intensity_metrics (bi.intensity_metrics) by reporting year x scopes x method, and shown in
the report."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.reporting.report_data import Table
from carbon_pipeline.reporting.report_sections import intensity_section
from carbon_pipeline.serving.publish import _build_intensity, publish_serving
from carbon_pipeline.sources.sources_file import load_sources_file


def _load(tmp_path, settings: str):
    path = tmp_path / "sources.yaml"
    path.write_text(f"settings:\n{settings}sources: []\n", encoding="utf-8")
    return load_sources_file(path).settings


DENOMINATORS = (
    "  intensity_denominators:\n"
    "    - {name: revenue, unit: million EUR revenue, values: {2024: 50, 2025: 62.5}}\n"
    "    - {name: employees, unit: FTE, values: {'2025': 200}}\n"
)


def test_given_one_row_per_denominator_and_year(tmp_path):
    assert _load(tmp_path, DENOMINATORS).intensity_denominators == (
        ("revenue", "million EUR revenue", 2024, 50.0),
        ("revenue", "million EUR revenue", 2025, 62.5),
        ("employees", "FTE", 2025, 200.0),
    )


def test_absent_there_is_none(tmp_path):
    assert _load(tmp_path, "  coefficient_profile: default\n").intensity_denominators == ()


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    - {name: revenue, unit: MEUR, values: {2025: 0}}\n", r"revenue.values.2025 is '0', expected a positive"),
        ("    - {name: revenue, unit: MEUR, values: {2025: -3}}\n", r"revenue.values.2025 is '-3'"),
        ("    - {name: revenue, unit: MEUR, values: {2025: '12'}}\n", r"revenue.values.2025 is '12'"),
        ("    - {name: revenue, unit: MEUR, values: {2025: .nan}}\n", r"revenue.values.2025 is 'nan'"),
        ("    - {name: revenue, unit: MEUR, values: {2025: true}}\n", r"revenue.values.2025 is 'True'"),
        ("    - {name: revenue, unit: MEUR, values: {25: 10}}\n", r"revenue.values: '25' is not a year"),
        ("    - {name: revenue, unit: MEUR, values: {}}\n", r"revenue.values must be a mapping of year to value"),
        ("    - {name: revenue, values: {2025: 10}}\n", r"revenue.unit is missing"),
        ("    - {name: Revenue EUR, unit: MEUR, values: {2025: 10}}\n", r"\[0\].name is 'Revenue EUR'"),
        ("    - {name: revenue, unit: MEUR, values: {2025: 10}, scope: 1}\n", "unknown key 'scope'"),
        (
            "    - {name: revenue, unit: MEUR, values: {2025: 10}}\n"
            "    - {name: revenue, unit: x, values: {2024: 1}}\n",
            "denominator 'revenue' is given twice",
        ),
        ("    - {name: revenue, unit: MEUR, values: {2025: 10, '2025': 11}}\n", "year 2025 is given twice"),
        ("    revenue: 10\n", "settings.intensity_denominators must be a list"),
    ],
)
def test_bad_values_are_refused_naming_denominator_and_year(tmp_path, entry, message):
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, "  intensity_denominators:\n" + entry)


def _tiny_serving() -> duckdb.DuckDBPyConnection:
    """A serving file's marts.scope_summary with hand-picked figures: 2025 has two months, 2024 one."""
    con = duckdb.connect(":memory:")
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.scope_summary (period_month DATE, scope INTEGER, scope3_category INTEGER, "
        "method VARCHAR, basis VARCHAR, tco2e DOUBLE)"
    )
    rows = [
        ("2025-01-01", 1, None, "location", "activity", 10.0),
        ("2025-01-01", 2, None, "location", "activity", 20.0),
        ("2025-02-01", 2, None, "location", "activity", 5.0),
        ("2025-02-01", 3, 1, "location", "estimated_usage", 40.0),
        ("2025-02-01", 3, 6, "location", "activity", 25.0),
        ("2025-01-01", 2, None, "market", "activity", 2.0),
        ("2024-12-01", 1, None, "location", "activity", 7.0),
    ]
    con.executemany("INSERT INTO marts.scope_summary VALUES (?, ?, ?, ?, ?, ?)", rows)
    return con


def test_hand_worked_intensities_per_scope_year_and_method():
    con = _tiny_serving()
    _build_intensity(con, [("revenue", "million EUR", 2025, 62.5), ("revenue", "million EUR", 2026, 70.0)])
    got = {
        (scopes, method): (tco2e, per_unit, months)
        for scopes, method, tco2e, per_unit, months in con.execute(
            "SELECT scopes, method, tco2e, tco2e_per_unit, months_covered FROM marts.intensity_metrics "
            "WHERE reporting_year = 2025 AND denominator = 'revenue'"
        ).fetchall()
    }
    # location: scope 1 = 10, scope 2 = 20 + 5 = 25, scope 3 = 40 + 25 = 65, 1+2 = 35, total = 100
    assert got[("Scope 1", "location")] == (10.0, 10.0 / 62.5, 1)
    assert got[("Scope 2", "location")] == (25.0, 0.4, 2)
    assert got[("Scope 3", "location")] == (65.0, 1.04, 1)
    assert got[("Scopes 1+2", "location")] == (35.0, 0.56, 2)
    assert got[("Total", "location")] == (100.0, 1.6, 2)
    # market: only scope 2 has a row; the methods are never added
    assert got[("Scope 2", "market")] == (2.0, 0.032, 1)
    assert got[("Total", "market")] == (2.0, 0.032, 1)
    # 2024 has inventory but no denominator value, 2026 a value but no inventory: neither has a row
    years = {y for (y,) in con.execute("SELECT DISTINCT reporting_year FROM marts.intensity_metrics").fetchall()}
    assert years == {2025}


def test_without_denominators_the_mart_is_empty_not_missing():
    con = _tiny_serving()
    _build_intensity(con, [])
    assert con.execute("SELECT COUNT(*) FROM marts.intensity_metrics").fetchall() == [(0,)]


def test_published_intensity_reconciles_with_the_inventory_by_year(built, tmp_path):
    serving = tmp_path / "serving.duckdb"
    publish_serving(built.settings.warehouse, serving, [("employees", "FTE", 2025, 250.0)])
    con = duckdb.connect(str(serving), read_only=True)
    try:
        by_year = dict(
            ((scope, method), tco2e)
            for scope, method, tco2e in con.execute(
                "SELECT scope, method, tco2e FROM bi.inventory_by_year WHERE reporting_year = 2025"
            ).fetchall()
        )
        rows = con.execute(
            "SELECT scopes, method, tco2e, tco2e_per_unit, partial_year FROM bi.intensity_metrics "
            "WHERE denominator = 'employees'"
        ).fetchall()
    finally:
        con.close()
    assert rows
    for scopes, method, tco2e, per_unit, _partial in rows:
        wanted = {"Scope 1": (1,), "Scope 2": (2,), "Scope 3": (3,), "Scopes 1+2": (1, 2), "Total": (1, 2, 3)}[scopes]
        assert math.isclose(tco2e, sum(by_year.get((s, method), 0.0) for s in wanted), rel_tol=1e-12)
        assert math.isclose(per_unit, tco2e / 250.0, rel_tol=1e-12)
    total_location = next(t for s, m, t, _, _ in rows if s == "Total" and m == "location")
    assert math.isclose(total_location, 333.071, abs_tol=0.0005)  # the demo's 2025 location-based inventory


def test_the_report_shows_each_denominator_and_says_when_none_is_given():
    settings = SimpleNamespace(
        intensity_denominators=(("revenue", "million EUR", 2025, 62.5), ("employees", "FTE", 2024, 10.0))
    )
    data = SimpleNamespace(
        year=2025,
        intensity=Table(
            (
                "denominator",
                "denominator_unit",
                "denominator_value",
                "scopes",
                "method",
                "tco2e",
                "tco2e_per_unit",
                "months_covered",
            ),
            [("revenue", "million EUR", 62.5, "Total", "location", 100.0, 1.6, 2)],
        ),
    )
    html = intensity_section(data, settings)
    assert re.search(r"<td>revenue \(million EUR\)</td>.*<td>Total</td><td>location</td>.*1\.6<", html)
    assert "No value for 2025: employees." in html
    assert "partial year" in html
    none_given = intensity_section(
        SimpleNamespace(year=2025, intensity=Table((), [])), SimpleNamespace(intensity_denominators=())
    )
    assert "No intensity denominator is given" in none_given
