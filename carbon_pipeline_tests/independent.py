"""An independent recomputation of the demo inventory straight from the landing files, in plain
Python: no DuckDB, no SQL models, coefficients written from the methodology notes rather than read
from the project's coefficient table. Tests compare the marts against it."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from carbon_pipeline.factors.catalogue import DATA_DIR

LITRES_PER_US_GALLON = 3.785411784
KM_PER_MILE = 1.609344
# The `default` coefficient profile, written from Cloud Carbon Footprint's method and constants
# (shared/notes/methodology.md section 3) with its defects fixed (docs/methodology.md).
MIN_W, MAX_W, UTILISATION, PUE = 0.74, 3.5, 0.5, 1.135  # AWS average W/vCPU: processor unknown (Lambda x86)
SSD_WH_PER_TB_HOUR, HDD_WH_PER_TB_HOUR, NETWORK_KWH_PER_GB = 1.2, 0.65, 0.001
REPLICATION_EBS, REPLICATION_S3 = 2, 3  # S3 standard: 3 copies (CCF's code says 6, its comment 3)
MEMORY_KWH_PER_GB_HOUR, LIFESPAN_HOURS, BURSTABLE_REFERENCE = 0.000392, 35040, 0.5
LAMBDA_MB_PER_VCPU, MB_PER_GB = 1769, 1024  # AWS Lambda: one vCPU per 1,769 MB of configured memory
# Processor family: min W/vCPU, max W/vCPU, GB of memory per chip (CCF's per-family constants).
PROCESSORS = {"Skylake": (0.65, 4.26, 81.32), "Graviton2": (0.47, 1.69, 129.78)}
# The demo's instance types, from CCF's aws-instances.csv and coefficients-aws-embodied.csv: vCPU, memory GB,
# processor, the family's largest size (vCPU, GB), the host's vCPU and the host's embodied kgCO2e.
INSTANCES = {
    "m5.large": (2, 8, "Skylake", 96, 384, 96, 1610.79),
    "m5.xlarge": (4, 16, "Skylake", 96, 384, 96, 1610.79),
    "r5.2xlarge": (8, 64, "Skylake", 96, 768, 96, 2143.79),
    "c6g.2xlarge": (8, 16, "Graviton2", 64, 128, 64, 1155.46),
    "t3.medium": (2, 4, "Skylake", 8, 32, 96, 1610.79),
}
BURSTABLE_BASELINE = {"t3.medium": 0.20}  # AWS's baseline utilisation per vCPU
REGION_GEOGRAPHY = {
    "us-east-1": ("egrid", "SRVC"),
    "eu-west-1": ("iso3", "IRL"),
    "eu-north-1": ("iso3", "SWE"),
    "ap-southeast-2": ("iso3", "AUS"),
}
USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")

Key = tuple[date, int, int | None, str]  # month, scope, scope3 category, method


def _csv(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return list(csv.DictReader(io.StringIO(handle.read())))
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _eea(code: str) -> dict[int, float]:
    """EEA direct intensities of an EU-27 member state by data year, kg CO2e/kWh (empty elsewhere)."""
    return {
        int(r["year"]): float(r["gco2e_per_kwh"]) / 1000
        for r in _csv(DATA_DIR / "eea_ghg_intensity_electricity_member_states.csv")
        if r["iso3"] == code
    }


def grid_factor(kind: str, code: str, year: int) -> float:
    """kg CO2e/kWh: eGRID2023rev2 (data year 2023) for US subregions; for countries EEA's direct intensity
    where it has one (EU-27), else Ember's lifecycle one; newest data year not after the activity year."""
    eea = {y: v for y, v in _eea(code).items() if y <= year} if kind == "iso3" else {}
    if eea:
        return eea[max(eea)]
    if kind == "egrid":
        candidates = [
            (int(r["data_year"]), float(r["co2e_ar5_kg_per_kwh_computed"]))
            for name in ("egrid2023rev2_subregion_total_output_rates.csv", "egrid2022_subregion_total_output_rates.csv")
            for r in _csv(DATA_DIR / name)
            if r["subregion"] == code
        ]
    else:
        candidates = [
            (int(r["year"]), float(r["gco2e_per_kwh_lifecycle"]) / 1000)
            for r in _csv(DATA_DIR / "ember_country_intensity_latest_subset.csv")
            if r["iso3"] == code
        ]
    return max(c for c in candidates if c[0] <= year)[1]


