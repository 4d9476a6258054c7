"""Synthetic but realistic AWS Cost and Usage Report months for benchmarks (issue 7, item 1).

One billing month of ``rows`` line items in one of three formats, laid out exactly like the bucket:

- ``csv_gz``: legacy CUR, gzip CSV with ``category/Name`` headers, create-new-version layout
  ``<report>/yyyymmdd-yyyymmdd/<assemblyId>/<report>-N.csv.gz`` plus both manifests;
- ``parquet``: legacy CUR Parquet (Athena layout) ``<report>/<report>/year=YYYY/month=M/<report>-0000N.snappy.parquet``
  with the manifest in the ``month=`` folder, Athena-mangled snake_case names, typed columns;
- ``cur2_parquet``: Data Exports CUR 2.0 ``<export>/data/BILLING_PERIOD=YYYY-MM/<export>-0000N.snappy.parquet``
  with ``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``, native ``map<string,string>`` ``product``
  and ``resource_tags`` columns and string account ids.

Why vectorised: a 10M line-item month must be generated in about a minute with bounded memory, so rows
are drawn as integer codes with numpy, chunk by chunk (``CHUNK_ROWS``), and turned into Arrow columns by
``take`` on small dictionaries; nothing loops over rows in Python. Big months are split into several
objects (``OBJECT_ROWS`` each) listed in the manifest, as AWS does.

Deterministic: every chunk draws from its own ``SeedSequence([seed, chunk])``, gzip mtime is 0 and ids
are derived from the seed, so the same (rows, seed, format, object size) gives byte-identical files,
however many processes write them.

Usage: ``python benchmarks/generate_cur.py --rows 1000000 --seed 7 --format csv_gz --out benchmarks/data/x``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

GENERATOR_VERSION = 1  # bump when the output changes, so cached data is regenerated
FORMATS = ("csv_gz", "parquet", "cur2_parquet")
BENCH_MONTH = date(2025, 3, 1)  # 31 days: 744 hourly usage periods
CHUNK_ROWS = 1_000_000  # rows drawn and written at a time: bounds generator memory
OBJECT_ROWS = 2_000_000  # rows per data object (AWS splits a big month into several)
GZIP_LEVEL = 6  # zlib's default, what gzip(1) and most producers use
REPORT = "bench-cur"
CUR_PREFIX = "cur-reports"
EXPORT = "bench-cur2"
EXPORT_PREFIX = "data-exports"
BUCKET = "bench-billing-bucket"
BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)

# Line-item types and their share of line items (a month with Savings Plans and some reservations).
LINE_ITEM_TYPES = (
    ("Usage", 0.813),
    ("SavingsPlanCoveredUsage", 0.07),
    ("SavingsPlanNegation", 0.06),
    ("DiscountedUsage", 0.04),
    ("Fee", 0.007),
    ("Credit", 0.005),
    ("Tax", 0.003),
    ("Refund", 0.002),
)
LIT_NAMES = tuple(name for name, _ in LINE_ITEM_TYPES)
LIT = {name: index for index, name in enumerate(LIT_NAMES)}
COST_ONLY = ("Fee", "Credit", "Tax", "Refund")  # whole-month lines, no usage period of their own

# region, usage-type prefix, location, price multiplier, share of regional line items
REGIONS = (
    ("us-east-1", "", "US East (N. Virginia)", 1.0, 0.30),
    ("us-west-2", "USW2-", "US West (Oregon)", 1.0, 0.14),
    ("us-east-2", "USE2-", "US East (Ohio)", 1.0, 0.08),
    ("eu-west-1", "EU-", "EU (Ireland)", 1.1, 0.12),
    ("eu-central-1", "EUC1-", "EU (Frankfurt)", 1.15, 0.08),
    ("eu-west-2", "EUW2-", "EU (London)", 1.15, 0.05),
    ("eu-north-1", "EUN1-", "EU (Stockholm)", 1.05, 0.03),
    ("ap-southeast-2", "APS2-", "Asia Pacific (Sydney)", 1.25, 0.05),
    ("ap-northeast-1", "APN1-", "Asia Pacific (Tokyo)", 1.25, 0.05),
    ("ap-southeast-1", "APS1-", "Asia Pacific (Singapore)", 1.2, 0.04),
    ("ap-south-1", "APS3-", "Asia Pacific (Mumbai)", 1.1, 0.03),
    ("ca-central-1", "CAN1-", "Canada (Central)", 1.1, 0.03),
)
S3_EMPTY_REGION_CODE_SHARE = 0.35  # AWS leaves product/regionCode empty on a share of S3 rows
ACCOUNT_COUNT = 50
LEADING_ZERO_ACCOUNTS = 8
PROJECTS = ("web", "api", "data", "analytics", "ml", "platform", "mobile", "search", "")
PROJECT_WEIGHTS = (0.14, 0.12, 0.12, 0.1, 0.06, 0.1, 0.05, 0.03, 0.28)  # 28% untagged
ENVIRONMENTS = ("prod", "staging", "dev", "")
ENVIRONMENT_WEIGHTS = (0.55, 0.15, 0.2, 0.1)
PRODUCT_NAMES = {
    "AmazonEC2": "Amazon Elastic Compute Cloud",
    "AmazonS3": "Amazon Simple Storage Service",
    "AmazonRDS": "Amazon Relational Database Service",
    "AWSLambda": "AWS Lambda",
    "AmazonDynamoDB": "Amazon DynamoDB",
    "AmazonCloudFront": "Amazon CloudFront",
    "AWSDataTransfer": "AWS Data Transfer",
    "AmazonCloudWatch": "AmazonCloudWatch",
}
# (probability the amount is exactly 1, log-mean, log-sigma, divisor): hourly lines of a resource.
HOURS = (0.92, math.log(0.5), 0.5, 1.0)  # instance-hours: mostly a full hour
GB_MONTH = (0.0, math.log(120.0), 1.6, 744.0)  # a volume's GB-month prorated to one hour
GB = (0.0, math.log(1.5), 2.0, 1.0)
REQUESTS = (0.0, math.log(2000.0), 1.8, 1.0)
GB_SECONDS = (0.0, math.log(8000.0), 1.5, 1.0)
COUNT = (0.0, math.log(40.0), 1.2, 1.0)


@dataclass(frozen=True)
class Sku:
    """A kind of usage line: what AWS bills per resource and hour."""

    service: str
    usage_type: str  # without the region prefix
    operation: str
    unit: str
    rate: float  # USD per unit in us-east-1
    weight: float  # relative share of usage line items
    family: str
    amount: tuple[float, float, float, float]
    resource_prefix: str = ""
    instance_type: str = ""
    vcpu: int = 0
    memory: str = ""
    savings_plan: bool = False  # Savings Plans can cover it
    reserved: bool = False  # reservations can cover it
    is_global: bool = False  # no AWS region (CloudFront edge locations)


def _ec2(instance: str, vcpu: int, memory: str, rate: float, weight: float) -> Sku:
    return Sku(
        "AmazonEC2",
        f"BoxUsage:{instance}",
        "RunInstances",
        "Hrs",
        rate,
        weight,
        "Compute Instance",
        HOURS,
        "i-0",
        instance,
        vcpu,
        memory,
        savings_plan=True,
        reserved=True,
    )


SKUS = (
    _ec2("t3.micro", 2, "1 GiB", 0.0104, 3),
    _ec2("t3.medium", 2, "4 GiB", 0.0416, 5),
    _ec2("t3.large", 2, "8 GiB", 0.0832, 3),
    _ec2("m5.large", 2, "8 GiB", 0.096, 8),
    _ec2("m5.xlarge", 4, "16 GiB", 0.192, 7),
    _ec2("m5.2xlarge", 8, "32 GiB", 0.384, 4),
    _ec2("c5.xlarge", 4, "8 GiB", 0.17, 4),
    _ec2("c6g.2xlarge", 8, "16 GiB", 0.272, 3),
    _ec2("r5.2xlarge", 8, "64 GiB", 0.504, 3),
    _ec2("m6i.4xlarge", 16, "64 GiB", 0.768, 2),
    _ec2("g4dn.xlarge", 4, "16 GiB", 0.526, 1),
    Sku("AmazonEC2", "EBS:VolumeUsage.gp3", "CreateVolume-Gp3", "GB-Mo", 0.08, 9, "Storage", GB_MONTH, "vol-0"),
    Sku("AmazonEC2", "EBS:VolumeUsage.gp2", "CreateVolume-Gp2", "GB-Mo", 0.10, 4, "Storage", GB_MONTH, "vol-0"),
    Sku("AmazonEC2", "EBS:VolumeUsage.st1", "CreateVolume-St1", "GB-Mo", 0.045, 1, "Storage", GB_MONTH, "vol-0"),
    Sku("AmazonEC2", "EBS:SnapshotUsage", "CreateSnapshot", "GB-Mo", 0.05, 3, "Storage Snapshot", GB_MONTH, "snap-0"),
    Sku("AmazonEC2", "DataTransfer-Out-Bytes", "RunInstances", "GB", 0.09, 3, "Data Transfer", GB, "i-0"),
    Sku("AmazonEC2", "DataTransfer-Regional-Bytes", "InterZone-Out", "GB", 0.01, 3, "Data Transfer", GB, "i-0"),
    Sku("AmazonEC2", "NatGateway-Hours", "NatGateway", "Hrs", 0.045, 1, "NAT Gateway", HOURS, "nat-0"),
    Sku("AmazonEC2", "NatGateway-Bytes", "NatGateway", "GB", 0.045, 1, "NAT Gateway", GB, "nat-0"),
    Sku("AWSDataTransfer", "DataTransfer-Out-Bytes", "", "GB", 0.09, 2, "Data Transfer", GB),
    Sku("AWSDataTransfer", "DataTransfer-In-Bytes", "", "GB", 0.0, 1, "Data Transfer", GB),
    Sku("AmazonS3", "TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.023, 5, "Storage", GB_MONTH, "bucket-"),
    Sku(
        "AmazonS3",
        "TimedStorage-INT-FA-ByteHrs",
        "IntelligentTieringFAStorage",
        "GB-Mo",
        0.023,
        1,
        "Storage",
        GB_MONTH,
        "bucket-",
    ),
    Sku(
        "AmazonS3", "TimedStorage-GlacierByteHrs", "GlacierStorage", "GB-Mo", 0.0036, 1, "Storage", GB_MONTH, "bucket-"
    ),
    Sku("AmazonS3", "Requests-Tier1", "PutObject", "Requests", 0.000005, 3, "API Request", REQUESTS, "bucket-"),
    Sku("AmazonS3", "Requests-Tier2", "GetObject", "Requests", 0.0000004, 3, "API Request", REQUESTS, "bucket-"),
    Sku("AmazonS3", "DataTransfer-Out-Bytes", "GetObject", "GB", 0.09, 1, "Data Transfer", GB, "bucket-"),
    Sku(
        "AmazonRDS",
        "InstanceUsage:db.r5.large",
        "CreateDBInstance:0002",
        "Hrs",
        0.25,
        3,
        "Database Instance",
        HOURS,
        "db-",
        "db.r5.large",
        2,
        "16 GiB",
        reserved=True,
    ),
    Sku(
        "AmazonRDS",
        "InstanceUsage:db.m5.xlarge",
        "CreateDBInstance:0002",
        "Hrs",
        0.342,
        2,
        "Database Instance",
        HOURS,
        "db-",
        "db.m5.xlarge",
        4,
        "16 GiB",
        reserved=True,
    ),
    Sku(
        "AmazonRDS", "RDS:GP2-Storage", "CreateDBInstance:0002", "GB-Mo", 0.115, 2, "Database Storage", GB_MONTH, "db-"
    ),
    Sku(
        "AmazonRDS", "RDS:ChargedBackupUsage", "CreateDBInstance:0002", "GB-Mo", 0.095, 1, "Storage Snapshot", GB_MONTH
    ),
    Sku(
        "AWSLambda",
        "Lambda-GB-Second",
        "Invoke",
        "Lambda-GB-Second",
        0.0000166667,
        5,
        "Serverless",
        GB_SECONDS,
        "fn-",
        savings_plan=True,
    ),
    Sku("AWSLambda", "Request", "Invoke", "Requests", 0.0000002, 4, "Serverless", REQUESTS, "fn-"),
    Sku(
        "AWSLambda",
        "Lambda-GB-Second-ARM",
        "Invoke",
        "Lambda-GB-Second",
        0.0000133334,
        1,
        "Serverless",
        GB_SECONDS,
        "fn-",
        savings_plan=True,
    ),
    Sku("AmazonDynamoDB", "TimedStorage-ByteHrs", "StandardStorage", "GB-Mo", 0.25, 1, "Database Storage", GB_MONTH),
    Sku("AmazonDynamoDB", "ReadRequestUnits", "GetItem", "ReadRequestUnits", 0.00000025, 2, "API Request", REQUESTS),
    Sku("AmazonDynamoDB", "WriteRequestUnits", "PutItem", "WriteRequestUnits", 0.00000125, 2, "API Request", REQUESTS),
    Sku("AmazonCloudFront", "US-DataTransfer-Out-Bytes", "GET", "GB", 0.085, 2, "Data Transfer", GB, is_global=True),
    Sku("AmazonCloudFront", "EU-DataTransfer-Out-Bytes", "GET", "GB", 0.085, 1, "Data Transfer", GB, is_global=True),
    Sku("AmazonCloudFront", "US-Requests-Tier1", "GET", "Requests", 0.000001, 2, "Request", REQUESTS, is_global=True),
    Sku("AmazonCloudWatch", "CW:MetricMonitorUsage", "MetricStorage", "Metrics", 0.0004, 2, "Metric", COUNT),
    Sku("AmazonCloudWatch", "CW:Requests", "GetMetricData", "Requests", 0.00001, 1, "API Request", REQUESTS),
    Sku("AmazonCloudWatch", "TimedStorage-ByteHrs", "HourlyStorageMetering", "GB-Mo", 0.03, 1, "Storage", GB_MONTH),
)
RESOURCES_PER_SKU = 400  # distinct resource ids per SKU: realistic cardinality for lineItem/ResourceId

LEGACY_COLUMNS = (
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
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/instanceType",
    "product/location",
    "product/memory",
    "product/productFamily",
    "product/region",
    "product/regionCode",
    "product/servicecode",
    "product/vcpu",
    "pricing/term",
    "pricing/unit",
    "resourceTags/user:Environment",
    "resourceTags/user:Project",
)


@dataclass(frozen=True)
class Generated:
    """What was written: enough for the benchmark to find the files and label its results."""

    root: Path
    fmt: str
    rows: int
    seed: int
    month: date
    sources_file: Path
    manifest: Path
    data_files: tuple[Path, ...]
    seconds: float
    object_rows: int = OBJECT_ROWS

    def to_json(self) -> dict[str, object]:
        return {
            "generator_version": GENERATOR_VERSION,
            "fmt": self.fmt,
            "rows": self.rows,
            "seed": self.seed,
            "month": self.month.isoformat(),
            "sources_file": str(self.sources_file.relative_to(self.root)),
            "manifest": str(self.manifest.relative_to(self.root)),
            "data_files": [str(p.relative_to(self.root)) for p in self.data_files],
            "bytes": sum(p.stat().st_size for p in self.data_files),
            "seconds": round(self.seconds, 3),
            "object_rows": self.object_rows,
        }


# --------------------------------------------------------------------------------------------------
# The world of one seed: accounts and the dictionaries every chunk indexes into
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Everything that is the same for every chunk of a month; chunks only draw integer codes."""

    month: date
    payer: str
    accounts: pa.Array  # 12-digit strings, some with leading zeros
    account_weights: np.ndarray
    sku_weights: dict[str, np.ndarray]  # per line-item family: 'usage', 'savings_plan', 'reserved'
    region_weights: np.ndarray
    hour_starts: pa.Array  # 744 hourly starts + the month start (index 744)
    hour_ends: pa.Array  # 744 hourly ends + the month end (index 744)
    intervals: pa.Array
    hour_timestamps: np.ndarray  # datetime64[s] of the 745 starts, for the typed formats

    @property
    def hours(self) -> int:
        return len(self.hour_starts) - 1


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _accounts(seed: int) -> list[str]:
    """~50 member accounts; a few below 10^11, which is where leading zeros get lost by careless readers."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1_000_001]))
    values = rng.integers(10**11, 10**12, ACCOUNT_COUNT)
    values[:LEADING_ZERO_ACCOUNTS] = rng.integers(10**8, 10**11, LEADING_ZERO_ACCOUNTS)
    rng.shuffle(values)
    return [f"{int(v):012d}" for v in values]


def _zipf_weights(count: int, exponent: float) -> np.ndarray:
    """A few large accounts and a long tail, as in any organisation."""
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


def _normalised(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    return array / array.sum()


def build_world(seed: int, month: date = BENCH_MONTH) -> World:
    """The seed's accounts and the month's hours: shared by every chunk, cheap to rebuild in each writer."""
    accounts = _accounts(seed)
    end = _next_month(month)
    hours = int((datetime(end.year, end.month, 1) - datetime(month.year, month.month, 1)).total_seconds() // 3600)
    first = datetime(month.year, month.month, 1)
    starts = [first + timedelta(hours=h) for h in range(hours)]
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    start_text = [s.strftime(fmt) for s in starts] + [first.strftime(fmt)]
    end_text = [(s + timedelta(hours=1)).strftime(fmt) for s in starts] + [
        datetime(end.year, end.month, 1).strftime(fmt)
    ]
    return World(
        month=month,
        payer=accounts[0],
        accounts=pa.array(accounts),
        account_weights=_zipf_weights(len(accounts), 1.1),
        sku_weights={
            "usage": _normalised([s.weight for s in SKUS]),
            "savings_plan": _normalised([s.weight if s.savings_plan else 0.0 for s in SKUS]),
            "reserved": _normalised([s.weight if s.reserved else 0.0 for s in SKUS]),
        },
        region_weights=_normalised([r[4] for r in REGIONS]),
        hour_starts=pa.array(start_text),
        hour_ends=pa.array(end_text),
        intervals=pa.array([f"{s}/{e}" for s, e in zip(start_text, end_text, strict=True)]),
        hour_timestamps=np.array(starts + [first], dtype="datetime64[s]"),
    )


# --------------------------------------------------------------------------------------------------
# Drawing one chunk: integer codes and numbers, all numpy
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """One chunk of line items as codes into the World's and the SKU table's dictionaries."""

    n: int
    line_item_ids: pa.Array
    account: np.ndarray
    region: np.ndarray
    sku: np.ndarray
    lit: np.ndarray
    hour: np.ndarray  # index into hour_starts/hour_ends (744 = the whole month)
    resource: np.ndarray
    zone: np.ndarray
    project: np.ndarray
    environment: np.ndarray
    amount: np.ndarray
    rate: np.ndarray  # NaN = empty
    cost: np.ndarray
    region_code_empty: np.ndarray
    cost_only: np.ndarray


SKU_ARRAYS = {
    "is_global": np.array([s.is_global for s in SKUS]),
    "is_s3": np.array([s.service == "AmazonS3" for s in SKUS]),
    "has_zone": np.array([s.service in ("AmazonEC2", "AmazonRDS") and s.family != "Data Transfer" for s in SKUS]),
    "has_resource": np.array([bool(s.resource_prefix) for s in SKUS]),
    "rate": np.array([s.rate for s in SKUS]),
    "p_one": np.array([s.amount[0] for s in SKUS]),
    "log_mean": np.array([s.amount[1] for s in SKUS]),
    "log_sigma": np.array([s.amount[2] for s in SKUS]),
    "divisor": np.array([s.amount[3] for s in SKUS]),
    "integer": np.array([s.unit in ("Requests", "ReadRequestUnits", "WriteRequestUnits", "Metrics") for s in SKUS]),
}
REGION_MULTIPLIER = np.array([r[3] for r in REGIONS])


def _line_item_ids(rng: np.random.Generator, n: int) -> pa.Array:
    """52-character base32 ids like AWS's, built as one buffer (no Python string per row)."""
    width = 52
    data = BASE32[rng.integers(0, 32, size=(n, width), dtype=np.uint8)]
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())])


