"""The bundled demo organisation, generated deterministically (no network, nothing large committed).

Three AWS accounts in four regions (US, EU, a low-carbon grid, Asia-Pacific) over 2024-01..2025-12:
- legacy CUR, gzip CSV, create-new-version layout with manifests; 2025-06 is delivered twice (a newer
  assemblyId with changed rows and a refund), as AWS re-delivers a whole period;
- the carbon emissions export: model v1 for 2024-01..2025-03 (market-based only, no region split) and
  v2.0.0 for 2025-01..2025-12 (regions, location- and market-based, provider scope split), so three
  months are delivered under two model versions, as AWS does when a model version ships;
- activity CSVs: office electricity (Scope 2), fleet fuel (Scope 1), business travel (Scope 3 cat. 6), and
  (issue 4) a London office's heating fuel, pool vehicles by distance, UK-booked travel with cabins and
  hotel nights, and purchased goods and services by spend (Scope 3 cat. 1, AWS invoices included).

The same seed gives byte-identical files (gzip mtime is fixed), so tests can recompute totals from
the files and compare.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from carbon_pipeline.months import months_between, next_month

FIRST_MONTH = date(2024, 1, 1)
END_MONTH = date(2026, 1, 1)  # exclusive
REDELIVERED_MONTH = date(2025, 6, 1)
CUR_REPORT = "demo-cur"
CUR_PREFIX = "cur-reports"
CARBON_EXPORT = "demo-carbon"
CARBON_PREFIX = "carbon-exports"
BUCKET = "demo-billing-bucket"
PAYER = "012345678901"
V1_MONTHS = (date(2024, 1, 1), date(2025, 4, 1))  # [start, end)
V2_MONTHS = (date(2025, 1, 1), END_MONTH)

REGIONS = {
    "us-east-1": ("US East (N. Virginia)", "", "AMER"),
    "eu-west-1": ("EU (Ireland)", "EU-", "EMEA"),
    "eu-north-1": ("EU (Stockholm)", "EUN1-", "EMEA"),
    "ap-southeast-2": ("Asia Pacific (Sydney)", "APS2-", "APAC"),
}
# The demo's stand-in for AWS's own model: its reported figures deliberately differ from the
# pipeline's usage estimate (different coefficients), as real reported and estimated figures do.
AWS_MODEL_KG_PER_KWH = {"us-east-1": 0.31, "eu-west-1": 0.29, "eu-north-1": 0.03, "ap-southeast-2": 0.62}
AWS_MODEL_MARKET_SHARE = {"us-east-1": 0.12, "eu-west-1": 0.05, "eu-north-1": 0.02, "ap-southeast-2": 0.55}


@dataclass(frozen=True)
class Resource:
    """A steady piece of usage billed daily."""

    account: str
    region: str
    product: str
    usage_type: str  # without the region prefix
    operation: str
    unit: str
    daily_amount: float
    rate: float  # USD per unit
    line_item_type: str = "Usage"
    instance_type: str = ""
    vcpu: int | None = None
    memory: str = ""
    project: str = ""
    kwh_per_unit: float = 0.0  # the demo "AWS model" energy intensity


RESOURCES = (
    # production: web tier and data stores
    Resource(
        "012345678901",
        "us-east-1",
        "AmazonEC2",
        "BoxUsage:m5.xlarge",
        "RunInstances",
        "Hrs",
        480,
        0.192,
        instance_type="m5.xlarge",
        vcpu=4,
        memory="16 GiB",
        project="web",
        kwh_per_unit=0.011,
    ),
    Resource(
        "012345678901",
        "us-east-1",
        "AmazonEC2",
        "BoxUsage:c6g.2xlarge",
        "RunInstances",
        "Hrs",
        240,
        0.272,
        "SavingsPlanCoveredUsage",
        "c6g.2xlarge",
        8,
        "16 GiB",
        "api",
        0.016,
    ),
    Resource(
        "012345678901",
        "us-east-1",
        "AmazonEC2",
        "EBS:VolumeUsage.gp3",
        "CreateVolume-Gp3",
        "GB-Mo",
        40000 / 30.4,
        0.08,
        project="web",
        kwh_per_unit=0.003,
    ),
    Resource(
        "012345678901",
        "us-east-1",
        "AmazonS3",
        "TimedStorage-ByteHrs",
        "StandardStorage",
        "GB-Mo",
        500000 / 30.4,
        0.023,
        project="data",
        kwh_per_unit=0.0025,
    ),
    Resource(
        "012345678901",
        "us-east-1",
        "AmazonEC2",
        "DataTransfer-Out-Bytes",
        "RunInstances",
        "GB",
        3000,
        0.09,
        project="web",
        kwh_per_unit=0.0015,
    ),
    Resource(
        "012345678901",
        "us-east-1",
        "AWSLambda",
        "Lambda-GB-Second",
        "Invoke",
        "Lambda-GB-Second",
        4000000,
        0.0000166667,
        project="api",
        kwh_per_unit=0.0000004,
    ),
    Resource(
        "012345678901",
        "eu-west-1",
        "AmazonEC2",
        "BoxUsage:m5.large",
        "RunInstances",
        "Hrs",
        192,
        0.107,
        "DiscountedUsage",
        "m5.large",
        2,
        "8 GiB",
        "web",
        0.006,
    ),
    Resource(
        "012345678901",
        "eu-west-1",
        "AmazonEC2",
        "EBS:VolumeUsage.gp2",
        "CreateVolume-Gp2",
        "GB-Mo",
        8000 / 30.4,
        0.11,
        project="web",
        kwh_per_unit=0.003,
    ),
    # analytics: batch in the low-carbon region, a replica in Sydney
    Resource(
        "123456789012",
        "eu-north-1",
        "AmazonEC2",
        "BoxUsage:r5.2xlarge",
        "RunInstances",
        "Hrs",
        240,
        0.528,
        instance_type="r5.2xlarge",
        vcpu=8,
        memory="64 GiB",
        project="analytics",
        kwh_per_unit=0.02,
    ),
    Resource(
        "123456789012",
        "eu-north-1",
        "AmazonS3",
        "TimedStorage-ByteHrs",
        "StandardStorage",
        "GB-Mo",
        200000 / 30.4,
        0.022,
        project="analytics",
        kwh_per_unit=0.0025,
    ),
    Resource(
        "123456789012",
        "ap-southeast-2",
        "AmazonEC2",
        "BoxUsage:m5.xlarge",
        "RunInstances",
        "Hrs",
        96,
        0.24,
        instance_type="m5.xlarge",
        vcpu=4,
        memory="16 GiB",
        project="analytics",
        kwh_per_unit=0.011,
    ),
    Resource(
        "123456789012",
        "ap-southeast-2",
        "AmazonEC2",
        "DataTransfer-Out-Bytes",
        "RunInstances",
        "GB",
        50,
        0.114,
        project="analytics",
        kwh_per_unit=0.0015,
    ),
    # development
    Resource(
        "009876543210",
        "us-east-1",
        "AmazonEC2",
        "BoxUsage:t3.medium",
        "RunInstances",
        "Hrs",
        120,
        0.0416,
        instance_type="t3.medium",
        vcpu=2,
        memory="4 GiB",
        project="dev",
        kwh_per_unit=0.004,
    ),
    Resource(
        "009876543210",
        "eu-west-1",
        "AmazonS3",
        "TimedStorage-ByteHrs",
        "StandardStorage",
        "GB-Mo",
        10000 / 30.4,
        0.023,
        project="dev",
        kwh_per_unit=0.0025,
    ),
)
ACCOUNTS = sorted({r.account for r in RESOURCES})

CUR_COLUMNS = (
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/BillType",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/instanceType",
    "product/location",
    "product/region",
    "product/regionCode",
    "product/vcpu",
    "product/memory",
    "pricing/unit",
    "resourceTags/user:Project",
)
CARBON_COLUMNS = (
    "last_refresh_timestamp",
    "location",
    "model_version",
    "payer_account_id",
    "product_code",
    "region_code",
    "total_lbm_emissions_unit",
    "total_lbm_emissions_value",
    "total_mbm_emissions_unit",
    "total_mbm_emissions_value",
    "usage_account_id",
    "usage_period_start",
    "usage_period_end",
)
CARBON_SCOPE_COLUMNS = (
    "total_scope_1_emissions_unit",
    "total_scope_1_emissions_value",
    "total_scope_2_lbm_emissions_unit",
    "total_scope_2_lbm_emissions_value",
    "total_scope_2_mbm_emissions_unit",
    "total_scope_2_mbm_emissions_value",
    "total_scope_3_lbm_emissions_unit",
    "total_scope_3_lbm_emissions_value",
    "total_scope_3_mbm_emissions_unit",
    "total_scope_3_mbm_emissions_value",
)
PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonS3": "Amazon Simple Storage Service",
    "AWSLambda": "AWS Lambda",
}
TS = "%Y-%m-%dT%H:%M:%SZ"


def _money(value: float) -> str:
    return str(Decimal(repr(value)).quantize(Decimal("0.0000000001"), rounding=ROUND_HALF_EVEN))


def _amount(value: float) -> str:
    return f"{value:.10f}".rstrip("0").rstrip(".") or "0"


def _gzip_csv(path: Path, header: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))


def _write_csv(path: Path, header: tuple[str, ...], rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _uuid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _month_index(month: date) -> int:
    return (month.year - FIRST_MONTH.year) * 12 + month.month - FIRST_MONTH.month


def cur_rows(month: date, *, restated: bool = False) -> list[dict[str, str]]:
    """One month of CUR line items. ``restated`` is the later delivery of the redelivered month."""
    rng = random.Random(f"cur-{month:%Y-%m}")
    end = next_month(month)
    growth = 1 + 0.015 * _month_index(month)
    period = {
        "bill/BillType": "Anniversary",
        "bill/PayerAccountId": PAYER,
        "bill/BillingPeriodStartDate": datetime(month.year, month.month, 1).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "bill/BillingPeriodEndDate": datetime(end.year, end.month, 1).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "lineItem/CurrencyCode": "USD",
    }
    rows: list[dict[str, str]] = []
    day = datetime(month.year, month.month, 1)
    while day.date() < end:
        for resource in RESOURCES:
            noise = rng.uniform(0.9, 1.1)
            amount = resource.daily_amount * growth * noise
            if restated and resource.usage_type == "BoxUsage:m5.xlarge" and resource.region == "us-east-1":
                amount *= 1.05  # late-metered usage: the re-delivery corrects it
            location, prefix, _ = REGIONS[resource.region]
            usage_type = prefix + resource.usage_type
            rows.append(
                {
                    **period,
                    "identity/LineItemId": _uuid(month, day, resource, restated)[:36],
                    "identity/TimeInterval": f"{day.strftime(TS)}/{(day + timedelta(days=1)).strftime(TS)}",
                    "lineItem/UsageAccountId": resource.account,
                    "lineItem/LineItemType": resource.line_item_type,
                    "lineItem/UsageStartDate": day.strftime(TS),
                    "lineItem/UsageEndDate": (day + timedelta(days=1)).strftime(TS),
                    "lineItem/ProductCode": resource.product,
                    "lineItem/UsageType": usage_type,
                    "lineItem/Operation": resource.operation,
                    "lineItem/AvailabilityZone": f"{resource.region}a" if resource.product == "AmazonEC2" else "",
                    "lineItem/UsageAmount": _amount(amount),
                    "lineItem/UnblendedRate": _amount(resource.rate),
                    "lineItem/UnblendedCost": _money(amount * resource.rate),
                    "lineItem/LineItemDescription": f"{resource.usage_type} in {location}",
                    "product/ProductName": PRODUCT_NAMES[resource.product],
                    "product/instanceType": resource.instance_type,
                    "product/location": location,
                    "product/region": resource.region,
                    # AWS leaves regionCode empty on some rows; readers must fall back to product/region.
                    "product/regionCode": "" if resource.product == "AmazonS3" else resource.region,
                    "product/vcpu": str(resource.vcpu or ""),
                    "product/memory": resource.memory,
                    "pricing/unit": resource.unit,
                    "resourceTags/user:Project": resource.project,
                }
            )
        day += timedelta(days=1)
    whole_month = {
        **period,
        "lineItem/UsageStartDate": datetime(month.year, month.month, 1).strftime(TS),
        "lineItem/UsageEndDate": datetime(end.year, end.month, 1).strftime(TS),
        "identity/TimeInterval": "",
    }
    for account in ACCOUNTS:
        usage_cost = sum(Decimal(r["lineItem/UnblendedCost"]) for r in rows if r["lineItem/UsageAccountId"] == account)
        rows.append(
            {
                **whole_month,
                "identity/LineItemId": _uuid(month, account, "tax")[:36],
                "lineItem/UsageAccountId": account,
                "lineItem/LineItemType": "Tax",
                "lineItem/ProductCode": "AmazonEC2",
                "lineItem/UsageAmount": "1.0",
                "lineItem/UnblendedCost": str((usage_cost * Decimal("0.08")).quantize(Decimal("0.0000000001"))),
                "lineItem/LineItemDescription": "Tax for product code AmazonEC2",
                "product/ProductName": PRODUCT_NAMES["AmazonEC2"],
            }
        )
    if month.month in (3, 9):  # promotional credits twice a year
        rows.append(
            {
                **whole_month,
                "identity/LineItemId": _uuid(month, "credit")[:36],
                "lineItem/UsageAccountId": "123456789012",
                "lineItem/LineItemType": "Credit",
                "lineItem/ProductCode": "AmazonEC2",
                "lineItem/UsageType": "EUN1-BoxUsage:r5.2xlarge",
                "lineItem/UsageAmount": "0",
                "lineItem/UnblendedCost": "-250.0000000000",
                "lineItem/LineItemDescription": "AWS Activate credit",
                "product/region": "eu-north-1",
            }
        )
    if restated:
        rows.append(
            {
                **whole_month,
                "identity/LineItemId": _uuid(month, "refund")[:36],
                "lineItem/UsageAccountId": "012345678901",
                "lineItem/LineItemType": "Refund",
                "lineItem/ProductCode": "AmazonEC2",
                "lineItem/UsageType": "BoxUsage:m5.xlarge",
                "lineItem/UsageAmount": "0",
                "lineItem/UnblendedCost": "-42.5000000000",
                "lineItem/LineItemDescription": "Refund for service disruption",
                "product/region": "us-east-1",
            }
        )
    return rows


def _write_cur_delivery(root: Path, month: date, assembly_id: str, rows: list[dict[str, str]]) -> dict:
    folder = f"{month:%Y%m%d}-{next_month(month):%Y%m%d}"
    key = f"{CUR_PREFIX}/{CUR_REPORT}/{folder}/{assembly_id}/{CUR_REPORT}-1.csv.gz"
    _gzip_csv(root / folder / assembly_id / f"{CUR_REPORT}-1.csv.gz", CUR_COLUMNS, rows)
    manifest = {
        "assemblyId": assembly_id,
        "account": PAYER,
        "columns": [{"category": c.split("/")[0], "name": c.split("/")[1]} for c in CUR_COLUMNS],
        "charset": "UTF-8",
        "compression": "GZIP",
        "contentType": "text/csv",
        "reportId": hashlib.sha256(CUR_REPORT.encode()).hexdigest(),
        "reportName": CUR_REPORT,
        "billingPeriod": {"start": f"{month:%Y%m%d}T000000.000Z", "end": f"{next_month(month):%Y%m%d}T000000.000Z"},
        "bucket": BUCKET,
        "reportKeys": [key],
    }
    _json(root / folder / assembly_id / f"{CUR_REPORT}-Manifest.json", manifest)
    return manifest


def write_cur(root: Path) -> None:
    for month in months_between(FIRST_MONTH, END_MONTH):
        first = _write_cur_delivery(root, month, _uuid("assembly", month, 1), cur_rows(month))
        latest = first
        if month == REDELIVERED_MONTH:
            latest = _write_cur_delivery(root, month, _uuid("assembly", month, 2), cur_rows(month, restated=True))
        folder = f"{month:%Y%m%d}-{next_month(month):%Y%m%d}"
        _json(root / folder / f"{CUR_REPORT}-Manifest.json", latest)


def _usage_kwh(month: date) -> dict[tuple[str, str, str], float]:
    """Energy by account x region x product under the demo's stand-in AWS model."""
    totals: dict[tuple[str, str, str], float] = {}
    by_resource = {
        (r.account, r.region, r.product, REGIONS[r.region][1] + r.usage_type, r.line_item_type): r for r in RESOURCES
    }
    for row in cur_rows(month):
        if row["lineItem/LineItemType"] not in ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"):
            continue
        region = row["product/region"]
        usage_type = row["lineItem/UsageType"]
        resource = by_resource[
            (
                row["lineItem/UsageAccountId"],
                region,
                row["lineItem/ProductCode"],
                usage_type,
                row["lineItem/LineItemType"],
            )
        ]
        key = (row["lineItem/UsageAccountId"], region, row["lineItem/ProductCode"])
        totals[key] = totals.get(key, 0.0) + float(row["lineItem/UsageAmount"]) * resource.kwh_per_unit
    return totals


