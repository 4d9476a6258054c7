"""The shipped factor library: every set loads with its provenance and validity, the shipped files are
exactly what the build script makes from the stored publisher copies, values match those copies (and a
second, independent copy where one was found), the item contract is covered, and the integrity check
catches what it guards against."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from carbon_pipeline.factors.build import build_factor_files
from carbon_pipeline.factors.catalogue import DATA_DIR, FACTOR_FILES, load_catalogue
from carbon_pipeline.warehouse.connection import open_warehouse
from carbon_pipeline.warehouse.sql_models import run_model

SOURCES = build_factor_files.SOURCES_DIR


@pytest.fixture
def catalogue(tmp_path):
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(con)
    yield con
    con.close()


def value(con, factor_id: str) -> float:
    rows = con.execute("SELECT value FROM factors.emission_factors WHERE factor_id = ?", [factor_id]).fetchall()
    assert len(rows) == 1, factor_id
    return rows[0][0]


def problems(con) -> list[tuple[str, str]]:
    return run_model(con, "checks/factor_catalogue_integrity").fetchall()


def _ccf_only_instance_types(path) -> int:
    with (DATA_DIR / "ccf_aws_instances.csv").open(encoding="utf-8", newline="") as handle:
        known = {re.sub(r"^(db|cache|dax|dms|ml|mq)\.", "", r["Instance type"]) for r in csv.DictReader(handle)}
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for r in csv.DictReader(handle) if r["instance_type"] not in known)


def test_every_shipped_set_loads_all_its_rows_with_the_file_checksum(catalogue):
    for factor_file in FACTOR_FILES:
        path = DATA_DIR / factor_file.file
        with path.open(encoding="utf-8", newline="") as handle:
            data_rows = sum(1 for _ in csv.DictReader(handle))
        if factor_file.file == "ccf_aws_ec2_instance_types.csv":
            # only the instance types aws-instances.csv lacks are appended (factors/aws_instance_types_ccf.sql)
            data_rows = _ccf_only_instance_types(path)
        loaded = catalogue.execute(
            "SELECT rows_loaded, file_sha256, origin FROM factors.catalogue_files WHERE source_file = ?",
            [factor_file.file],
        ).fetchall()
        assert loaded == [(data_rows, hashlib.sha256(path.read_bytes()).hexdigest(), "shipped")], factor_file.file
    editions = dict(
        catalogue.execute("SELECT edition, COUNT(*) FROM factors.emission_factors GROUP BY edition").fetchall()
    )
    assert editions["Greenhouse gas reporting: conversion factors 2025 (flat file)"] == 116
    assert editions["GHG Emission Factors Hub 2024"] == 13
    assert editions["v1.3.0 (2022 USD, purchaser price, with margins)"] == 1016


def test_factor_ids_are_unique_and_the_integrity_check_passes(catalogue):
    total, distinct = catalogue.execute(
        "SELECT COUNT(*), COUNT(DISTINCT factor_id) FROM factors.emission_factors"
    ).fetchall()[0]
    assert total == distinct
    assert problems(catalogue) == []


def test_the_shipped_files_are_exactly_what_the_build_makes_from_the_publisher_copies():
    assert build_factor_files.main(["--check"]) == 0


def test_the_useeio_copy_is_the_stored_file_character_for_character():
    text, _ = build_factor_files.build_useeio()
    assert len(text) == build_factor_files.USEEIO_TOTAL_CHARS
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len({r["2017 NAICS Code"] for r in rows}) == 1016  # EPA: 1,016 commodities


def excerpt_row(file: str, key: str, wanted: str) -> dict[str, str]:
    with (SOURCES / file).open(encoding="utf-8", newline="") as handle:
        matches = [row for row in csv.DictReader(handle) if row[key].strip() == wanted]
    assert len(matches) == 1, (file, wanted)
    return matches[0]


@pytest.mark.parametrize(
    ("factor_id", "desnz_id"),
    [
        ("desnz:conversion-factors-2025:natural_gas:GBR:kwh", "1_100_1004_6_1"),
        ("desnz:conversion-factors-2025:natural_gas:GBR:m3", "1_100_1004_1_1"),
        ("desnz:conversion-factors-2025:diesel:GBR:litre", "1_101_1011_8_1"),
        ("desnz:conversion-factors-2025:car_average_unknown:GBR:vehicle-km", "4_301_3074_4_1"),
        ("desnz:conversion-factors-2025:van_class_iii_diesel:GBR:vehicle-km", "5_303_3095_4_1"),
        ("desnz:conversion-factors-2025:air_long_haul_business_with_rf:GBR:passenger-km", "21_316_3174_11_1"),
        ("desnz:conversion-factors-2025:air_long_haul_business:GBR:passenger-km", "21_316_3175_11_1"),
        ("desnz:conversion-factors-2025:rail_national:GBR:passenger-km", "25_315_3147_11_1"),
        ("desnz:conversion-factors-2025:hotel_stay:FRA:room-night", "29_600_4016_13_1"),
    ],
)
def test_desnz_values_are_the_publisher_rows(catalogue, factor_id, desnz_id):
    row = excerpt_row("desnz_2025_flat_excerpt.csv", "ID", desnz_id)
    assert value(catalogue, factor_id) == float(row["GHG Conversion Factor 2025"])


def test_epa_values_are_the_hub_rows_with_ar5_gwps(catalogue):
    gas = excerpt_row("epa_hub_2024_stationary_combustion_excerpt.csv", "Fuel Type", "Natural Gas")
    expected = (
        float(gas["CO2 Factor Energy"])
        + (float(gas["CH4 Factor Energy"]) * 28 + float(gas["N2O Factor Energy"]) * 265) / 1000
    )
    assert value(catalogue, "epa:ghg-hub-2024:natural_gas:mmbtu") == pytest.approx(expected, rel=1e-10)
    air = excerpt_row("epa_hub_2024_business_travel.csv", "Vehicle Type", "Air Travel - Long Haul (>= 2300 miles)")
    expected = (
        float(air["CO2 Factor (kg CO2 / unit)"])
        + (float(air["CH4 Factor (g CH4 / unit)"]) * 28 + float(air["N2O Factor (g N2O / unit)"]) * 265) / 1000
    )
    assert value(catalogue, "epa:ghg-hub-2024:air_long_haul:passenger-mile") == pytest.approx(expected, rel=1e-10)
    gasoline = excerpt_row("epa_hub_2024_mobile_combustion_co2.csv", "Fuel Type", "Motor Gasoline")
    assert value(catalogue, "epa:ghg-hub-2024:motor_gasoline:gal_us") == float(gasoline["kg CO2 per unit"])


@pytest.mark.parametrize(
    ("factor_id", "second_copy"),
    [
        # values seen in independent copies of the same editions (SOURCES.md, cross-checks)
        ("desnz:conversion-factors-2025:natural_gas:GBR:kwh", 0.18296),
        ("desnz:conversion-factors-2025:car_average_unknown:GBR:vehicle-km", 0.16725),
        ("desnz:conversion-factors-2025:air_long_haul_premium_economy_with_rf:GBR:passenger-km", 0.18726),
        ("desnz:conversion-factors-2025:rail_national:GBR:passenger-km", 0.03546),
        ("useeio:supply-chain-ghg-v1.3:naics:322230", 0.296),
        ("useeio:supply-chain-ghg-v1.3:naics:334111", 0.058),
    ],
)
def test_values_agree_with_a_second_copy(catalogue, factor_id, second_copy):
    assert value(catalogue, factor_id) == second_copy


def test_spend_factors_are_per_2022_dollar_with_margins(catalogue):
    row = excerpt_row("../../data/useeio_v1_3_naics_co2e_usd2022.csv", "2017 NAICS Code", "541511")
    got = catalogue.execute(
        """SELECT value, unit, activity_unit, boundary, geography, data_year, item FROM factors.emission_factors
           WHERE factor_id = 'useeio:supply-chain-ghg-v1.3:naics:541511'"""
    ).fetchall()
    assert got == [
        (
            float(row["Supply Chain Emission Factors with Margins"]),
            "kgCO2e/usd",
            "usd",
            "supply_chain",
            "iso3:USA",
            2022,
            "naics:541511",
        )
    ]


def test_every_required_contract_item_is_in_a_shipped_set_and_gaps_are_named(catalogue):
    gaps = catalogue.execute(
        "SELECT item, note FROM factors.contract_items WHERE status = 'not_shipped' ORDER BY item"
    ).fetchall()
    assert [item for item, _ in gaps] == ["light_duty_truck", "passenger_car"]
    assert all(note for _, note in gaps)
    catalogue.execute(
        "DELETE FROM factors.emission_factors WHERE item = 'hotel_stay' OR starts_with(item, 'van_class_ii_')"
    )
    missing = "contract item missing from the shipped sets"
    reported = {item for item, problem in problems(catalogue) if problem == missing}
    assert reported == {
        "hotel_stay [room-night, iso3:%]",
        "van_class_ii_petrol [vehicle-km, iso3:GBR]",
        "van_class_ii_diesel [vehicle-km, iso3:GBR]",
        "van_class_ii_bev [vehicle-km, iso3:GBR]",
    }


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "UPDATE factors.emission_factors SET redistributable = FALSE "
            "WHERE factor_id = 'desnz:conversion-factors-2025:lpg:GBR:litre'",
            "non-redistributable factor in a shipped file: desnz_2025_conversion_factors.csv",
        ),
        (
            "UPDATE factors.emission_factors SET valid_to = DATE '2020-01-01' "
            "WHERE factor_id = 'epa:ghg-hub-2024:propane:gal_us'",
            "valid_from after valid_to",
        ),
        (
            "UPDATE factors.emission_factors SET licence = ' ' WHERE factor_id = 'epa:ghg-hub-2024:propane:gal_us'",
            "missing provenance",
        ),
        (
            "INSERT INTO factors.emission_factors SELECT * FROM factors.emission_factors "
            "WHERE factor_id = 'epa:ghg-hub-2024:propane:gal_us'",
            "duplicate (factor_id, valid_from)",
        ),
    ],
)
def test_the_integrity_check_reports_what_it_guards_against(catalogue, tamper, problem):
    catalogue.execute(tamper)
    assert problem in {p for _, p in problems(catalogue)}


def test_validity_follows_the_editions_and_older_sets_stay_reproducible(catalogue):
    rows = dict(
        catalogue.execute(
            """SELECT edition, (MIN(valid_from), MAX(valid_to), MAX(superseded_by)) FROM factors.emission_factors
               WHERE publisher IN ('US EPA', 'UK DESNZ') GROUP BY edition"""
        ).fetchall()
    )
    from datetime import date

    assert rows["eGRID2022 (2024-01-30) via EPA GHG EF Hub 2024 Table 6"] == (
        date(2024, 1, 1),
        date(2024, 12, 31),
        "eGRID2023rev2",
    )
    assert rows["eGRID2023rev2 (2025-06-12)"] == (date(2025, 1, 1), None, None)
    assert rows["Emission Factors for Greenhouse Gas Inventories, 2018-03-09"] == (
        date(2018, 1, 1),
        date(2023, 12, 31),
        "GHG Emission Factors Hub 2024",
    )
    assert rows["Greenhouse gas reporting: conversion factors 2025 (flat file)"] == (date(2025, 1, 1), None, None)
    # the 2018 rows are kept (and keep their ids) so older years reproduce
    assert value(catalogue, "epa:ghg-hub-2018:air_long_haul") > 0


def test_geographies_roll_up_egrid_to_the_country_to_the_world(catalogue):
    parents = dict(catalogue.execute("SELECT child, parent FROM factors.geography_parents").fetchall())
    assert parents["egrid:SRVC"] == "iso3:USA"
    assert parents["iso3:USA"] == "global"
    assert parents["iso3:GBR"] == "global"
    assert parents["iso3:FRA"] == "global"  # a hotel country
    assert not any(child.startswith("supplier:") or child == "global" for child in parents)


def _expected(reference: str) -> float:
    """The reference column states each conversion as exact arithmetic on definitions (a/b)."""
    if not reference:
        return 1.0
    numerator, _, denominator = reference.partition("/")
    return float(numerator) / (float(denominator) if denominator else 1.0)


def test_unit_conversions_are_the_exact_definitions_and_invert(catalogue):
    rows = catalogue.execute("SELECT from_unit, to_unit, multiplier FROM factors.unit_conversions").fetchall()
    with (DATA_DIR / "unit_conversions.csv").open(encoding="utf-8", newline="") as handle:
        references = {(r["from_unit"], r["to_unit"]): r["reference"] for r in csv.DictReader(handle)}
    pairs = {(a, b): m for a, b, m in rows}
    assert len(pairs) == len(rows)  # one multiplier per (from, to): the emissions joins rely on it
    for (a, b), multiplier in pairs.items():
        assert multiplier == pytest.approx(_expected(references[(a, b)]), rel=1e-14), (a, b)
        if (b, a) in pairs:
            assert multiplier * pairs[(b, a)] == pytest.approx(1.0, rel=1e-14), (a, b)
    for unit in (
        "kwh",
        "mwh",
        "therm",
        "mmbtu",
        "gj",
        "litre",
        "gal_us",
        "km",
        "mile",
        "passenger-km",
        "passenger-mile",
        "vehicle-km",
        "vehicle-mile",
        "m3",
        "scf",
        "room-night",
        "usd",
    ):
        assert pairs[(unit, unit)] == 1
    # no volume -> energy conversion for gas: its calorific value varies
    assert not [p for p in pairs if {p[0], p[1]} & {"m3", "scf"} and p[0] != p[1]]


def test_no_value_was_shipped_for_rows_the_publisher_left_empty():
    _, withheld = build_factor_files.build_desnz()
    assert any("Argentina" in w and "publishes no value" in w for w in withheld)
    assert any("UK (London)" in w for w in withheld)
    with (DATA_DIR / "desnz_2025_conversion_factors.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(r["value"].strip() for r in rows)
    assert "iso3:ARG" not in {r["geography"] for r in rows}


def test_sources_md_names_every_shipped_file():
    text = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for factor_file in FACTOR_FILES:
        assert f"`{factor_file.file}`" in text, factor_file.file
    assert Path(build_factor_files.__file__).name in text