def _amounts(rng: np.random.Generator, sku: np.ndarray) -> np.ndarray:
    """Per-SKU usage distributions: full instance-hours, prorated GB-months, heavy-tailed requests."""
    n = len(sku)
    noise = np.exp(SKU_ARRAYS["log_mean"][sku] + SKU_ARRAYS["log_sigma"][sku] * rng.standard_normal(n))
    amount = noise / SKU_ARRAYS["divisor"][sku]
    hourly = SKU_ARRAYS["p_one"][sku] > 0
    amount = np.where(hourly, np.minimum(amount, 1.0), amount)
    amount = np.where(rng.random(n) < SKU_ARRAYS["p_one"][sku], 1.0, amount)
    amount = np.where(SKU_ARRAYS["integer"][sku], np.maximum(np.rint(amount), 1.0), amount)
    return np.round(amount, 10)


def _costs(rng: np.random.Generator, lit: np.ndarray, amount: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Unblended cost as AWS bills it per line-item type: reservations show 0, Savings Plan negations offset
    the covered cost, credits and refunds are negative, taxes and fees positive whole-month amounts."""
    n = len(lit)
    cost = amount * rate
    cost = np.where(lit == LIT["DiscountedUsage"], 0.0, cost)
    cost = np.where(lit == LIT["SavingsPlanNegation"], -cost, cost)
    lump = np.exp(rng.standard_normal(n))  # medians below: tax ~8%, fees ~3%, credits ~-5% of usage cost
    cost = np.where(lit == LIT["Tax"], lump * 3.2, cost)
    cost = np.where(lit == LIT["Fee"], lump * 0.5, cost)
    cost = np.where(lit == LIT["Credit"], -lump * 1.2, cost)
    cost = np.where(lit == LIT["Refund"], -lump * 0.6, cost)
    return np.round(cost, 10)


def draw_chunk(world: World, seed: int, chunk: int, n: int) -> Draw:
    rng = np.random.default_rng(np.random.SeedSequence([seed, chunk]))
    lit = rng.choice(len(LIT_NAMES), size=n, p=_normalised([w for _, w in LINE_ITEM_TYPES]))
    sku = rng.choice(len(SKUS), size=n, p=world.sku_weights["usage"])
    on_plan = (lit == LIT["SavingsPlanCoveredUsage"]) | (lit == LIT["SavingsPlanNegation"])
    sku = np.where(on_plan, rng.choice(len(SKUS), size=n, p=world.sku_weights["savings_plan"]), sku)
    reserved = lit == LIT["DiscountedUsage"]
    sku = np.where(reserved, rng.choice(len(SKUS), size=n, p=world.sku_weights["reserved"]), sku)
    cost_only = np.isin(lit, [LIT[name] for name in COST_ONLY])
    region = rng.choice(len(REGIONS), size=n, p=world.region_weights)
    hour = np.where(cost_only, world.hours, rng.integers(0, world.hours, n))
    amount = _amounts(rng, sku)
    amount = np.where(np.isin(lit, [LIT["Credit"], LIT["Refund"]]), 0.0, amount)
    amount = np.where(np.isin(lit, [LIT["Tax"], LIT["Fee"]]), 1.0, amount)
    rate = SKU_ARRAYS["rate"][sku] * REGION_MULTIPLIER[region]
    rate = np.where(reserved, 0.0, rate)
    cost = _costs(rng, lit, amount, rate)
    rate = np.where(cost_only, np.nan, np.round(rate, 10))
    region_code_empty = SKU_ARRAYS["is_s3"][sku] & (rng.random(n) < S3_EMPTY_REGION_CODE_SHARE)
    return Draw(
        n=n,
        line_item_ids=_line_item_ids(rng, n),
        account=rng.choice(ACCOUNT_COUNT, size=n, p=world.account_weights),
        region=region,
        sku=sku,
        lit=lit,
        hour=hour,
        resource=sku * RESOURCES_PER_SKU + rng.integers(0, RESOURCES_PER_SKU, n),
        zone=region * 3 + rng.integers(0, 3, n),
        project=rng.choice(len(PROJECTS), size=n, p=_normalised(list(PROJECT_WEIGHTS))),
        environment=rng.choice(len(ENVIRONMENTS), size=n, p=_normalised(list(ENVIRONMENT_WEIGHTS))),
        amount=amount,
        rate=rate,
        cost=cost,
        region_code_empty=region_code_empty,
        cost_only=cost_only,
    )


# --------------------------------------------------------------------------------------------------
# Codes -> Arrow columns (dictionary arrays: cheap to build, written decoded)
# --------------------------------------------------------------------------------------------------


def _dict(indices: np.ndarray, values: list[str] | pa.Array) -> pa.DictionaryArray:
    """A dictionary column over ``values`` (a few dozen to a few thousand strings). Duplicate values are
    merged first: Parquet's writer handles a dictionary with duplicates non-deterministically."""
    listed = values.to_pylist() if isinstance(values, pa.Array) else list(values)
    unique = list(dict.fromkeys(listed))
    if len(unique) != len(listed):
        position = {value: i for i, value in enumerate(unique)}
        indices = np.array([position[value] for value in listed], dtype=np.int32)[indices]
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), pa.array(unique, pa.string()))