def _round6(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))


def _fmt6(value: float) -> str:
    """AWS writes metric tons with six decimals; values below 0.0000005 show as 0."""
    return f"{_round6(value):.6f}"


def carbon_rows(month: date, model_version: str) -> list[dict[str, str]]:
    end = next_month(month)
    published = datetime(end.year, end.month, 21, 6, 0, 0)
    common = {
        "last_refresh_timestamp": published.strftime(TS),
        "model_version": model_version,
        "payer_account_id": PAYER,
        "usage_period_start": datetime(month.year, month.month, 1).strftime(TS),
        "usage_period_end": datetime(end.year, end.month, 1).strftime(TS),
    }
    energy = _usage_kwh(month)
    rows = []
    if model_version == "v1":
        # v1: market-based only, geography at continent level, no region code.
        grouped: dict[tuple[str, str, str], float] = {}
        for (account, region, product), kwh in energy.items():
            mbm = kwh * AWS_MODEL_KG_PER_KWH[region] * AWS_MODEL_MARKET_SHARE[region] * 1.15 / 1000
            key = (account, REGIONS[region][2], product)
            grouped[key] = grouped.get(key, 0.0) + mbm
        for (account, geography, product), mbm in sorted(grouped.items()):
            rows.append(
                {
                    **common,
                    "location": geography,
                    "product_code": product,
                    "region_code": "",
                    "total_lbm_emissions_unit": "",
                    "total_lbm_emissions_value": "",
                    "total_mbm_emissions_unit": "MTCO2e",
                    "total_mbm_emissions_value": _fmt6(mbm),
                    "usage_account_id": account,
                }
            )
        return rows
    for (account, region, product), kwh in sorted(energy.items()):
        lbm = kwh * AWS_MODEL_KG_PER_KWH[region] / 1000
        mbm = lbm * AWS_MODEL_MARKET_SHARE[region]
        scope1 = _round6(0.005 * min(lbm, mbm))
        scope2_lbm, scope2_mbm = _round6(lbm - scope1), _round6(mbm - scope1)
        rows.append(
            {
                **common,
                "location": REGIONS[region][0],
                "product_code": product,
                "region_code": region,
                "total_lbm_emissions_unit": "MTCO2e",
                "total_lbm_emissions_value": _fmt6(scope1 + scope2_lbm),
                "total_mbm_emissions_unit": "MTCO2e",
                "total_mbm_emissions_value": _fmt6(scope1 + scope2_mbm),
                "total_scope_1_emissions_unit": "MTCO2e",
                "total_scope_1_emissions_value": _fmt6(scope1),
                "total_scope_2_lbm_emissions_unit": "MTCO2e",
                "total_scope_2_lbm_emissions_value": _fmt6(scope2_lbm),
                "total_scope_2_mbm_emissions_unit": "MTCO2e",
                "total_scope_2_mbm_emissions_value": _fmt6(scope2_mbm),
                "total_scope_3_lbm_emissions_unit": "",
                "total_scope_3_lbm_emissions_value": "",
                "total_scope_3_mbm_emissions_unit": "",
                "total_scope_3_mbm_emissions_value": "",
                "usage_account_id": account,
            }
        )
    return rows


