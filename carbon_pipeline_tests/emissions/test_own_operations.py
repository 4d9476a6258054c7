"""Own operations (issue 4): every activity template loaded through the reader, its ledger row (item,
geography, unit, scope) and its emissions checked against a hand computation; each factor fallback path;
the market-based order for electricity; spend in other currencies."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.factors.catalogue import DATA_DIR
from carbon_pipeline_tests.emissions.own_operations_support import add_factor, build, load, rows, warehouse

USEEIO = "useeio_v1_3_naics_co2e_usd2022.csv"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "activity"


@pytest.fixture
def con(tmp_path: Path):
    connection = warehouse(tmp_path)
    yield connection
    connection.close()


def _csv_value(file: str, key_column: str, key: str, value_column: str) -> float:
    with (DATA_DIR / file).open(encoding="utf-8-sig") as handle:
        return next(float(r[value_column]) for r in csv.DictReader(handle) if r[key_column] == key)


def site_rows(con, method: str) -> dict[str, dict]:
    out = {}
    for row in rows(con, method):
        (site,) = con.execute(
            "SELECT site FROM ledger.activity WHERE activity_id = ?", [row["activity_id"]]
        ).fetchall()[0]
        out[site] = row
    return out


# --- the shipped example files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "template"),
    [
        ("electricity.csv", "electricity"),
        ("fuel.csv", "fuel"),
        ("fuel_vehicle_class.csv", "fuel"),
        ("vehicle.csv", "vehicle"),
        ("travel.csv", "travel"),
        ("travel_epa.csv", "travel"),
        ("spend.csv", "spend"),
    ],
)
def test_every_shipped_example_file_loads_with_its_template(con, tmp_path, file, template):
    text = (EXAMPLES / file).read_text(encoding="utf-8")
    load(con, tmp_path / "src", "example", template, text)
    build(con)
    lines = len(text.strip().splitlines()) - 1
    assert con.execute("SELECT COUNT(*) FROM ledger.activity").fetchall() == [(lines,)]
    # every row has a location and a market row, each with a figure or a flag saying why not
    assert con.execute(
        "SELECT COUNT(*) FROM emissions.activity_emissions WHERE tco2e IS NULL AND flag IS NULL"
    ).fetchall() == [(0,)]
    assert con.execute("SELECT COUNT(*) FROM emissions.activity_emissions").fetchall() == [(2 * lines,)]


# --- electricity --------------------------------------------------------------------------------------------

ELECTRICITY = """month,site,country,grid_area,kwh,supplier,supplier_kgco2e_per_kwh,certificate_kwh
2025-01,Row certificates and supplier,XTS,,1000,,0.2,400
2025-01,User supplier factor,XTS,,1000,green-co,,
2025-01,Residual mix,XTS,,1000,unknown-co,,
2025-01,Library certificates,XTS,,1000,,,
2025-01,Library certificates,XTS,,3000,,,
2025-02,Library certificates,XTS,,2000,,,
2025-01,Location fallback,XTU,,1000,,,
2025-01,Fully covered,XTU,,500,,,600
2025-01,US site,USA,SRVC,2000,,,
"""


def test_electricity_location_is_the_grid_factor_by_hand(con, tmp_path):
    load(con, tmp_path / "el", "el", "electricity", ELECTRICITY)
    build(con)
    srvc = _csv_value(
        "egrid2023rev2_subregion_total_output_rates.csv", "subregion", "SRVC", "co2e_ar5_kg_per_kwh_computed"
    )
    us = site_rows(con, "location")["US site"]
    assert us["factor_id"] == "epa:egrid2023rev2:SRVC"
    assert us["tco2e"] == pytest.approx(2000 * srvc / 1000, rel=1e-12)
    # eGRID2023rev2 (2023 data) is the edition the catalogue says is meant for 2025 reporting
    assert (us["factor_resolution"], us["factor_fallback"]) == ("exact", None)
    assert (us["scope"], us["scope3_category"], us["basis"], us["energy_kwh"]) == (2, None, "activity", 2000)


def test_electricity_of_2024_takes_the_edition_valid_for_2024(con, tmp_path):
    load(con, tmp_path / "el", "el", "electricity", "month,site,country,grid_area,kwh\n2024-06,HQ,USA,SRVC,1000\n")
    build(con)
    (row,) = rows(con)
    per_kwh = _csv_value(
        "egrid2022_subregion_total_output_rates.csv", "subregion", "SRVC", "co2e_ar5_kg_per_kwh_computed"
    )
    assert (row["factor_id"], row["factor_resolution"]) == ("epa:egrid2022:SRVC", "exact")
    assert row["tco2e"] == pytest.approx(1000 * per_kwh / 1000, rel=1e-12)


def test_market_based_follows_certificates_supplier_residual_mix_then_location(con, tmp_path):
    add_factor(con, "t:grid:XTS", "electricity_grid", "iso3:XTS", 0.5, "kwh", 2025)
    add_factor(con, "t:grid:XTU", "electricity_grid", "iso3:XTU", 0.7, "kwh", 2025)
    add_factor(con, "t:supplier:green-co", "electricity_supplier", "supplier:green-co", 0.05, "kwh", 2024)
    add_factor(con, "t:residual:XTS", "electricity_residual_mix", "iso3:XTS", 0.6, "kwh", 2025)
    # a guarantee of origin for Jan-Feb 2025 (59 days): 31/59 of its 5,900 kWh in January
    con.execute(
        """INSERT INTO factors.certificates VALUES
           ('GO-1', 'Library certificates', DATE '2025-01-01', DATE '2025-02-28', 5900, 'GO', 'AIB', 'test', 'test')"""
    )
    load(con, tmp_path / "el", "el", "electricity", ELECTRICITY)
    build(con)
    market = {(r["first_line"]): r for r in rows(con, "market")}
    line = {n + 2: row for n, row in enumerate(ELECTRICITY.strip().splitlines()[1:])}
    assert line[2].startswith("2025-01,Row certificates")

    # 1. row certificates cover 400 kWh, the rest at the row's supplier factor
    assert market[2]["factor_resolution"] == "certificates+supplier"
    assert market[2]["tco2e"] == pytest.approx(600 * 0.2 / 1000, rel=1e-12)
    # 2. the user's supplier-specific factor for the row's supplier id (2024 for 2025: recorded)
    assert (market[3]["factor_resolution"], market[3]["factor_id"]) == ("supplier", "t:supplier:green-co")
    assert market[3]["tco2e"] == pytest.approx(1000 * 0.05 / 1000, rel=1e-12)
    assert "supplier factor of 2024 for 2025" in market[3]["factor_fallback"]
    # 3. no factor for that supplier: the residual mix of the country
    assert (market[4]["factor_resolution"], market[4]["factor_id"]) == ("residual_mix", "t:residual:XTS")
    assert market[4]["tco2e"] == pytest.approx(1000 * 0.6 / 1000, rel=1e-12)
    assert market[4]["factor_fallback"] == "no supplier factor for unknown-co"
    # library certificates: January's 5,900 x 31/59 = 3,100 kWh split 1,000 : 3,000 over the site's two rows,
    # February's 2,800 kWh cover its 2,000 kWh row; the rest at the residual mix
    january = 5900 * 31 / 59
    assert market[5]["factor_resolution"] == "certificates+residual_mix"
    assert market[5]["tco2e"] == pytest.approx((1000 - january * 1000 / 4000) * 0.6 / 1000, rel=1e-12)
    assert market[6]["tco2e"] == pytest.approx((3000 - january * 3000 / 4000) * 0.6 / 1000, rel=1e-12)
    assert "GO-1 (GO)" in market[5]["formula"]
    assert market[7]["tco2e"] == 0.0
    # 4. no instrument, supplier or residual mix: the location factor, recorded as a fallback
    assert (market[8]["factor_resolution"], market[8]["factor_id"]) == ("location_fallback", "t:grid:XTU")
    assert market[8]["tco2e"] == pytest.approx(1000 * 0.7 / 1000, rel=1e-12)
    # certificates beyond the row's kWh cover the row, no more
    assert (market[9]["factor_resolution"], market[9]["tco2e"]) == ("certificates+location_fallback", 0.0)
    # the location-based figures ignore every instrument
    location = {r["first_line"]: r["tco2e"] for r in rows(con, "location")}
    assert location[2] == pytest.approx(1000 * 0.5 / 1000) and location[9] == pytest.approx(500 * 0.7 / 1000)


def test_a_residual_mix_of_the_parent_geography_serves_a_subregion(con, tmp_path):
    add_factor(con, "t:residual:USA", "electricity_residual_mix", "iso3:USA", 0.41, "kwh", 2025)
    con.execute("INSERT INTO factors.geography_parents (child, parent) VALUES ('egrid:SRVC', 'iso3:USA')")
    load(con, tmp_path / "el", "el", "electricity", "month,site,country,grid_area,kwh\n2025-03,HQ,USA,SRVC,1000\n")
    build(con)
    (market,) = rows(con, "market")
    assert (market["factor_resolution"], market["factor_id"]) == ("residual_mix", "t:residual:USA")
    assert market["factor_fallback"] == "residual mix of iso3:USA for egrid:SRVC"
    assert market["tco2e"] == pytest.approx(0.41, rel=1e-12)


# --- fuel ---------------------------------------------------------------------------------------------------


def test_fuel_original_template_keeps_its_epa_2018_item_and_converts_litres(con, tmp_path):
    load(con, tmp_path / "fuel", "fu", "fuel", (EXAMPLES / "fuel_vehicle_class.csv").read_text())
    build(con)
    diesel, gasoline = rows(con)
    per_gallon_diesel = _csv_value("epa_ghg_hub_2018_mobile_travel.csv", "item", "diesel_light_truck", "AR5 (kgCO2e)")
    per_gallon_petrol = _csv_value(
        "epa_ghg_hub_2018_mobile_travel.csv", "item", "gasoline_passenger_car", "AR5 (kgCO2e)"
    )
    gallons_per_litre = _csv_value("unit_conversions.csv", "from_unit", "litre", "multiplier")
    assert (diesel["category"], diesel["scope"]) == ("diesel_light_truck", 1)
    assert diesel["tco2e"] == pytest.approx(17.2 * per_gallon_diesel / 1000, rel=1e-12)
    assert gasoline["tco2e"] == pytest.approx(41.8 * gallons_per_litre * per_gallon_petrol / 1000, rel=1e-12)
    market = rows(con, "market")
    assert [r["tco2e"] for r in market] == [diesel["tco2e"], gasoline["tco2e"]]  # method-independent


def test_stationary_fuel_by_kwh_and_units_without_a_conversion_are_flagged(con, tmp_path):
    add_factor(con, "t:gas:kwh", "natural_gas", "iso3:XTS", 0.18, "kwh", 2025)
    text = (
        "date,site,fuel,quantity,unit\n"
        "2025-01-31,Office,natural_gas,18250,kWh\n"
        "2025-01-31,Office,natural_gas,10,furlong\n"
    )
    load(con, tmp_path / "fuel", "fu", "fuel", text, factor_geography="iso3:XTS")
    build(con)
    kwh, furlong = rows(con)
    assert (kwh["category"], kwh["unit"], kwh["factor_resolution"]) == ("natural_gas", "kwh", "exact")
    assert kwh["tco2e"] == pytest.approx(18250 * 0.18 / 1000, rel=1e-12)
    assert (furlong["ledger_flag"], furlong["flag"], furlong["tco2e"]) == ("unknown_unit", "unknown_unit", None)


def test_a_quantity_in_a_known_unit_no_factor_is_published_in_is_not_convertible(con, tmp_path):
    add_factor(con, "t:gas:m3", "natural_gas", "iso3:XTS", 2.0, "m3", 2025)
    load(
        con,
        tmp_path / "fuel",
        "fu",
        "fuel",
        "date,fuel,quantity,unit\n2025-01-31,natural_gas,10,litre\n",
        factor_geography="iso3:XTS",
    )
    build(con)
    (row,) = rows(con)
    assert (row["flag"], row["tco2e"]) == ("unit_not_convertible", None)


# --- vehicle ------------------------------------------------------------------------------------------------


def test_vehicle_distance_scope_follows_ownership(con, tmp_path):
    add_factor(con, "t:car", "car_medium_diesel", "iso3:XTS", 0.17, "vehicle-km", 2025)
    add_factor(con, "t:van", "van_class_ii_diesel", "iso3:XTS", 0.25, "vehicle-mile", 2025)
    text = (
        "date,vehicle,vehicle_type,distance,distance_unit,ownership\n"
        "2025-01-27,POOL-1,car_medium_diesel,1400,km,owned\n"
        "2025-01-27,VAN-1,van_class_ii_diesel,900,miles,\n"
        "2025-01-27,GREY,car_medium_diesel,600,kilometres,employee\n"
        "2025-01-27,HIRE,car_medium_diesel,100,km,rental\n"
    )
    load(con, tmp_path / "veh", "ve", "vehicle", text, factor_geography="iso3:XTS")
    build(con)
    pool, van, grey, hire = rows(con)
    assert (pool["scope"], pool["scope3_category"], pool["unit"]) == (1, None, "vehicle-km")
    assert (van["scope"], van["unit"]) == (1, "vehicle-mile")  # ownership defaults to owned
    assert (grey["scope"], grey["scope3_category"]) == (3, 6)
    assert (hire["scope"], hire["scope3_category"]) == (3, 6)
    assert pool["tco2e"] == pytest.approx(1400 * 0.17 / 1000, rel=1e-12)
    assert van["tco2e"] == pytest.approx(900 * 0.25 / 1000, rel=1e-12)
    assert grey["tco2e"] == pytest.approx(600 * 0.17 / 1000, rel=1e-12)


def test_vehicle_ownership_outside_the_list_fails_naming_the_row(con, tmp_path):
    text = "date,vehicle,vehicle_type,distance,distance_unit,ownership\n2025-01-27,V,car_medium_diesel,1,km,leased\n"
    with pytest.raises(SourceError, match=r"(?s)ve.*row 2.*ownership"):
        load(con, tmp_path / "veh", "ve", "vehicle", text)


# --- travel -------------------------------------------------------------------------------------------------

UK_TRAVEL = """date,trip_ref,mode,distance,distance_unit,passengers,cabin,haul,country,nights
2025-01-10,A,air,650,km,1,economy,,,
2025-01-11,B,air,5570,km,1,business,,,
2025-01-12,C,air,1450,km,2,,short_haul,,
2025-01-13,D,rail,640,km,1,,,,
2025-01-14,E,taxi,18,km,1,,,,
2025-01-15,F,bus,25,km,3,,,,
2025-01-16,G,hotel,,,1,,,GBR,2
2025-01-17,H,hotel,,,2,,,USA,3
"""


def test_uk_travel_items_by_band_cabin_and_radiative_forcing(con, tmp_path):
    load(con, tmp_path / "tr", "tr", "travel", UK_TRAVEL, factor_geography="iso3:GBR", radiative_forcing=True)
    build(con)
    items = [(r["category"], r["geography"], r["quantity"], r["unit"], r["scope3_category"]) for r in rows(con)]
    assert items == [
        ("air_short_haul_economy_with_rf", "iso3:GBR", 650, "passenger-km", 6),
        ("air_long_haul_business_with_rf", "iso3:GBR", 5570, "passenger-km", 6),
        ("air_short_haul_average_with_rf", "iso3:GBR", 2900, "passenger-km", 6),
        ("rail_national", "iso3:GBR", 640, "passenger-km", 6),
        ("taxi_regular", "iso3:GBR", 18, "passenger-km", 6),
        ("bus_average", "iso3:GBR", 75, "passenger-km", 6),
        ("hotel_stay", "iso3:GBR", 2, "room-night", 6),
        ("hotel_stay", "iso3:USA", 6, "room-night", 6),
    ]


def test_us_travel_keeps_the_epa_distance_bands(con, tmp_path):
    load(con, tmp_path / "tr", "tr", "travel", (EXAMPLES / "travel_epa.csv").read_text())
    build(con)
    found = [(r["category"], r["unit"], r["quantity"]) for r in rows(con)]
    assert found == [
        ("air_short_haul", "passenger-mile", 230),
        ("air_medium_haul", "passenger-mile", 2800),
        ("air_long_haul", "passenger-km", 6700),
        ("rail_intercity", "passenger-mile", 220),
    ]
    long_haul = rows(con)[2]
    # the EPA Hub 2024 factor for the US (valid from 2024) rather than the 2018 edition it supersedes
    assert long_haul["factor_id"].startswith("epa:") and long_haul["factor_resolution"] == "exact"
    per_mile = _csv_value("epa_ghg_hub_2024.csv", "item", "air_long_haul", "co2e_kg_ar5")
    miles_per_km = _csv_value("unit_conversions.csv", "from_unit", "km", "multiplier")
    assert long_haul["tco2e"] == pytest.approx(6700 * miles_per_km * per_mile / 1000, rel=1e-12)


def test_a_hotel_stay_without_a_country_fails_naming_the_row(con, tmp_path):
    text = "date,trip_ref,mode,distance,distance_unit,nights\n2025-01-16,G,hotel,,,2\n"
    with pytest.raises(SourceError, match=r"(?s)row 2.*country"):
        load(con, tmp_path / "tr", "tr", "travel", text)


# --- spend --------------------------------------------------------------------------------------------------

SPEND = """date,supplier,naics,amount,currency,description
2025-01-15,Northwind Office Supplies,424120,900,USD,paper
2025-01-15,Fabrikam Catering,722310,1800,EUR,catering
2025-01-15,Tailspin Toys,339930,500,JPY,
2025-01-15,AWS EMEA SARL,518210,4200,USD,cloud
"""


def _useeio(code: str) -> float:
    return _csv_value(USEEIO, "2017 NAICS Code", code, "Supply Chain Emission Factors with Margins")


def test_spend_based_category_1_with_exchange_rates(con, tmp_path):
    con.execute("INSERT INTO factors.exchange_rates VALUES ('EUR', 2024, 0.9, 'test'), ('EUR', 2025, 0.92, 'test')")
    load(con, tmp_path / "sp", "sp", "spend", SPEND)
    build(con)
    paper, catering, toys, aws = rows(con)
    assert (paper["scope"], paper["scope3_category"], paper["basis"]) == (3, 1, "estimated_spend")
    assert paper["factor_boundary"] == "supply_chain"
    assert paper["tco2e"] == pytest.approx(900 * _useeio("424120") / 1000, rel=1e-12)
    assert catering["tco2e"] == pytest.approx(1800 / 0.92 * _useeio("722310") / 1000, rel=1e-12)
    # USEEIO's factors are in 2022 dollars and no price index ships: said on the row
    assert "factor in 2022 dollars: not deflated (no price index)" in paper["factor_fallback"]
    # no JPY rate: kept, flagged, no emissions
    assert (toys["flag"], toys["tco2e"]) == ("no_exchange_rate", None)
    # AWS, with no AWS figures in this inventory: spend-based like any supplier
    assert (aws["provider"], aws["flag"]) == ("aws", None)
    assert aws["tco2e"] == pytest.approx(4200 * _useeio("518210") / 1000, rel=1e-12)


def test_spend_takes_an_older_exchange_rate_and_deflates_with_a_price_index(con, tmp_path):
    add_factor(con, "t:424120", "naics:424120", "iso3:XTS", 0.12, "usd", 2022, boundary="supply_chain")
    con.execute("INSERT INTO factors.exchange_rates VALUES ('EUR', 2024, 0.9, 'test')")
    con.execute("INSERT INTO factors.price_indices VALUES ('test', 2022, 100, 'test'), ('test', 2025, 110, 'test')")
    text = "date,supplier,naics,amount,currency\n2025-03-01,N,424120,990,EUR\n"
    load(con, tmp_path / "sp", "sp", "spend", text, factor_geography="iso3:XTS")
    build(con)
    (row,) = rows(con)
    assert row["tco2e"] == pytest.approx(990 / 0.9 * 100 / 110 * 0.12 / 1000, rel=1e-12)
    assert row["factor_resolution"] == "older_year"
    assert "exchange rate of 2024 for 2025" in row["factor_fallback"]
    assert "spend deflated from 2025 to 2022 dollars" in row["factor_fallback"]


def test_a_naics_code_that_is_not_six_digits_fails_naming_the_row(con, tmp_path):
    with pytest.raises(SourceError, match=r"(?s)row 3.*naics"):
        load(
            con,
            tmp_path / "sp",
            "sp",
            "spend",
            "date,supplier,naics,amount,currency\n2025-01-01,A,424120,1,USD\n2025-01-01,B,4241,1,USD\n",
        )


def test_cloud_suppliers_option_adds_and_removes_names(con, tmp_path):
    text = (
        "date,supplier,naics,amount,currency\n"
        "2025-01-01,Acme Cloud Reseller,518210,1,USD\n"
        "2025-01-01,AWS,518210,1,USD\n"
    )
    load(con, tmp_path / "sp", "sp", "spend", text, cloud_suppliers={"Acme Cloud Reseller": "aws", "AWS": None})
    build(con)
    assert [r["provider"] for r in rows(con)] == ["aws", None]


# --- as-of resolution: each fallback path -----------------------------------------------------------------


def _fuel(con, tmp_path, when: str, geography: str, fuel: str = "natural_gas") -> dict:
    load(
        con,
        tmp_path / f"f{when}{geography}",
        "fu",
        "fuel",
        f"date,fuel,quantity,unit\n{when},{fuel},1000,kwh\n",
        factor_geography=geography,
    )
    build(con)
    (row,) = rows(con)
    return row


def test_exact_geography_and_year(con, tmp_path):
    add_factor(con, "t:2024", "natural_gas", "iso3:XTS", 0.10, "kwh", 2024)
    add_factor(con, "t:2025", "natural_gas", "iso3:XTS", 0.20, "kwh", 2025)
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS")
    assert (row["factor_id"], row["factor_resolution"], row["factor_fallback"]) == ("t:2025", "exact", None)


def test_older_year_is_the_newest_not_after_the_activity(con, tmp_path):
    add_factor(con, "t:2021", "natural_gas", "iso3:XTS", 0.10, "kwh", 2021)
    add_factor(con, "t:2023", "natural_gas", "iso3:XTS", 0.20, "kwh", 2023)
    add_factor(con, "t:2026", "natural_gas", "iso3:XTS", 0.30, "kwh", 2026)
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:2023", "older_year")
    assert row["factor_fallback"] == "data year 2023 for a 2025 activity (newest not after it)"


def test_newer_year_only_when_nothing_that_old_exists(con, tmp_path):
    add_factor(con, "t:2026", "natural_gas", "iso3:XTS", 0.30, "kwh", 2026)
    add_factor(con, "t:2027", "natural_gas", "iso3:XTS", 0.40, "kwh", 2027)
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:2026", "newer_year")


def test_validity_period_wins_over_data_year(con, tmp_path):
    # DESNZ publishes factors for a reporting year from data two years older
    add_factor(con, "t:data2025", "natural_gas", "iso3:XTS", 0.10, "kwh", 2025)
    add_factor(
        con,
        "t:for2025",
        "natural_gas",
        "iso3:XTS",
        0.20,
        "kwh",
        2023,
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:for2025", "exact")


def test_parent_geography_then_global(con, tmp_path):
    con.execute(
        "INSERT INTO factors.geography_parents (child, parent) "
        "VALUES ('egrid:XTSA', 'iso3:XTS'), ('iso3:XTS', 'global')"
    )
    add_factor(con, "t:parent", "natural_gas", "iso3:XTS", 0.20, "kwh", 2025)
    add_factor(con, "t:global", "natural_gas", "global", 0.30, "kwh", 2025)
    row = _fuel(con, tmp_path, "2025-06-01", "egrid:XTSA")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:parent", "parent_geography")
    assert row["factor_fallback"] == "geography egrid:XTSA has no factor: iso3:XTS"


def test_global_average_with_an_older_year_records_both(con, tmp_path):
    add_factor(con, "t:global", "natural_gas", "global", 0.30, "kwh", 2019)
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTU")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:global", "global_average+older_year")
    assert row["tco2e"] == pytest.approx(1000 * 0.30 / 1000, rel=1e-12)
    assert row["factor_fallback"] == (
        "geography iso3:XTU has no factor: global; data year 2019 for a 2025 activity (newest not after it)"
    )


def test_the_wanted_boundary_wins_and_another_is_recorded(con, tmp_path):
    add_factor(con, "t:lifecycle", "natural_gas", "iso3:XTS", 0.25, "kwh", 2025, boundary="lifecycle")
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS")
    assert row["factor_id"] == "t:lifecycle"
    assert row["factor_fallback"] == "boundary lifecycle (no direct factor)"
    add_factor(con, "t:direct", "natural_gas", "iso3:XTS", 0.20, "kwh", 2021)
    build(con)
    (row,) = rows(con)
    assert (row["factor_id"], row["factor_resolution"]) == ("t:direct", "older_year")


def test_no_factor_keeps_the_row_flagged(con, tmp_path):
    row = _fuel(con, tmp_path, "2025-06-01", "iso3:XTS", fuel="whale_oil")
    assert (row["flag"], row["tco2e"], row["factor_id"]) == ("no_factor", None, None)


# --- the UK example files against the DESNZ 2025 factor file, by hand --------------------------------------


def _desnz(item: str, unit: str, geography: str = "iso3:GBR") -> float:
    with (DATA_DIR / "desnz_2025_conversion_factors.csv").open(encoding="utf-8-sig") as handle:
        return next(
            float(r["value"])
            for r in csv.DictReader(handle)
            if (r["item"], r["geography"], r["activity_unit"]) == (item, geography, unit)
        )


def _conversion(from_unit: str, to_unit: str) -> float:
    with (DATA_DIR / "unit_conversions.csv").open(encoding="utf-8-sig") as handle:
        return next(
            float(r["multiplier"])
            for r in csv.DictReader(handle)
            if (r["from_unit"], r["to_unit"]) == (from_unit, to_unit)
        )


def test_uk_fuel_example_by_hand(con, tmp_path):
    load(con, tmp_path / "f", "fu", "fuel", (EXAMPLES / "fuel.csv").read_text(), factor_geography="iso3:GBR")
    build(con)
    found = {(r["category"], r["unit"]): (r["tco2e"], r["flag"]) for r in rows(con)}
    expected = {
        ("natural_gas", "kwh"): 18250.0 * _desnz("natural_gas", "kwh") / 1000,
        ("gas_oil", "litre"): 42.5 * _desnz("gas_oil", "litre") / 1000,
        # therms have no DESNZ factor: converted to kWh (gross CV) through the conversion table
        ("natural_gas", "therm"): 310.0 * _conversion("therm", "kwh") * _desnz("natural_gas", "kwh") / 1000,
        ("natural_gas", "m3"): 1650.0 * _desnz("natural_gas", "m3") / 1000,
        ("diesel", "litre"): 58.2 * _desnz("diesel", "litre") / 1000,
    }
    for key, value in expected.items():
        assert found[key][0] == pytest.approx(value, rel=1e-12), key
    # propane and motor gasoline have US (EPA) factors only: for a UK source, kept and flagged
    assert found[("propane", "gal_us")] == (None, "no_factor")
    assert found[("motor_gasoline", "gal_us")] == (None, "no_factor")


def test_uk_vehicle_example_by_hand(con, tmp_path):
    load(con, tmp_path / "v", "ve", "vehicle", (EXAMPLES / "vehicle.csv").read_text(), factor_geography="iso3:GBR")
    build(con)
    found = [(r["category"], r["scope"], r["tco2e"], r["flag"]) for r in rows(con)]
    mile_km = _conversion("vehicle-mile", "vehicle-km")
    assert found == [
        ("car_medium_diesel", 1, pytest.approx(1412.0 * _desnz("car_medium_diesel", "vehicle-km") / 1000), None),
        ("car_medium_bev", 1, 0.0, None),  # tailpipe (direct) factor of a battery car
        (
            "van_class_ii_diesel",
            1,
            pytest.approx(905.0 * mile_km * _desnz("van_class_ii_diesel", "vehicle-km") / 1000),
            None,
        ),
        ("car_average_unknown", 3, pytest.approx(612.0 * _desnz("car_average_unknown", "vehicle-km") / 1000), None),
        ("car_large_petrol", 3, pytest.approx(430.0 * _desnz("car_large_petrol", "vehicle-km") / 1000), None),
        ("passenger_car", 1, None, "no_factor"),  # an EPA item, not looked up for a UK source
    ]


def test_uk_travel_example_by_hand(con, tmp_path):
    load(
        con,
        tmp_path / "t",
        "tr",
        "travel",
        (EXAMPLES / "travel.csv").read_text(),
        factor_geography="iso3:GBR",
        radiative_forcing=True,
    )
    build(con)
    found = [r["tco2e"] for r in rows(con)]
    expected = [
        650 * _desnz("air_short_haul_economy_with_rf", "passenger-km") / 1000,
        5570 * _desnz("air_long_haul_business_with_rf", "passenger-km") / 1000,
        1450 * 2 * _desnz("air_short_haul_average_with_rf", "passenger-km") / 1000,
        640 * _desnz("rail_national", "passenger-km") / 1000,
        18 * _desnz("taxi_regular", "passenger-km") / 1000,
        25 * 3 * _desnz("bus_average", "passenger-km") / 1000,
        2 * _desnz("hotel_stay", "room-night") / 1000,
        3 * 2 * _desnz("hotel_stay", "room-night", "iso3:USA") / 1000,
    ]
    assert found == pytest.approx(expected, rel=1e-12)


# --- bad input and options ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "text", "column"),
    [
        ("travel", "date,trip_ref,mode,distance,distance_unit,cabin\n2025-01-01,A,air,100,km,luxury\n", "cabin"),
        ("travel", "date,trip_ref,mode,distance,distance_unit,haul\n2025-01-01,A,air,100,km,ultra\n", "haul"),
        ("spend", "date,supplier,naics,amount,currency\n2025-01-01,A,424120,10,euro\n", "currency"),
        ("spend", "date,supplier,naics,amount,currency\n2025-01-01,A,424120,-10,USD\n", "amount"),
        ("electricity", "month,site,country,kwh,certificate_kwh\n2025-01,A,IRL,10,lots\n", "certificate_kwh"),
    ],
)
def test_values_outside_the_template_fail_naming_row_and_column(con, tmp_path, template, text, column):
    with pytest.raises(SourceError, match=rf"(?s)source 'bad'.*row 2.*column '{column}'"):
        load(con, tmp_path / "bad", "bad", template, text)
    assert con.execute("SELECT COUNT(*) FROM raw.activity_rows").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("factor_geography: GBR", "factor_geography"),
        ("radiative_forcing: yes please", "radiative_forcing"),
        ("cloud_suppliers: [AWS]", "cloud_suppliers"),
    ],
)
def test_activity_source_options_are_validated(tmp_path, option, message):
    from carbon_pipeline.errors import ConfigError
    from carbon_pipeline.sources.sources_file import load_sources_file

    (tmp_path / "spend").mkdir()
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - id: s\n    kind: activity_csv\n    template: spend\n    uri: spend\n    {option}\n"
    )
    with pytest.raises(ConfigError, match=rf"source 's': key '{message}'"):
        load_sources_file(sources)


def test_global_reached_through_the_parents_is_still_the_global_average(con, tmp_path):
    con.execute(
        "INSERT INTO factors.geography_parents (child, parent) "
        "VALUES ('egrid:XTSA', 'iso3:XTS'), ('iso3:XTS', 'global')"
    )
    add_factor(con, "t:global", "natural_gas", "global", 0.30, "kwh", 2025)
    row = _fuel(con, tmp_path, "2025-06-01", "egrid:XTSA")
    assert (row["factor_id"], row["factor_resolution"]) == ("t:global", "global_average")