def _masked(indices: np.ndarray, empty_when: np.ndarray, empty_index: int) -> np.ndarray:
    return np.where(empty_when, empty_index, indices)


def _region_sku_index(draw: Draw) -> np.ndarray:
    return draw.sku * len(REGIONS) + draw.region


USAGE_TYPES = [("" if s.is_global else r[1]) + s.usage_type for s in SKUS for r in REGIONS] + [""]
DESCRIPTIONS = [
    f"${s.rate * r[3]:.10g} per {s.unit} for {s.usage_type} in {'Global' if s.is_global else r[2]}"
    for s in SKUS
    for r in REGIONS
]
COST_ONLY_DESCRIPTIONS = {
    "Tax": "Tax for product code {service}",
    "Fee": "{service} fee",
    "Credit": "AWS Activate Credit",
    "Refund": "Refund for {service} service event",
}


@cache
def _resource_ids() -> pa.Array:
    """RESOURCES_PER_SKU stable ids per SKU (i-0..., vol-0..., bucket-...), then the empty id."""
    ids = [
        f"{s.resource_prefix}{hashlib.sha1(f'{s.usage_type}{i}'.encode()).hexdigest()[:16]}"
        if s.resource_prefix
        else ""
        for s in SKUS
        for i in range(RESOURCES_PER_SKU)
    ]
    return pa.array([*ids, ""])