def write_carbon(root: Path) -> None:
    for version, (start, end) in (("v1", V1_MONTHS), ("v2.0.0", V2_MONTHS)):
        columns = CARBON_COLUMNS if version == "v1" else CARBON_COLUMNS + CARBON_SCOPE_COLUMNS
        for month in months_between(start, end):
            partition = f"model_version={version}/usage_period={month:%Y-%m}"
            name = f"{CARBON_EXPORT}-00001.csv.gz"
            _gzip_csv(root / "data" / partition / name, columns, carbon_rows(month, version))
            execution_id = _uuid("carbon", version, month)
            _json(
                root / "metadata" / partition / f"{CARBON_EXPORT}-Manifest.json",
                {
                    "executionId": execution_id,
                    "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{PAYER}:export/{CARBON_EXPORT}-"
                    f"{_uuid('arn')[:8]}",
                    "columns": [{"name": c, "type": "string"} for c in columns],
                    "dataFiles": [f"s3://{BUCKET}/{CARBON_PREFIX}/{CARBON_EXPORT}/data/{partition}/{name}"],
                },
            )


ELECTRICITY_SITES = (
    # site, country, eGRID subregion, base kWh/month, supplier factor, certificate share
    ("HQ Arlington VA", "USA", "SRVC", 42000.0, None, 0.0),
    ("Office Dublin", "IRL", "", 12500.0, 0.254, 0.0),
    ("Office Stockholm", "SWE", "", 8000.0, None, 1.0),
)
FLEET = (
    # vehicle, fuel, class, unit, litres-or-gallons per fill, fills per month
    ("VAN-001", "diesel", "light_truck", "gal_us", 18.0, 6),
    ("VAN-002", "diesel", "light_truck", "gal_us", 17.5, 5),
    ("CAR-IE-01", "gasoline", "passenger_car", "litre", 45.0, 3),
)
TRIPS = (
    # mode, distance, unit, passengers, trips per month
    ("air", 230.0, "mile", 1, 2),  # short haul
    ("air", 1400.0, "mile", 2, 2),  # medium haul
    ("air", 6700.0, "km", 1, 1),  # long haul, km
    ("rail_intercity", 220.0, "mile", 1, 3),
)