def epa_factor(item: str) -> float:
    return next(
        float(r["AR5 (kgCO2e)"]) for r in _csv(DATA_DIR / "epa_ghg_hub_2018_mobile_travel.csv") if r["item"] == item
    )


def _month(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


def _hours_in(month: date) -> int:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return (following - month).days * 24


def own_grid_factor(kind: str, code: str, month: date) -> float:
    """kg CO2e/kWh for own electricity: eGRID by the edition the catalogue marks valid for the reporting year
    (eGRID2022 for 2024, eGRID2023rev2 from 2025: factors/data/SOURCES.md); for EU-27 countries the EEA data
    year valid for the month (year N is valid from N + 1 until the next year's, so the newest year before the
    month's); elsewhere Ember's newest year not after."""
    eea = _eea(code) if kind == "iso3" else {}
    if eea:
        older = [y for y in eea if y < month.year]
        newer = [y for y in eea if y >= month.year]
        return eea[max(older)] if older else eea[min(newer)]
    if kind == "egrid":
        name = (
            "egrid2022_subregion_total_output_rates.csv"
            if month.year == 2024
            else "egrid2023rev2_subregion_total_output_rates.csv"
        )
        return next(float(r["co2e_ar5_kg_per_kwh_computed"]) for r in _csv(DATA_DIR / name) if r["subregion"] == code)
    return grid_factor(kind, code, month.year)


def desnz(item: str, unit: str, geography: str = "iso3:GBR") -> float:
    """DESNZ 2025 conversion factors (the only UK edition shipped: used for 2024 activity too)."""
    return next(
        float(r["value"])
        for r in _csv(DATA_DIR / "desnz_2025_conversion_factors.csv")
        if (r["item"], r["geography"], r["activity_unit"]) == (item, geography, unit)
    )


def epa_hub_2024(item: str) -> float:
    """EPA GHG Emission Factors Hub 2024, the US edition for 2024 onwards (kg CO2e per activity unit)."""
    return next(float(r["co2e_kg_ar5"]) for r in _csv(DATA_DIR / "epa_ghg_hub_2024.csv") if r["item"] == item)


def useeio(code: str) -> float:
    """USEEIO v1.3 supply chain factor with margins, kg CO2e per 2022 US dollar."""
    return next(
        float(r["Supply Chain Emission Factors with Margins"])
        for r in _csv(DATA_DIR / "useeio_v1_3_naics_co2e_usd2022.csv")
        if r["2017 NAICS Code"] == code
    )


def _both(totals: dict[Key, float], month: date, scope: int, category: int | None, tco2e: float) -> None:
    for method in ("location", "market"):
        totals[(month, scope, category, method)] += tco2e


def own_operations(landing: Path) -> dict[Key, float]:
    totals: dict[Key, float] = defaultdict(float)
    activity = landing / "activity"
    for path in sorted((activity / "electricity").glob("*.csv")):
        for row in _csv(path):
            month = _month(row["month"])
            kwh = float(row["kwh"])
            kind, code = ("egrid", row["grid_area"]) if row["country"] == "USA" else ("iso3", row["country"])
            location = own_grid_factor(kind, code, month)
            certificates = min(float(row["certificate_kwh"] or 0), kwh)
            market = float(row["supplier_kgco2e_per_kwh"]) if row["supplier_kgco2e_per_kwh"] else location
            totals[(month, 2, None, "location")] += kwh * location / 1000
            totals[(month, 2, None, "market")] += (kwh - certificates) * market / 1000
    for path in sorted((activity / "fuel").glob("*.csv")):
        for row in _csv(path):
            # the original template's EPA 2018 vehicle-class items (no newer edition has them)
            gallons = float(row["quantity"]) / (LITRES_PER_US_GALLON if row["unit"] == "litre" else 1)
            per_gallon = epa_factor(f"{row['fuel']}_{row['vehicle_class']}")
            _both(totals, _month(row["date"]), 1, None, gallons * per_gallon / 1000)
    for path in sorted((activity / "travel").glob("*.csv")):
        for row in _csv(path):
            # a US source: EPA Hub 2024 per passenger-mile, EPA's distance bands
            miles = float(row["distance"]) / (KM_PER_MILE if row["distance_unit"] == "km" else 1)
            if row["mode"] == "air":
                item = "air_short_haul" if miles < 300 else "air_medium_haul" if miles < 2300 else "air_long_haul"
            else:
                item = row["mode"]
            _both(totals, _month(row["date"]), 3, 6, miles * float(row["passengers"]) * epa_hub_2024(item) / 1000)
    for path in sorted((activity / "heating").glob("*.csv")):
        for row in _csv(path):
            unit = {"kWh": "kwh", "litres": "litre"}[row["unit"]]
            _both(totals, _month(row["date"]), 1, None, float(row["quantity"]) * desnz(row["fuel"], unit) / 1000)
    for path in sorted((activity / "vehicles").glob("*.csv")):
        for row in _csv(path):
            km = float(row["distance"]) * (KM_PER_MILE if row["distance_unit"] == "miles" else 1)
            scope, category = (1, None) if row["ownership"] == "owned" else (3, 6)
            _both(totals, _month(row["date"]), scope, category, km * desnz(row["vehicle_type"], "vehicle-km") / 1000)
    for path in sorted((activity / "travel_uk").glob("*.csv")):
        for row in _csv(path):
            passengers = float(row["passengers"])
            if row["mode"] == "hotel":
                tco2e = float(row["nights"]) * passengers * desnz("hotel_stay", "room-night", f"iso3:{row['country']}")
            else:
                km = float(row["distance"])  # the demo's UK legs are in km
                if row["mode"] == "air":
                    haul = row["haul"] or ("short_haul" if km < 3700 else "long_haul")
                    item = f"air_{haul}_{row['cabin'] or 'average'}_with_rf"  # the source asks for RF
                else:
                    item = {"rail": "rail_national", "taxi": "taxi_regular", "bus": "bus_average"}[row["mode"]]
                tco2e = km * passengers * desnz(item, "passenger-km")
            _both(totals, _month(row["date"]), 3, 6, tco2e / 1000)
    for path in sorted((activity / "spend").glob("*.csv")):
        for row in _csv(path):
            # AWS's own figures are in the inventory every demo month: its invoices are not counted again;
            # no exchange rate ships, so the EUR supplier has no figure
            if row["supplier"].startswith("Amazon Web Services") or row["currency"] != "USD":
                continue
            _both(totals, _month(row["date"]), 3, 1, float(row["amount"]) * useeio(row["naics"]) / 1000)
    return totals


def current_cur_objects(landing: Path, month: date) -> list[Path]:
    """The objects the period-level manifest names (the newest delivery)."""
    report = landing / "cur-reports" / "demo-cur"
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    folder = f"{month:%Y%m%d}-{following:%Y%m%d}"
    manifest = json.loads((report / folder / "demo-cur-Manifest.json").read_text())
    return [report / folder / key.split(f"/{folder}/", 1)[1] for key in manifest["reportKeys"]]


def cur_rows(landing: Path, month: date) -> list[dict[str, str]]:
    return [row for path in current_cur_objects(landing, month) for row in _csv(path)]


def _watts(processor: str | None) -> float:
    low, high = PROCESSORS[processor][:2] if processor else (MIN_W, MAX_W)
    return low + UTILISATION * (high - low)


def instance_hours_estimate(instance_type: str, hours: float) -> tuple[float, float]:
    """kWh and embodied tCO2e of `hours` of an EC2 instance: compute (burstables at their baseline, as
    CCF: vCPU x baseline / 50 %), memory beyond what the processor's watts include, and the host's
    embodied emissions shared by vCPU over a four-year life."""
    vcpu, memory, processor, largest_vcpu, largest_memory, host_vcpu, host_kg = INSTANCES[instance_type]
    baseline = BURSTABLE_BASELINE.get(instance_type)
    vcpu_hours = vcpu * (baseline / BURSTABLE_REFERENCE if baseline else 1) * hours
    kwh = vcpu_hours * _watts(processor) / 1000 * PUE
    if baseline is None:
        chips = -(-largest_vcpu // 96)
        excess_gb = max(largest_memory / chips - PROCESSORS[processor][2], 0)
        kwh += excess_gb * memory / largest_memory * hours * MEMORY_KWH_PER_GB_HOUR * PUE
    return kwh, host_kg / 1000 * hours / LIFESPAN_HOURS * vcpu / host_vcpu


def estimated_cloud_location(landing: Path, month: date) -> float:
    hours = _hours_in(month)
    total = 0.0
    for row in cur_rows(landing, month):
        if row["lineItem/LineItemType"] not in USAGE_TYPES:
            continue
        amount, unit, usage_type = float(row["lineItem/UsageAmount"]), row["pricing/unit"], row["lineItem/UsageType"]
        embodied = 0.0
        if unit == "Hrs" and row["product/instanceType"]:
            kwh, embodied = instance_hours_estimate(row["product/instanceType"], amount)
        elif "Lambda-GB-Second" in usage_type:
            gb_hours = amount / 3600
            vcpu_hours = gb_hours * MB_PER_GB / LAMBDA_MB_PER_VCPU  # x86: the AWS average processor
            kwh = (vcpu_hours * _watts(None) / 1000 + gb_hours * MEMORY_KWH_PER_GB_HOUR) * PUE
        elif unit == "GB-Mo" and ("gp2" in usage_type or "gp3" in usage_type):
            kwh = amount * hours / 1000 * SSD_WH_PER_TB_HOUR / 1000 * REPLICATION_EBS * PUE
        elif unit == "GB-Mo" and "TimedStorage" in usage_type:
            kwh = amount * hours / 1000 * HDD_WH_PER_TB_HOUR / 1000 * REPLICATION_S3 * PUE
        elif unit == "GB" and "DataTransfer-Out" in usage_type:
            kwh = amount * NETWORK_KWH_PER_GB * PUE
        else:
            raise AssertionError(f"the demo has no usage the estimate cannot cover: {usage_type}")
        region = row["product/regionCode"] or row["product/region"]
        total += kwh * grid_factor(*REGION_GEOGRAPHY[region], month.year) / 1000 + embodied
    return total


def reported_cloud(landing: Path, month: date) -> dict[str, float | None]:
    """The newest model version delivered for the month: its location and market totals (None where
    the version reports no figure for the method)."""
    data = landing / "carbon-exports" / "demo-carbon" / "data"
    versions = sorted(
        (p.name.split("=", 1)[1] for p in data.iterdir() if (p / f"usage_period={month:%Y-%m}").is_dir()),
        key=lambda v: tuple(int(x) for x in v.lstrip("v").split(".")),
    )
    if not versions:
        return {"location": None, "market": None}
    rows = [
        r
        for path in sorted((data / f"model_version={versions[-1]}" / f"usage_period={month:%Y-%m}").glob("*.gz"))
        for r in _csv(path)
    ]
    out: dict[str, float | None] = {}
    for method, column in (("location", "total_lbm_emissions_value"), ("market", "total_mbm_emissions_value")):
        values = [float(r[column]) for r in rows if r.get(column)]
        out[method] = sum(values) if values else None
    return out


def inventory(landing: Path, months: list[date]) -> dict[Key, float]:
    totals = own_operations(landing)
    for month in months:
        reported = reported_cloud(landing, month)
        totals[(month, 3, 1, "location")] += (
            reported["location"] if reported["location"] is not None else estimated_cloud_location(landing, month)
        )
        assert reported["market"] is not None, "every demo month has a market-based reported figure"
        totals[(month, 3, 1, "market")] += reported["market"]
    return dict(totals)