def _description_index(draw: Draw) -> tuple[np.ndarray, list[str]]:
    values = list(DESCRIPTIONS)
    index = _region_sku_index(draw)
    for name in COST_ONLY:
        offset = len(values)
        values.extend(COST_ONLY_DESCRIPTIONS[name].format(service=s.service) for s in SKUS)
        index = np.where(draw.lit == LIT[name], offset + draw.sku, index)
    return index, values


def _common_codes(world: World, draw: Draw) -> dict[str, pa.Array]:
    """The columns every format shares, named by their legacy CSV header."""
    account_level = np.isin(draw.lit, [LIT["Tax"], LIT["Fee"]])  # billed to the account, not a region
    no_region = SKU_ARRAYS["is_global"][draw.sku] | account_level
    no_product_detail = draw.cost_only
    regions = [r[0] for r in REGIONS] + [""]
    locations = [r[2] for r in REGIONS] + ["Global", ""]
    location = np.where(SKU_ARRAYS["is_global"][draw.sku], len(REGIONS), draw.region)
    zones = [f"{r[0]}{letter}" for r in REGIONS for letter in "abc"] + [""]
    resources = _resource_ids()
    description_index, descriptions = _description_index(draw)
    terms = np.select([draw.lit == LIT["Usage"], draw.lit == LIT["DiscountedUsage"]], [0, 1], 2)
    instance = [s.instance_type for s in SKUS] + [""]
    return {
        "identity/LineItemId": draw.line_item_ids,
        "identity/TimeInterval": _dict(draw.hour, world.intervals),
        "lineItem/UsageAccountId": _dict(draw.account, world.accounts),
        "lineItem/LineItemType": _dict(draw.lit, list(LIT_NAMES)),
        "lineItem/UsageStartDate": _dict(draw.hour, world.hour_starts),
        "lineItem/UsageEndDate": _dict(draw.hour, world.hour_ends),
        "lineItem/ProductCode": _dict(draw.sku, [s.service for s in SKUS]),
        "lineItem/UsageType": _dict(
            _masked(_region_sku_index(draw), account_level, len(USAGE_TYPES) - 1),
            USAGE_TYPES,
        ),
        "lineItem/Operation": _dict(
            _masked(draw.sku, no_product_detail, len(SKUS)), [s.operation for s in SKUS] + [""]
        ),
        "lineItem/AvailabilityZone": _dict(
            _masked(draw.zone, ~SKU_ARRAYS["has_zone"][draw.sku] | no_product_detail, len(zones) - 1), zones
        ),
        "lineItem/ResourceId": _dict(
            _masked(draw.resource, ~SKU_ARRAYS["has_resource"][draw.sku] | no_product_detail, len(resources) - 1),
            resources,
        ),
        "lineItem/LineItemDescription": _dict(description_index, descriptions),
        "product/ProductName": _dict(draw.sku, [PRODUCT_NAMES[s.service] for s in SKUS]),
        "product/instanceType": _dict(_masked(draw.sku, no_product_detail, len(SKUS)), instance),
        "product/location": _dict(_masked(location, account_level, len(locations) - 1), locations),
        "product/memory": _dict(_masked(draw.sku, no_product_detail, len(SKUS)), [s.memory for s in SKUS] + [""]),
        "product/productFamily": _dict(
            _masked(draw.sku, no_product_detail, len(SKUS)), [s.family for s in SKUS] + [""]
        ),
        "product/region": _dict(_masked(draw.region, no_region, len(REGIONS)), regions),
        "product/regionCode": _dict(_masked(draw.region, no_region | draw.region_code_empty, len(REGIONS)), regions),
        "product/servicecode": _dict(draw.sku, [s.service for s in SKUS]),
        "product/vcpu": _dict(
            _masked(draw.sku, no_product_detail, len(SKUS)), [str(s.vcpu) if s.vcpu else "" for s in SKUS] + [""]
        ),
        "pricing/term": _dict(terms, ["OnDemand", "Reserved", ""]),
        "pricing/unit": _dict(_masked(draw.sku, no_product_detail, len(SKUS)), [s.unit for s in SKUS] + [""]),
        "resourceTags/user:Environment": _dict(_masked(draw.environment, draw.cost_only, 3), list(ENVIRONMENTS)),
        "resourceTags/user:Project": _dict(_masked(draw.project, draw.cost_only, len(PROJECTS) - 1), list(PROJECTS)),
    }