def write_activity(root: Path) -> None:
    for year in (2024, 2025):
        rng = random.Random(f"activity-{year}")
        electricity, fuel, travel = [], [], []
        for month in months_between(date(year, 1, 1), date(year + 1, 1, 1)):
            season = 1.0 + 0.25 * abs(6.5 - month.month) / 5.5
            for site, country, grid, base, supplier, certificates in ELECTRICITY_SITES:
                kwh = round(base * season * rng.uniform(0.95, 1.05), 1)
                electricity.append(
                    {
                        "month": f"{month:%Y-%m}",
                        "site": site,
                        "country": country,
                        "grid_area": grid,
                        "kwh": kwh,
                        "cost": round(kwh * 0.14, 2),
                        "currency": "USD" if country == "USA" else "EUR",
                        "supplier_kgco2e_per_kwh": "" if supplier is None else supplier,
                        "certificate_kwh": round(kwh * certificates, 1) if certificates else "",
                    }
                )
            for vehicle, fuel_type, vehicle_class, unit, per_fill, fills in FLEET:
                for fill in range(fills):
                    quantity = round(per_fill * rng.uniform(0.8, 1.1), 2)
                    fuel.append(
                        {
                            "date": date(year, month.month, 3 + fill * 4).isoformat(),
                            "vehicle": vehicle,
                            "fuel": fuel_type,
                            "vehicle_class": vehicle_class,
                            "quantity": quantity,
                            "unit": unit,
                            "cost": round(quantity * (3.9 if unit == "gal_us" else 1.75), 2),
                            "currency": "USD" if unit == "gal_us" else "EUR",
                        }
                    )
            for index, (mode, distance, unit, passengers, trips) in enumerate(TRIPS):
                for trip in range(trips):
                    travel.append(
                        {
                            "date": date(year, month.month, 5 + trip * 7).isoformat(),
                            "trip_ref": f"T{year}{month.month:02d}-{index}{trip}",
                            "mode": mode,
                            "distance": distance,
                            "distance_unit": unit,
                            "passengers": passengers,
                            "cost": round(distance * passengers * 0.35, 2),
                            "currency": "USD",
                        }
                    )
        _write_csv(
            root / "electricity" / f"electricity_{year}.csv",
            (
                "month",
                "site",
                "country",
                "grid_area",
                "kwh",
                "cost",
                "currency",
                "supplier_kgco2e_per_kwh",
                "certificate_kwh",
            ),
            electricity,
        )
        _write_csv(
            root / "fuel" / f"fleet_fuel_{year}.csv",
            ("date", "vehicle", "fuel", "vehicle_class", "quantity", "unit", "cost", "currency"),
            fuel,
        )
        _write_csv(
            root / "travel" / f"travel_{year}.csv",
            ("date", "trip_ref", "mode", "distance", "distance_unit", "passengers", "cost", "currency"),
            travel,
        )
        _write_issue4_templates(root, year)


