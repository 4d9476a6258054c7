"""Rebuild the shipped DESNZ, EPA Hub and USEEIO factor files from the publisher copies kept in ``sources/``.

Why a script: factor values are never typed by hand. Each file in ``sources/`` is a verbatim copy (whole
file, or whole lines of it) of a publicly stored copy of the publisher's file, named below by repository,
path and commit; this script maps the publisher's rows to the catalogue's item contract and writes
``../data/*.csv``. ``python -m carbon_pipeline.factors.build.build_factor_files --check`` rebuilds in memory
and fails if a shipped file differs (the test suite runs the same comparison).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Iterable
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parent
SOURCES_DIR = BUILD_DIR / "sources"
DATA_DIR = BUILD_DIR.parent / "data"

# Where each verbatim copy in sources/ came from (the public code index used to find them).
ORIGINS = {
    "desnz_2025_flat_excerpt.csv": {
        "publisher_file": "DESNZ, Greenhouse gas reporting: conversion factors 2025, flat file "
        "(ghg-conversion-factors-2025-flat-format)",
        "copy": "Ariaryy/ibm-hackathon-aphelion ghg-conversion-factors-2025-flat-format.csv "
        "@ c0b66a066ef6337cff9f1b40992e6892cce3cafb (1,082,107 characters)",
        "excerpt": "header plus the 'kg CO2e' total rows (ID suffix _1) of the items below, lines copied whole",
    },
    "epa_hub_2024_stationary_combustion_excerpt.csv": {
        "publisher_file": "US EPA GHG Emission Factors Hub 2024, Table 1 (stationary combustion)",
        "copy": "aws-solutions-library-samples/guidance-for-building-a-sustainability-data-fabric-on-aws "
        "typescript/packages/products/usepa/generatedResources/2024/stationary-combustion/data.csv "
        "@ 9564d8cda10116336c75dc0f1b239b81fa59874b",
        "excerpt": "header plus the Natural Gas, Distillate Fuel Oil No. 2 and Propane lines, copied whole",
    },
    "epa_hub_2024_mobile_combustion_co2.csv": {
        "publisher_file": "US EPA GHG Emission Factors Hub 2024, Table 2 (mobile combustion CO2)",
        "copy": "aws-solutions-library-samples/guidance-for-building-a-sustainability-data-fabric-on-aws "
        "typescript/packages/products/usepa/generatedResources/2024/mobile-combustion-co2/data.csv "
        "@ 2dc4f37d6eea053310d74101ebaafd7c0e11dfae",
        "excerpt": "whole file (414 characters, as stored)",
    },
    "epa_hub_2024_business_travel.csv": {
        "publisher_file": "US EPA GHG Emission Factors Hub 2024, Table 10 (Scope 3 categories 6 and 7)",
        "copy": "aws-solutions-library-samples/guidance-for-building-a-sustainability-data-fabric-on-aws "
        "typescript/packages/products/usepa/generatedResources/2024/"
        "scope-3-category-6-business-travel-and-category-7-employee-commuting/data.csv "
        "@ 47e5ce1027511049aec7895fcb971356932c4860",
        "excerpt": "whole file (1,247 characters, as stored)",
    },
    "useeio_v1_3": {
        "publisher_file": "US EPA Supply Chain Greenhouse Gas Emission Factors for US Commodities and Industries "
        "v1.3.0, SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv",
        "copy": "sungkomp/mcp-csv-agent data/SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv "
        "@ 2f5575dc07a520b6e626decc7c478d0bc925cae0 (117,623 characters)",
        "excerpt": "the file in 16,000-character chunks sources/useeio_v1_3/chunk_<offset>.txt, each copied whole",
    },
}

# EPA's Hub gives CO2 in kg and CH4/N2O in g; CO2e here uses IPCC AR5 100-year GWPs (as eGRID rows do).
GWP_AR5 = {"CH4": 28, "N2O": 265}
# Rows of the EPA Hub 2024 Table 10 copy that disagree with a second, independent copy of the table
# (passenger car 0.175 vs 0.306 kg CO2/vehicle-mile, light-duty truck 0.955 vs 0.405): not shipped.
EPA_TABLE10_WITHHELD = {"Passenger Car", "Light-Duty Truck", "Motorcycle"}

DESNZ_FUELS = {
    ("Natural gas", "kWh (Gross CV)"): ("natural_gas", "kwh"),
    ("Natural gas", "cubic metres"): ("natural_gas", "m3"),
    ("Gas oil", "litres"): ("gas_oil", "litre"),
    ("LPG", "litres"): ("lpg", "litre"),
    ("Burning oil", "litres"): ("burning_oil", "litre"),
    ("Diesel (average biofuel blend)", "litres"): ("diesel", "litre"),
    ("Petrol (average biofuel blend)", "litres"): ("petrol", "litre"),
}
CAR_SIZES = {"Small car": "small", "Medium car": "medium", "Large car": "large", "Average car": "average"}
VEHICLE_FUELS = {
    "Diesel": "diesel",
    "Petrol": "petrol",
    "Hybrid": "hybrid",
    "Plug-in Hybrid Electric Vehicle": "plugin_hybrid",
    "Battery Electric Vehicle": "bev",
    "Unknown": "unknown",
}
VAN_CLASSES = {
    "Class I (up to 1.305 tonnes)": "class_i",
    "Class II (1.305 to 1.74 tonnes)": "class_ii",
    "Class III (1.74 to 3.5 tonnes)": "class_iii",
    "Average (up to 3.5 tonnes)": "average",
}
VAN_FUELS = {"Diesel": "diesel", "Petrol": "petrol", "Battery Electric Vehicle": "bev"}
HAULS = {
    "Domestic, to/from UK": "domestic",
    "Short-haul, to/from UK": "short_haul",
    "Long-haul, to/from UK": "long_haul",
    "International, to/from non-UK": "international",
}
CABINS = {
    "Average passenger": "average",
    "Economy class": "economy",
    "Premium economy class": "premium_economy",
    "Business class": "business",
    "First class": "first",
}
LAND = {
    ("Rail", "National rail"): "rail_national",
    ("Rail", "International rail"): "rail_international",
    ("Rail", "Light rail and tram"): "rail_light_rail_tram",
    ("Rail", "London Underground"): "rail_underground",
    ("Bus", "Average local bus"): "bus_average",
    ("Taxis", "Regular taxi"): "taxi_regular",
}
# DESNZ hotel countries -> ISO 3166-1 alpha-3. "UK (London)" has no geography key of its own (no
# sub-national keys in the contract): it is reported as withheld, and UK stays the GBR factor.
HOTEL_COUNTRIES = {
    "UK": "GBR",
    "Argentina": "ARG",
    "Australia": "AUS",
    "Austria": "AUT",
    "Belgium": "BEL",
    "Brazil": "BRA",
    "Canada": "CAN",
    "Chile": "CHL",
    "China": "CHN",
    "Colombia": "COL",
    "Costa Rica": "CRI",
    "Czech Republic": "CZE",
    "Egypt": "EGY",
    "Fiji": "FJI",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hong Kong, China": "HKG",
    "India": "IND",
    "Indonesia": "IDN",
    "Ireland": "IRL",
    "Israel": "ISR",
    "Italy": "ITA",
    "Japan": "JPN",
    "Jordan": "JOR",
    "Kazakhstan": "KAZ",
    "Korea": "KOR",
    "Macau, China": "MAC",
    "Malaysia": "MYS",
    "Maldives": "MDV",
    "Mexico": "MEX",
    "Netherlands": "NLD",
    "New Zealand": "NZL",
    "Oman": "OMN",
    "Panama": "PAN",
    "Peru": "PER",
    "Philippines": "PHL",
    "Poland": "POL",
    "Portugal": "PRT",
    "Qatar": "QAT",
    "Romania": "ROU",
    "Russian Federation": "RUS",
    "Saudi Arabia": "SAU",
    "Singapore": "SGP",
    "South Africa": "ZAF",
    "Spain": "ESP",
    "Switzerland": "CHE",
    "Taiwan, China": "TWN",
    "Thailand": "THA",
    "Turkey": "TUR",
    "United Arab Emirates": "ARE",
    "United States": "USA",
    "Vietnam": "VNM",
}

DESNZ_COLUMNS = ["item", "geography", "activity_unit", "value", "gases", "table_ref", "desnz_id"]
EPA_COLUMNS = ["item", "activity_unit", "co2_kg", "ch4_g", "n2o_g", "co2e_kg_ar5", "gases", "table_ref"]
USEEIO_TOTAL_CHARS = 117_623
USEEIO_CHUNK = 16_000


def _csv_text(columns: list[str], rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _desnz_item(row: dict[str, str]) -> tuple[str, str, str] | None:
    """(item, geography, activity unit) of a DESNZ flat-file row, or None for a row the contract has no
    item for."""
    level1, level2, level3 = row["Level 1"], row["Level 2"], row["Level 3"]
    level4, column_text, uom = row["Level 4"], row["Column Text"], row["UOM"]
    if level1 == "Fuels":
        mapped = DESNZ_FUELS.get((level3, uom))
        return (mapped[0], "iso3:GBR", mapped[1]) if mapped else None
    if level1 == "Passenger vehicles" and level2 == "Cars (by size)" and uom == "km":
        if level3 in CAR_SIZES and column_text in VEHICLE_FUELS:
            return f"car_{CAR_SIZES[level3]}_{VEHICLE_FUELS[column_text]}", "iso3:GBR", "vehicle-km"
        return None
    if level1 == "Passenger vehicles" and level2 == "Motorbike" and level3 == "Average" and uom == "km":
        return "motorbike_average", "iso3:GBR", "vehicle-km"
    if level1 == "Delivery vehicles" and level2 == "Vans" and uom == "km":
        if level3 in VAN_CLASSES and column_text in VAN_FUELS:
            return f"van_{VAN_CLASSES[level3]}_{VAN_FUELS[column_text]}", "iso3:GBR", "vehicle-km"
        return None
    if level1 == "Business travel- air" and uom == "passenger.km":
        suffix = {"With RF": "_with_rf", "Without RF": ""}[column_text]
        return f"air_{HAULS[level3]}_{CABINS[level4]}{suffix}", "iso3:GBR", "passenger-km"
    if level1 == "Business travel- land" and uom == "passenger.km" and (level2, level3) in LAND:
        return LAND[(level2, level3)], "iso3:GBR", "passenger-km"
    if level1 == "Hotel stay" and uom == "Room per night" and level3 in HOTEL_COUNTRIES:
        return "hotel_stay", f"iso3:{HOTEL_COUNTRIES[level3]}", "room-night"
    return None


def build_desnz() -> tuple[str, list[str]]:
    """The DESNZ 2025 catalogue file and the excerpt rows it withholds (with why)."""
    rows, withheld = [], []
    with (SOURCES_DIR / "desnz_2025_flat_excerpt.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            where = f"{row['ID']} {row['Level 1']} / {row['Level 3']} / {row['UOM']}"
            if row["GHG/Unit"] != "kg CO2e":
                raise ValueError(f"{where}: expected the 'kg CO2e' total row, got {row['GHG/Unit']!r}")
            mapped = _desnz_item(row)
            if mapped is None:
                withheld.append(f"{where}: no contract item (e.g. UK (London), a sub-national hotel factor)")
                continue
            if not row["GHG Conversion Factor 2025"].strip():
                withheld.append(f"{where}: DESNZ publishes no value")
                continue
            item, geography, unit = mapped
            levels = " > ".join(
                v for v in (row["Level 1"], row["Level 2"], row["Level 3"], row["Level 4"], row["Column Text"]) if v
            )
            gases = "CO2e (per DESNZ: CO2, CH4, N2O)" if row["Level 1"] != "Hotel stay" else "CO2e (per DESNZ)"
            rows.append(
                {
                    "item": item,
                    "geography": geography,
                    "activity_unit": unit,
                    "value": row["GHG Conversion Factor 2025"],
                    "gases": gases,
                    "table_ref": f"flat file ID {row['ID']}: {row['Scope']} > {levels} [{row['UOM']}]",
                    "desnz_id": row["ID"],
                }
            )
    keys = [(r["item"], r["geography"], r["activity_unit"]) for r in rows]
    duplicates = {k for k in keys if keys.count(k) > 1}
    if duplicates:
        raise ValueError(f"DESNZ rows map to the same item twice: {sorted(duplicates)}")
    return _csv_text(DESNZ_COLUMNS, rows), withheld


def _co2e(co2_kg: float, ch4_g: float, n2o_g: float) -> str:
    return repr(round(co2_kg + (ch4_g * GWP_AR5["CH4"] + n2o_g * GWP_AR5["N2O"]) / 1000, 12))


def build_epa() -> tuple[str, list[str]]:
    rows, withheld = [], []
    with (SOURCES_DIR / "epa_hub_2024_stationary_combustion_excerpt.csv").open(encoding="utf-8", newline="") as h:
        for row in csv.DictReader(h):
            fuel = row["Fuel Type"]
            ref = f"Table 1 Stationary Combustion: {fuel}"
            if fuel == "Natural Gas":
                energy = (
                    float(row["CO2 Factor Energy"]),
                    float(row["CH4 Factor Energy"]),
                    float(row["N2O Factor Energy"]),
                )
                volume = (float(row["CO2 Factor"]), float(row["CH4 Factor"]), float(row["N2O Factor"]))
                rows.append(_epa_row("natural_gas", "mmbtu", energy, "CO2, CH4, N2O", ref + " (per mmBtu, HHV)"))
                rows.append(_epa_row("natural_gas", "scf", volume, "CO2, CH4, N2O", ref + " (per scf)"))
            else:
                item = {"Propane": "propane", "Distillate Fuel Oil No. 2": "distillate_fuel_oil_2"}[fuel]
                per_gallon = (float(row["CO2 Factor"]), float(row["CH4 Factor"]), float(row["N2O Factor"]))
                rows.append(_epa_row(item, "gal_us", per_gallon, "CO2, CH4, N2O", ref + " (per gallon)"))
    with (SOURCES_DIR / "epa_hub_2024_mobile_combustion_co2.csv").open(encoding="utf-8", newline="") as h:
        for row in csv.DictReader(h):
            item = {"Motor Gasoline": "motor_gasoline", "Diesel Fuel": "diesel_fuel"}.get(row["Fuel Type"])
            if item is None:
                continue
            rows.append(
                _epa_row(
                    item,
                    "gal_us",
                    (float(row["kg CO2 per unit"]), 0.0, 0.0),
                    "CO2 only",
                    f"Table 2 Mobile Combustion CO2: {row['Fuel Type']} "
                    "(CH4 and N2O are per vehicle-mile in Tables 3-5 and are not included)",
                )
            )
    travel = {
        "Intercity Rail - National Average": "rail_intercity",
        "Commuter Rail": "rail_commuter",
        "Transit Rail (i.e. Subway, Tram)": "rail_transit",
        "Bus": "bus",
        "Air Travel - Short Haul (< 300 miles)": "air_short_haul",
        "Air Travel - Medium Haul (>= 300 miles, < 2300 miles)": "air_medium_haul",
        "Air Travel - Long Haul (>= 2300 miles)": "air_long_haul",
    }
    with (SOURCES_DIR / "epa_hub_2024_business_travel.csv").open(encoding="utf-8", newline="") as h:
        for row in csv.DictReader(h):
            vehicle = row["Vehicle Type"].strip()
            if vehicle in EPA_TABLE10_WITHHELD:
                withheld.append(f"Table 10 {vehicle}: the stored copy disagrees with a second copy of the table")
                continue
            item = travel.get(vehicle)
            if item is None:
                withheld.append(f"Table 10 {vehicle}: no contract item")
                continue
            values = (
                float(row["CO2 Factor (kg CO2 / unit)"]),
                float(row["CH4 Factor (g CH4 / unit)"]),
                float(row["N2O Factor (g N2O / unit)"]),
            )
            rows.append(
                _epa_row(item, row["Units"].strip(), values, "CO2, CH4, N2O", f"Table 10 Business Travel: {vehicle}")
            )
    return _csv_text(EPA_COLUMNS, rows), withheld


def _epa_row(item: str, unit: str, values: tuple[float, float, float], gases: str, ref: str) -> dict[str, str]:
    co2, ch4, n2o = values
    return {
        "item": item,
        "activity_unit": unit,
        "co2_kg": repr(co2),
        "ch4_g": repr(ch4),
        "n2o_g": repr(n2o),
        "co2e_kg_ar5": _co2e(co2, ch4, n2o),
        "gases": gases,
        "table_ref": ref,
    }


def build_useeio() -> tuple[str, list[str]]:
    """The USEEIO v1.3 file, reassembled from its verbatim chunks; every chunk must be present and of the
    stored length so the result is the stored file character for character."""
    folder = SOURCES_DIR / "useeio_v1_3"
    chunks = []
    for offset in range(0, USEEIO_TOTAL_CHARS, USEEIO_CHUNK):
        path = folder / f"chunk_{offset:06d}.txt"
        with path.open(encoding="utf-8", newline="") as handle:  # keep the stored CRLF line ends
            text = handle.read()
        expected = min(USEEIO_CHUNK, USEEIO_TOTAL_CHARS - offset)
        if len(text) != expected:
            raise ValueError(f"{path.name}: {len(text)} characters, the stored copy has {expected} at offset {offset}")
        chunks.append(text)
    return "".join(chunks), []


OUTPUTS = {
    "desnz_2025_conversion_factors.csv": build_desnz,
    "epa_ghg_hub_2024.csv": build_epa,
    "useeio_v1_3_naics_co2e_usd2022.csv": build_useeio,
}


def _read_exact(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the shipped files instead of writing")
    args = parser.parse_args(argv)
    status = 0
    for name, build in OUTPUTS.items():
        text, withheld = build()
        target = DATA_DIR / name
        for reason in withheld:
            print(f"{name}: withheld {reason}")
        if args.check:
            if not target.exists() or _read_exact(target) != text:
                print(f"{name}: differs from what the build produces", file=sys.stderr)
                status = 1
        else:
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            print(f"{name}: {text.count(chr(10)) - 1} rows written")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