def _constant(value: str, n: int) -> pa.DictionaryArray:
    return _dict(np.zeros(n, dtype=np.int32), [value])


def _billing_period_text(world: World) -> tuple[str, str]:
    end = _next_month(world.month)
    return f"{world.month:%Y-%m-%d}T00:00:00.000Z", f"{end:%Y-%m-%d}T00:00:00.000Z"


def legacy_csv_table(world: World, draw: Draw) -> pa.Table:
    """Legacy CUR CSV: every value text, as AWS writes it (empty for absent)."""
    columns = _common_codes(world, draw)
    start, end = _billing_period_text(world)
    columns.update(
        {
            "bill/BillType": _constant("Anniversary", draw.n),
            "bill/PayerAccountId": _constant(world.payer, draw.n),
            "bill/BillingPeriodStartDate": _constant(start, draw.n),
            "bill/BillingPeriodEndDate": _constant(end, draw.n),
            "lineItem/CurrencyCode": _constant("USD", draw.n),
            "lineItem/UsageAmount": pa.array(draw.amount),
            "lineItem/UnblendedRate": pa.array(draw.rate, from_pandas=True),
            "lineItem/UnblendedCost": pa.array(draw.cost),
        }
    )
    return pa.table({name: columns[name] for name in LEGACY_COLUMNS})