# Templates added by issue 4 (docs/activity_templates.md), in files and sources of their own so the files
# above stay byte-identical. A London office (UK factors: DESNZ), its pool vehicles, UK-booked travel with
# cabins and hotel nights, and purchased goods and services by spend (USEEIO), AWS invoices included: the
# inventory has AWS's own figures for every month, so that spend is kept, flagged and not counted again.
HEATING = (
    # site, fuel, unit, base quantity per month (winter x2)
    ("Office London", "natural_gas", "kWh", 9000.0),
    ("Office London generator", "gas_oil", "litres", 40.0),
)
VEHICLES = (
    # vehicle, vehicle_type (factor item), ownership, distance unit, base distance per month
    ("POOL-UK-01", "car_medium_diesel", "owned", "km", 1400.0),
    ("POOL-UK-02", "car_medium_bev", "owned", "km", 1100.0),
    ("VAN-UK-01", "van_class_ii_diesel", "owned", "miles", 900.0),
    ("GREY-FLEET", "car_average_unknown", "employee", "km", 600.0),
)
UK_TRIPS = (
    # mode, distance, unit, passengers, cabin, haul, country, nights
    ("air", 650.0, "km", 1, "economy", "", "", ""),  # London - Edinburgh, banded by distance
    ("air", 5570.0, "km", 1, "business", "", "", ""),  # London - New York
    ("air", 1450.0, "km", 2, "", "short_haul", "", ""),  # London - Stockholm, band given, average cabin
    ("rail", 640.0, "km", 1, "", "", "", ""),
    ("taxi", 18.0, "km", 1, "", "", "", ""),
    ("hotel", "", "", 1, "", "", "GBR", 2),
    ("hotel", "", "", 1, "", "", "USA", 3),
)
SPEND = (
    # supplier, NAICS code, amount (monthly base), currency, description
    ("Amazon Web Services EMEA SARL", "518210", 4200.0, "USD", "AWS invoice (cloud: counted from AWS's figures)"),
    ("Northwind Office Supplies", "424120", 900.0, "USD", "stationery and office supplies"),
    ("Contoso Consulting LLC", "541611", 6500.0, "USD", "management consulting"),
    ("Fabrikam Catering", "722310", 1800.0, "EUR", "office catering (EUR: needs an exchange rate)"),
)


def _write_issue4_templates(root: Path, year: int) -> None:
    rng = random.Random(f"activity-issue4-{year}")
    heating, vehicles, trips, spend = [], [], [], []
    for month in months_between(date(year, 1, 1), date(year + 1, 1, 1)):
        winter = 2.0 if month.month in (1, 2, 3, 11, 12) else 1.0
        for site, fuel, unit, base in HEATING:
            heating.append(
                {
                    "date": date(year, month.month, 28).isoformat(),
                    "site": site,
                    "fuel": fuel,
                    "quantity": round(base * winter * rng.uniform(0.9, 1.1), 1),
                    "unit": unit,
                }
            )
        for vehicle, vehicle_type, ownership, unit, base in VEHICLES:
            vehicles.append(
                {
                    "date": date(year, month.month, 27).isoformat(),
                    "vehicle": vehicle,
                    "vehicle_type": vehicle_type,
                    "distance": round(base * rng.uniform(0.85, 1.15), 1),
                    "distance_unit": unit,
                    "ownership": ownership,
                }
            )
        for index, (mode, distance, unit, passengers, cabin, haul, country, nights) in enumerate(UK_TRIPS):
            trips.append(
                {
                    "date": date(year, month.month, 10 + index).isoformat(),
                    "trip_ref": f"UK{year}{month.month:02d}-{index}",
                    "mode": mode,
                    "distance": distance,
                    "distance_unit": unit,
                    "passengers": passengers,
                    "cabin": cabin,
                    "haul": haul,
                    "country": country,
                    "nights": nights,
                }
            )
        for supplier, naics, base, currency, description in SPEND:
            spend.append(
                {
                    "date": date(year, month.month, 15).isoformat(),
                    "supplier": supplier,
                    "naics": naics,
                    "amount": round(base * rng.uniform(0.9, 1.1), 2),
                    "currency": currency,
                    "description": description,
                }
            )
    _write_csv(root / "heating" / f"heating_{year}.csv", ("date", "site", "fuel", "quantity", "unit"), heating)
    _write_csv(
        root / "vehicles" / f"vehicles_{year}.csv",
        ("date", "vehicle", "vehicle_type", "distance", "distance_unit", "ownership"),
        vehicles,
    )
    _write_csv(
        root / "travel_uk" / f"travel_uk_{year}.csv",
        ("date", "trip_ref", "mode", "distance", "distance_unit", "passengers", "cabin", "haul", "country", "nights"),
        trips,
    )
    _write_csv(
        root / "spend" / f"spend_{year}.csv", ("date", "supplier", "naics", "amount", "currency", "description"), spend
    )