def athena_name(header: str) -> str:
    """AWS's Parquet/Athena mangling (formats.md): underscore before every capital, '/' and ':' become '_'."""
    out = []
    for char in header:
        if char.isupper():
            out.append("_" + char.lower())
        elif char.isalnum():
            out.append(char)
        else:
            out.append("_")
    return "_".join(part for part in "".join(out).split("_") if part)


def _timestamps(world: World, hour: np.ndarray, *, end: bool, utc: bool) -> pa.Array:
    """Typed usage periods for the Parquet formats: hourly, or the whole month for index ``world.hours``."""
    values = world.hour_timestamps[hour]
    if end:
        month_end = np.datetime64(_next_month(world.month).isoformat(), "s")
        values = np.where(hour == world.hours, month_end, values + np.timedelta64(1, "h"))
    unit = "us" if utc else "ms"
    return pa.array(values.astype(f"datetime64[{unit}]"), pa.timestamp(unit, "UTC" if utc else None))


def _whole_month(world: World, n: int) -> np.ndarray:
    return np.full(n, world.hours, dtype=np.int64)


def legacy_parquet_table(world: World, draw: Draw) -> pa.Table:
    """Legacy CUR Parquet (Athena): snake_case names, timestamps and costs typed; rates and vCPU stay strings,
    as in AWS's Athena DDL."""
    table = legacy_csv_table(world, draw)
    columns = {athena_name(name): table.column(name) for name in table.column_names}
    month = _whole_month(world, draw.n)
    columns["bill_billing_period_start_date"] = _timestamps(world, month, end=False, utc=False)
    columns["bill_billing_period_end_date"] = _timestamps(world, month, end=True, utc=False)
    columns["line_item_usage_start_date"] = _timestamps(world, draw.hour, end=False, utc=False)
    columns["line_item_usage_end_date"] = _timestamps(world, draw.hour, end=True, utc=False)
    columns["line_item_unblended_rate"] = pa.array(draw.rate, from_pandas=True).cast(pa.string())
    return pa.table(columns)


def _map_column(keys: list[str], values: list[pa.DictionaryArray]) -> pa.MapArray:
    """A map<string,string> per row holding only the keys whose value is non-empty (CUR 2.0 leaves absent
    attributes out of the map). Built from the dictionary codes: one flat take, no per-row Python."""
    dictionaries = [v.dictionary for v in values]
    starts = np.cumsum([0] + [len(d) for d in dictionaries[:-1]])
    combined = pa.concat_arrays([d.cast(pa.string()) for d in dictionaries])
    empty = np.asarray(combined.to_pylist(), dtype=object) == ""  # one entry per dictionary value, not per row
    codes = np.stack([v.indices.to_numpy() + start for v, start in zip(values, starts, strict=True)], axis=1)
    present = ~empty[codes]
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    key_codes = np.broadcast_to(np.arange(len(keys), dtype=np.int32), present.shape)[present]
    items = combined.take(pa.array(codes[present]))
    return pa.MapArray.from_arrays(pa.array(offsets), pa.array(keys).take(pa.array(key_codes)), items)


def cur2_table(world: World, draw: Draw) -> pa.Table:
    """CUR 2.0 (Data Exports): fixed snake_case schema, string account ids, native map columns; product
    attributes outside the static schema (region, vCPU, memory, name) live in ``product``."""
    legacy = _common_codes(world, draw)
    month = _whole_month(world, draw.n)
    account_names = pa.array([f"member-account-{i:02d}" for i in range(ACCOUNT_COUNT)])
    return pa.table(
        {
            "bill_bill_type": _constant("Anniversary", draw.n),
            "bill_billing_period_end_date": _timestamps(world, month, end=True, utc=True),
            "bill_billing_period_start_date": _timestamps(world, month, end=False, utc=True),
            "bill_payer_account_id": _constant(world.payer, draw.n),
            "bill_payer_account_name": _constant("bench-payer", draw.n),
            "identity_line_item_id": legacy["identity/LineItemId"],
            "identity_time_interval": legacy["identity/TimeInterval"],
            "line_item_availability_zone": legacy["lineItem/AvailabilityZone"],
            "line_item_currency_code": _constant("USD", draw.n),
            "line_item_line_item_description": legacy["lineItem/LineItemDescription"],
            "line_item_line_item_type": legacy["lineItem/LineItemType"],
            "line_item_operation": legacy["lineItem/Operation"],
            "line_item_product_code": legacy["lineItem/ProductCode"],
            "line_item_resource_id": legacy["lineItem/ResourceId"],
            "line_item_unblended_cost": pa.array(draw.cost),
            "line_item_unblended_rate": pa.array(draw.rate, from_pandas=True),
            "line_item_usage_account_id": legacy["lineItem/UsageAccountId"],
            "line_item_usage_account_name": _dict(draw.account, account_names),
            "line_item_usage_amount": pa.array(draw.amount),
            "line_item_usage_end_date": _timestamps(world, draw.hour, end=True, utc=True),
            "line_item_usage_start_date": _timestamps(world, draw.hour, end=False, utc=True),
            "line_item_usage_type": legacy["lineItem/UsageType"],
            "pricing_term": legacy["pricing/term"],
            "pricing_unit": legacy["pricing/unit"],
            "product": _map_column(
                ["product_name", "region", "vcpu", "memory"],
                [
                    legacy["product/ProductName"],
                    legacy["product/region"],
                    legacy["product/vcpu"],
                    legacy["product/memory"],
                ],
            ),
            "product_instance_type": legacy["product/instanceType"],
            "product_location": legacy["product/location"],
            "product_product_family": legacy["product/productFamily"],
            "product_region_code": legacy["product/regionCode"],
            "product_servicecode": legacy["product/servicecode"],
            "resource_tags": _map_column(
                ["user_environment", "user_project"],
                [legacy["resourceTags/user:Environment"], legacy["resourceTags/user:Project"]],
            ),
        }
    )


# --------------------------------------------------------------------------------------------------
# Objects, manifests and the sources file
# --------------------------------------------------------------------------------------------------


def object_plan(rows: int, object_rows: int = OBJECT_ROWS) -> list[list[tuple[int, int]]]:
    """Rows split into objects of ``object_rows``, each written as chunks of at most CHUNK_ROWS; every chunk
    has a global index that seeds it, so the plan (not timing or order) decides the data."""
    plan: list[list[tuple[int, int]]] = []
    chunk = 0
    for first in range(0, max(rows, 1), object_rows):
        size = min(object_rows, rows - first)
        chunks = []
        for offset in range(0, size, CHUNK_ROWS):
            chunks.append((chunk, min(CHUNK_ROWS, size - offset)))
            chunk += 1
        plan.append(chunks)
    return plan


TABLE_BUILDERS = {"csv_gz": legacy_csv_table, "parquet": legacy_parquet_table, "cur2_parquet": cur2_table}


def write_csv_gz(path: Path, tables: Iterator[pa.Table]) -> None:
    """One gzip CSV object; pyarrow formats the text, zlib compresses (mtime 0: reproducible bytes).
    No quoting, as in AWS's files; pyarrow refuses a value that would need quotes rather than corrupt it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options = pacsv.WriteOptions(include_header=True, quoting_style="none", batch_size=65536)
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL) as gz,
    ):
        writer = None
        for table in tables:
            if writer is None:
                writer = pacsv.CSVWriter(gz, table.schema, write_options=options)
            writer.write_table(table)
        if writer is not None:
            writer.close()


def write_parquet(path: Path, tables: Iterator[pa.Table]) -> None:
    """One snappy Parquet object, a row group per chunk; no Arrow schema blob, like AWS's own files."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    try:
        for table in tables:
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy", store_schema=False)
            writer.write_table(table)  # one row group per chunk (CHUNK_ROWS is below the 1Mi default cap)
    finally:
        if writer is not None:
            writer.close()


@dataclass(frozen=True)
class ObjectJob:
    """One data object to write: picklable, so objects can be written by parallel processes."""

    fmt: str
    path: Path
    seed: int
    month: date
    chunks: tuple[tuple[int, int], ...]  # (global chunk index, rows)


def write_object(job: ObjectJob) -> Path:
    world = build_world(job.seed, job.month)
    build = TABLE_BUILDERS[job.fmt]
    tables = (build(world, draw_chunk(world, job.seed, index, n)) for index, n in job.chunks)
    (write_csv_gz if job.fmt == "csv_gz" else write_parquet)(job.path, tables)
    return job.path


def write_objects(jobs: list[ObjectJob], workers: int) -> list[Path]:
    """Objects are independent (each chunk seeds itself), so several can be written at once: gzip is the
    slow part of the CSV format and is single-threaded per stream. Spawned, not forked: pyarrow's thread
    pools do not survive a fork."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        return [write_object(job) for job in jobs]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(write_object, jobs))


def _uuid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _json(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _legacy_manifest(world: World, assembly_id: str, keys: list[str], *, parquet: bool) -> dict[str, object]:
    end = _next_month(world.month)
    return {
        "assemblyId": assembly_id,
        "account": world.payer,
        "columns": [{"category": c.split("/")[0], "name": c.split("/")[1]} for c in LEGACY_COLUMNS],
        "charset": "UTF-8",
        "compression": "Parquet" if parquet else "GZIP",
        "contentType": "Parquet" if parquet else "text/csv",
        "reportId": hashlib.sha256(REPORT.encode()).hexdigest(),
        "reportName": REPORT,
        "billingPeriod": {"start": f"{world.month:%Y%m%d}T000000.000Z", "end": f"{end:%Y%m%d}T000000.000Z"},
        "bucket": BUCKET,
        "reportKeys": keys,
    }


def _jobs(fmt: str, world: World, seed: int, rows: int, object_rows: int, paths: list[Path]) -> list[ObjectJob]:
    return [
        ObjectJob(fmt, path, seed, world.month, tuple(chunks))
        for path, chunks in zip(paths, object_plan(rows, object_rows), strict=True)
    ]


def _write_legacy_csv(
    root: Path, world: World, seed: int, rows: int, workers: int, object_rows: int
) -> tuple[Path, list[Path]]:
    """Create-new-version layout: data and a manifest under the assemblyId, a copy at the period level."""
    report_root = root / "landing" / CUR_PREFIX / REPORT
    folder = f"{world.month:%Y%m%d}-{_next_month(world.month):%Y%m%d}"
    assembly_id = _uuid("assembly", seed, rows, "csv_gz")
    names = [f"{REPORT}-{number}.csv.gz" for number in range(1, len(object_plan(rows, object_rows)) + 1)]
    files = write_objects(
        _jobs("csv_gz", world, seed, rows, object_rows, [report_root / folder / assembly_id / n for n in names]),
        workers,
    )
    keys = [f"{CUR_PREFIX}/{REPORT}/{folder}/{assembly_id}/{name}" for name in names]
    manifest = _legacy_manifest(world, assembly_id, keys, parquet=False)
    _json(report_root / folder / assembly_id / f"{REPORT}-Manifest.json", manifest)
    period_manifest = report_root / folder / f"{REPORT}-Manifest.json"
    _json(period_manifest, manifest)
    return period_manifest, files


def _write_legacy_parquet(
    root: Path, world: World, seed: int, rows: int, workers: int, object_rows: int
) -> tuple[Path, list[Path]]:
    """Athena (overwrite) layout: <report>/<report>/year=/month=/<report>-0000N.snappy.parquet + manifest."""
    partition = f"year={world.month.year}/month={world.month.month}"
    folder = root / "landing" / CUR_PREFIX / REPORT / REPORT / partition
    names = [f"{REPORT}-{number:05d}.snappy.parquet" for number in range(1, len(object_plan(rows, object_rows)) + 1)]
    files = write_objects(_jobs("parquet", world, seed, rows, object_rows, [folder / n for n in names]), workers)
    keys = [f"{CUR_PREFIX}/{REPORT}/{REPORT}/{partition}/{name}" for name in names]
    manifest = folder / f"{REPORT}-Manifest.json"
    _json(manifest, _legacy_manifest(world, _uuid("assembly", seed, rows, "parquet"), keys, parquet=True))
    return manifest, files


def _write_cur2(
    root: Path, world: World, seed: int, rows: int, workers: int, object_rows: int
) -> tuple[Path, list[Path]]:
    """Data Exports overwrite layout: data/BILLING_PERIOD=YYYY-MM/ and its manifest under metadata/."""
    partition = f"BILLING_PERIOD={world.month:%Y-%m}"
    export_root = root / "landing" / EXPORT_PREFIX / EXPORT
    names = [f"{EXPORT}-{number:05d}.snappy.parquet" for number in range(1, len(object_plan(rows, object_rows)) + 1)]
    files = write_objects(
        _jobs("cur2_parquet", world, seed, rows, object_rows, [export_root / "data" / partition / n for n in names]),
        workers,
    )
    schema = pq.read_schema(files[0])
    manifest = export_root / "metadata" / partition / f"{EXPORT}-Manifest.json"
    _json(
        manifest,
        {
            "executionId": _uuid("execution", seed, rows),
            "exportArn": f"arn:aws:bcm-data-exports:us-east-1:{world.payer}:export/{EXPORT}-{_uuid(seed)[:8]}",
            "columns": [{"name": f.name, "type": str(f.type)} for f in schema],
            "dataFiles": [f"s3://{BUCKET}/{EXPORT_PREFIX}/{EXPORT}/data/{partition}/{name}" for name in names],
            "billingPeriod": {"start": world.month.isoformat(), "end": _next_month(world.month).isoformat()},
        },
    )
    return manifest, files


WRITERS = {"csv_gz": _write_legacy_csv, "parquet": _write_legacy_parquet, "cur2_parquet": _write_cur2}
SOURCES = {
    "csv_gz": ("aws_cur", f"landing/{CUR_PREFIX}/{REPORT}", "legacy CUR, gzip CSV, create-new-version layout"),
    "parquet": ("aws_cur", f"landing/{CUR_PREFIX}/{REPORT}", "legacy CUR Parquet, Athena layout"),
    "cur2_parquet": ("aws_cur2", f"landing/{EXPORT_PREFIX}/{EXPORT}", "CUR 2.0 Parquet with native maps"),
}


def write_sources_file(root: Path, fmt: str, rows: int, seed: int, month: date) -> Path:
    """The sources.yaml the pipeline is pointed at (README "Configuration"): one CUR source, nothing else,
    so the run measures the CUR path."""
    kind, uri, description = SOURCES[fmt]
    name_key = "export_name" if kind == "aws_cur2" else "report_name"
    name = EXPORT if kind == "aws_cur2" else REPORT
    path = root / "sources.yaml"
    path.write_text(
        f"# Benchmark month written by benchmarks/generate_cur.py: {fmt}, {rows} line items, seed {seed}.\n"
        "settings:\n"
        f'  start_month: "{month:%Y-%m}"\n'
        "sources:\n"
        f"  - id: bench-{fmt.replace('_', '-')}\n"
        f"    kind: {kind}\n"
        f"    uri: {uri}\n"
        f"    {name_key}: {name}\n"
        f'    description: "{description}"\n',
        encoding="utf-8",
    )
    return path


def generate(
    root: Path,
    rows: int,
    seed: int,
    fmt: str,
    month: date = BENCH_MONTH,
    workers: int | None = None,
    object_rows: int = OBJECT_ROWS,
) -> Generated:
    """Write one month of ``rows`` line items in ``fmt`` under ``root`` (replacing what was there), in
    objects of ``object_rows``, writing up to ``workers`` objects at once (default: one per CPU)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if rows < 1 or object_rows < 1:
        raise ValueError("rows and object_rows must be at least 1")
    started = time.perf_counter()
    marker = root / "generated.json"
    marker.unlink(missing_ok=True)  # a half-written folder must never look complete
    _remove_tree(root / "landing")
    world = build_world(seed, month)
    manifest, files = WRITERS[fmt](root, world, seed, rows, workers or os.cpu_count() or 1, object_rows)
    sources = write_sources_file(root, fmt, rows, seed, month)
    seconds = time.perf_counter() - started
    generated = Generated(root, fmt, rows, seed, month, sources, manifest, tuple(files), seconds, object_rows)
    _json(marker, generated.to_json())
    return generated


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        child.rmdir() if child.is_dir() else child.unlink()
    path.rmdir()