SOURCES_YAML = """\
# The bundled demo organisation's sources (generated by `carbon-pipeline demo`).
settings:
  coefficient_profile: default
  cloud_scope_policy: scope3_category1
  carbon_model_version: newest
  start_month: "2024-01"
sources:
  - id: demo-cur
    kind: aws_cur
    uri: landing/{cur_prefix}/{cur_report}
    description: legacy CUR, gzip CSV, create-new-version layout
  - id: demo-carbon
    kind: aws_carbon
    uri: landing/{carbon_prefix}/{carbon_export}
    description: Data Exports carbon emissions (CCFT data)
  - id: demo-electricity
    kind: activity_csv
    template: electricity
    uri: landing/activity/electricity
  - id: demo-fleet-fuel
    kind: activity_csv
    template: fuel
    uri: landing/activity/fuel
  - id: demo-travel
    kind: activity_csv
    template: travel
    uri: landing/activity/travel
  - id: demo-heating
    kind: activity_csv
    template: fuel
    uri: landing/activity/heating
    factor_geography: iso3:GBR
  - id: demo-vehicles
    kind: activity_csv
    template: vehicle
    uri: landing/activity/vehicles
    factor_geography: iso3:GBR
  - id: demo-travel-uk
    kind: activity_csv
    template: travel
    uri: landing/activity/travel_uk
    factor_geography: iso3:GBR
    radiative_forcing: true
  - id: demo-spend
    kind: activity_csv
    template: spend
    uri: landing/activity/spend
"""


def generate_demo(root: Path) -> Path:
    """Write the demo landing zone and its sources file under ``root``; return the sources file."""
    landing = root / "landing"
    write_cur(landing / CUR_PREFIX / CUR_REPORT)
    write_carbon(landing / CARBON_PREFIX / CARBON_EXPORT)
    write_activity(landing / "activity")
    sources = root / "sources.yaml"
    sources.write_text(
        SOURCES_YAML.format(
            cur_prefix=CUR_PREFIX, cur_report=CUR_REPORT, carbon_prefix=CARBON_PREFIX, carbon_export=CARBON_EXPORT
        )
    )
    return sources


def ensure_demo(root: Path) -> Path:
    """Generate the demo once; later calls reuse it (generation is deterministic anyway)."""
    sources = root / "sources.yaml"
    if not sources.exists():
        generate_demo(root)
    return sources