def load_generated(
    root: Path, rows: int, seed: int, fmt: str, month: date = BENCH_MONTH, object_rows: int = OBJECT_ROWS
) -> Generated | None:
    """The cached month under ``root`` if it was completely written by this generator version with the same
    parameters; None otherwise."""
    marker = root / "generated.json"
    if not marker.is_file():
        return None
    meta = json.loads(marker.read_text(encoding="utf-8"))
    wanted = {
        "generator_version": GENERATOR_VERSION,
        "fmt": fmt,
        "rows": rows,
        "seed": seed,
        "month": month.isoformat(),
        "object_rows": object_rows,
    }
    if any(meta.get(k) != v for k, v in wanted.items()):
        return None
    files = tuple(root / f for f in meta["data_files"])
    if not all(f.is_file() for f in files):
        return None
    sources, manifest = root / meta["sources_file"], root / meta["manifest"]
    return Generated(root, fmt, rows, seed, month, sources, manifest, files, meta["seconds"], object_rows)


def ensure_generated(
    root: Path, rows: int, seed: int, fmt: str, object_rows: int = OBJECT_ROWS
) -> tuple[Generated, bool]:
    """(month, True if it was generated now) — generation is deterministic, so a cached copy is as good."""
    cached = load_generated(root, rows, seed, fmt, object_rows=object_rows)
    if cached is not None:
        return cached, False
    return generate(root, rows, seed, fmt, object_rows=object_rows), True


def data_dir(base: Path, fmt: str, rows: int, seed: int, object_rows: int = OBJECT_ROWS) -> Path:
    suffix = "" if object_rows == OBJECT_ROWS else f"-objects{object_rows}"
    return base / f"{fmt}-{rows}-seed{seed}{suffix}"


DEFAULT_DATA = Path(__file__).resolve().parent / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True, help="line items in the month")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", dest="fmt", choices=(*FORMATS, "all"), default="csv_gz")
    parser.add_argument("--out", type=Path, help=f"output folder (default: {DEFAULT_DATA}/<format>-<rows>-seed<seed>)")
    parser.add_argument("--object-rows", type=int, default=OBJECT_ROWS, help="line items per data object")
    parser.add_argument("--workers", type=int, default=None, help="objects written at once (default: CPUs)")
    parser.add_argument("--force", action="store_true", help="regenerate even if a complete copy exists")
    args = parser.parse_args(argv)
    formats = FORMATS if args.fmt == "all" else (args.fmt,)
    if args.out and len(formats) > 1:
        parser.error("--out names one folder: use it with a single --format")
    for fmt in formats:
        root = args.out or data_dir(DEFAULT_DATA, fmt, args.rows, args.seed, args.object_rows)
        if args.force:
            generated = generate(root, args.rows, args.seed, fmt, workers=args.workers, object_rows=args.object_rows)
            fresh = True
        else:
            generated, fresh = ensure_generated(root, args.rows, args.seed, fmt, args.object_rows)
        summary = {**generated.to_json(), "root": str(root), "cached": not fresh}
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
