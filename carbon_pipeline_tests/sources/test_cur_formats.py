"""CUR readers across formats and layouts: legacy CUR as gzip, ZIP and plain CSV and as Athena Parquet,
CUR 2.0 as Parquet with native or JSON-text maps and as gzip CSV, and the carbon export's Parquet objects
and empty months. Real samples where they exist (fixtures/cur/SOURCES.md); the expected figures are
computed independently, with Python's csv module, pyarrow and Decimal, never with the reader's own SQL."""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.quality import suite_process
from carbon_pipeline.runner import failure_messages, run_inventory
from carbon_pipeline.sources.aws_carbon import reader as aws_carbon
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.aws_cur2 import reader as aws_cur2
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.sources.tabular import athena_name
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.conftest import settings_under

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cur"
DAILY = FIXTURES / "focus_converters_anonymized_cur_2023-11_daily.csv"
KOKU_REPORT = FIXTURES / "koku_my_prefix_bucket" / "my-prefix" / "my-report"
KOKU_ASSEMBLY = "861af42f-713c-4a42-9562-9158a7625630"
NOK_TAGS = FIXTURES / "koku_cur_2023-06-01_costcategory_tags.csv"
ATHENA_CSV = FIXTURES / "koku_cur_2022-07-01_athena_snake_case_columns.csv"
CUR2_SAMPLE = FIXTURES / "cur-anon_sample_cur2_10rows.parquet"
CUR2_SAMPLE_CSV = FIXTURES / "cur-anon_sample_cur2_10rows.csv"
NOVEMBER = date(2023, 11, 1)
COST_SCALE = Decimal("1e-10")  # unblended_cost is DECIMAL(38, 10)


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def load(con: duckdb.DuckDBPyConnection, module, source: SourceConfig, month: date) -> LoadSummary:
    with transaction(con):
        return module.load_month(con, LocalLanding(source.id, Path(source.uri)), source, month)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def decimal_cost(text: str) -> Decimal:
    """A cost as DECIMAL(38, 10) stores it: rounded half away from zero to 10 places."""
    return Decimal(text).quantize(COST_SCALE, rounding=ROUND_HALF_UP) if text else Decimal(0)


def in_month(timestamp: str, month: date) -> bool:
    instant = datetime.fromisoformat(timestamp).replace(tzinfo=None)
    return (
        datetime(month.year, month.month, 1) <= instant < datetime(next_month(month).year, next_month(month).month, 1)
    )


# --------------------------------------------------------------------------------------------------
# Totals: the independent side (csv module) and the stored side (raw tables)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    rows: int
    cost: dict[str, Decimal]
    usage: float
    regions: Counter
    outside_period: int


def csv_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def legacy_csv_totals(rows: list[dict[str, str]], month: date, cost=decimal_cost) -> Totals:
    costs: dict[str, Decimal] = {}
    for row in rows:
        currency = row.get("lineItem/CurrencyCode") or "USD"
        costs[currency] = costs.get(currency, Decimal(0)) + cost(row["lineItem/UnblendedCost"])
    return Totals(
        rows=len(rows),
        cost=costs,
        usage=math.fsum(float(r["lineItem/UsageAmount"] or 0) for r in rows),
        regions=Counter(r.get("product/regionCode") or r.get("product/region") or None for r in rows),
        outside_period=sum(not in_month(r["lineItem/UsageStartDate"], month) for r in rows),
    )


def stored_totals(con: duckdb.DuckDBPyConnection, table: str) -> Totals:
    rows, usage, outside = con.execute(
        f"SELECT COUNT(*), SUM(usage_amount), COUNT(*) FILTER (WHERE flag = 'usage_outside_billing_period') "
        f"FROM {table}"
    ).fetchall()[0]
    return Totals(
        rows=rows,
        cost=dict(con.execute(f"SELECT currency, SUM(unblended_cost) FROM {table} GROUP BY ALL").fetchall()),
        usage=usage or 0.0,
        regions=Counter(dict(con.execute(f"SELECT region_code, COUNT(*) FROM {table} GROUP BY ALL").fetchall())),
        outside_period=outside,
    )


def assert_same_totals(stored: Totals, expected: Totals) -> None:
    assert stored.rows == expected.rows
    assert stored.cost == expected.cost
    assert stored.usage == pytest.approx(expected.usage, rel=1e-12)
    assert stored.regions == expected.regions
    assert stored.outside_period == expected.outside_period


# --------------------------------------------------------------------------------------------------
# Legacy CUR layouts, built in a temporary bucket-like folder
# --------------------------------------------------------------------------------------------------


def zipped(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, content)
    return buffer.getvalue()


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="snappy")
    return sink.getvalue()


def legacy_report(
    root: Path,
    month: date,
    objects: dict[str, bytes],
    *,
    layout: str,
    name: str = "acme-cur",
    assembly_id: str = "assembly-1",
    compression: str = "GZIP",
) -> SourceConfig:
    """A legacy CUR report folder in one of AWS's three layouts: ``create_new`` (objects in an assemblyId
    folder, manifest copied there), ``overwrite`` (objects in the period folder) or ``parquet`` (Athena:
    ``<report>/year=/month=`` with the manifest beside the objects)."""
    report = root / "cur-bucket" / "prefix" / name
    end = next_month(month)
    folder = f"{name}/year={month.year}/month={month.month}" if layout == "parquet" else f"{month:%Y%m%d}-{end:%Y%m%d}"
    data_folder = f"{folder}/{assembly_id}" if layout == "create_new" else folder
    (report / data_folder).mkdir(parents=True, exist_ok=True)
    for file_name, content in objects.items():
        (report / data_folder / file_name).write_bytes(content)
    manifest = {
        "assemblyId": assembly_id,
        "account": "123412340534",
        "billingPeriod": {"start": f"{month:%Y%m%d}T000000.000Z", "end": f"{end:%Y%m%d}T000000.000Z"},
        "bucket": "cur-bucket",
        "compression": compression,
        "contentType": "Parquet" if layout == "parquet" else "text/csv",
        "reportName": name,
        "reportKeys": [f"prefix/{name}/{data_folder}/{file_name}" for file_name in objects],
    }
    for where in {folder, data_folder}:
        (report / where / f"{name}-Manifest.json").write_text(json.dumps(manifest))
    return SourceConfig(id=name, kind="aws_cur", uri=str(report))


def athena_parquet(csv_path: Path) -> pa.Table:
    """The CSV as AWS's Parquet/Athena layout has it: snake_case names, and the columns typed the way
    pyarrow infers them from the text (int64 account ids, UTC timestamps, double costs)."""
    table = pa_csv.read_csv(csv_path)
    return table.rename_columns([athena_name(c) for c in table.column_names])


# The CSV layouts AWS writes, and the compressions it offers for CSV (ZIP, GZIP) plus an uncompressed copy.
CSV_LAYOUTS = pytest.mark.parametrize(
    ("layout", "file_name", "encode"),
    [
        ("create_new", "acme-cur-1.csv.gz", gzip.compress),
        ("overwrite", "acme-cur-1.csv.gz", gzip.compress),
        ("create_new", "acme-cur-1.csv.zip", lambda content: zipped("acme-cur-1.csv", content)),
        ("overwrite", "acme-cur-1.csv.zip", lambda content: zipped("acme-cur-1.csv", content)),
        ("overwrite", "acme-cur-1.csv", lambda content: content),
    ],
    ids=["create_new-gzip", "overwrite-gzip", "create_new-zip", "overwrite-zip", "overwrite-plain"],
)


@CSV_LAYOUTS
def test_a_real_daily_cur_loads_every_row_with_exact_cost_per_currency_in_every_csv_layout_and_compression(
    con, tmp_path, layout, file_name, encode
):
    source = legacy_report(tmp_path, NOVEMBER, {file_name: encode(DAILY.read_bytes())}, layout=layout)

    summary = load(con, aws_cur, source, NOVEMBER)

    expected = legacy_csv_totals(csv_rows(DAILY), NOVEMBER)
    assert summary.rows == expected.rows == 1281
    assert_same_totals(stored_totals(con, "raw.aws_cur_line_items"), expected)
    # the empty product/regionCode of 472 rows falls back to product/region; 12 tax rows have neither
    assert expected.regions[None] == 12
    assert con.execute("SELECT MIN(object_line), MAX(object_line) FROM raw.aws_cur_line_items").fetchall() == [
        (2, 1282)
    ]
    assert con.execute("SELECT source_kind, delivery_id, object_count, row_count FROM raw.deliveries").fetchall() == [
        ("aws_cur", "assembly-1", 1, 1281)
    ]


def test_the_zip_member_extracted_for_reading_is_deleted_afterwards_even_when_the_object_is_refused(con, tmp_path):
    rows = csv_rows(DAILY)[:5]
    rows[2]["lineItem/UnblendedCost"] = "1.2.3"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    good = legacy_report(
        tmp_path / "good", NOVEMBER, {"r-1.csv.zip": zipped("r-1.csv", DAILY.read_bytes())}, layout="overwrite"
    )
    bad = legacy_report(
        tmp_path / "bad", NOVEMBER, {"r-1.csv.zip": zipped("r-1.csv", text.getvalue().encode())}, layout="overwrite"
    )
    before = {p for p in tmp_path.rglob("*") if p.is_file()}

    load(con, aws_cur, good, NOVEMBER)
    with pytest.raises(SourceError, match=r"row 4, column 'lineItem/UnblendedCost': value '1.2.3' is not usable"):
        load(con, aws_cur, bad, NOVEMBER)

    assert {p for p in tmp_path.rglob("*") if p.is_file()} == before


def test_the_athena_parquet_layout_with_typed_columns_reads_the_same_totals_as_the_csv(con, tmp_path):
    table = athena_parquet(DAILY)
    assert table.schema.field("line_item_usage_account_id").type == pa.int64()  # typed, as promised
    assert pa.types.is_timestamp(table.schema.field("line_item_usage_start_date").type)
    chunks = {
        "acme-cur-00001.snappy.parquet": parquet_bytes(table.slice(0, 700)),
        "acme-cur-00002.snappy.parquet": parquet_bytes(table.slice(700)),
    }
    source = legacy_report(tmp_path, NOVEMBER, chunks, layout="parquet", compression="Parquet")
    landing = LocalLanding(source.id, Path(source.uri))

    assert aws_cur.available_months(landing, source) == [NOVEMBER]
    summary = load(con, aws_cur, source, NOVEMBER)

    # a double cost reaches the table through its shortest text form, as Python's repr writes it
    expected = legacy_csv_totals(csv_rows(DAILY), NOVEMBER, cost=lambda t: decimal_cost(repr(float(t))))
    assert summary.rows == 1281
    assert_same_totals(stored_totals(con, "raw.aws_cur_line_items"), expected)
    first, last = con.execute(
        "SELECT MIN(usage_start), MAX(usage_start), COUNT(DISTINCT object_key) FROM raw.aws_cur_line_items"
    ).fetchall()[0][:2]
    starts = sorted(datetime.fromisoformat(r["lineItem/UsageStartDate"]).replace(tzinfo=None) for r in csv_rows(DAILY))
    assert (first, last) == (starts[0], starts[-1])
    accounts = {a for (a,) in con.execute("SELECT DISTINCT usage_account_id FROM raw.aws_cur_line_items").fetchall()}
    assert accounts == {r["lineItem/UsageAccountId"] for r in csv_rows(DAILY)}
    assert con.execute(
        "SELECT object_key, MIN(object_line), COUNT(*) FROM raw.aws_cur_line_items GROUP BY 1 ORDER BY 1"
    ).fetchall() == [
        ("acme-cur/year=2023/month=11/acme-cur-00001.snappy.parquet", 1, 700),
        ("acme-cur/year=2023/month=11/acme-cur-00002.snappy.parquet", 1, 581),
    ]


def test_the_koku_bucket_sample_is_read_by_its_period_manifest_despite_a_merged_header_and_a_short_column_list(con):
    source = SourceConfig(id="koku", kind="aws_cur", uri=str(KOKU_REPORT))
    data = KOKU_REPORT / "20180801-20180901" / KOKU_ASSEMBLY / "my-report-1.csv.gz"
    manifest = json.loads((KOKU_REPORT / "20180801-20180901" / "my-report-Manifest.json").read_text())
    rows = csv_rows(data)
    # the sample's quirks, checked on the file itself
    assert len(manifest["columns"]) == 57 and len(rows[0]) == 130
    assert "pricing/OfferingClasspricing/PurchaseOption" in rows[0]
    assert "product/region" not in rows[0] and "product/regionCode" not in rows[0]

    summary = load(con, aws_cur, source, date(2018, 8, 1))

    assert summary.delivery == KOKU_ASSEMBLY and summary.superseded == 0
    assert_same_totals(stored_totals(con, "raw.aws_cur_line_items"), legacy_csv_totals(rows, date(2018, 8, 1)))
    units = dict(con.execute("SELECT pricing_unit, COUNT(*) FROM raw.aws_cur_line_items GROUP BY ALL").fetchall())
    assert units == Counter(r["pricing/unit"] for r in rows)
    vcpus = con.execute("SELECT COUNT(vcpu), SUM(vcpu) FROM raw.aws_cur_line_items").fetchall()
    assert vcpus == [(sum(1 for r in rows if r["product/vcpu"]), sum(int(r["product/vcpu"] or 0) for r in rows))]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


HEADER = [
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/UsageAmount",
    "lineItem/UnblendedCost",
    "pricing/unit",
]


def test_timestamps_in_the_three_real_formats_are_the_same_utc_instant_and_rows_outside_the_period_are_flagged(
    con, tmp_path
):
    lines = [
        ["123456789012", "Usage", "AmazonS3", "TimedStorage", start, "", "1", "0.5", "GB-Mo"]
        for start in (
            "2023-11-01T00:00:00Z",
            "2023-11-01T00:00:00.000Z",
            "2023-11-01 00:00:00",
            "2023-10-31T23:00:00Z",
            "2023-12-01T00:00:00.000Z",
        )
    ]
    write_csv(tmp_path / "r.csv", HEADER, lines)
    source = legacy_report(tmp_path, NOVEMBER, {"r-1.csv": (tmp_path / "r.csv").read_bytes()}, layout="overwrite")

    load(con, aws_cur, source, NOVEMBER)

    assert con.execute("SELECT object_line, usage_start, flag FROM raw.aws_cur_line_items ORDER BY 1").fetchall() == [
        (2, datetime(2023, 11, 1), None),
        (3, datetime(2023, 11, 1), None),
        (4, datetime(2023, 11, 1), None),
        (5, datetime(2023, 10, 31, 23), "usage_outside_billing_period"),
        (6, datetime(2023, 12, 1), "usage_outside_billing_period"),
    ]


@pytest.mark.parametrize(
    ("granularity", "start", "end"),
    [
        ("hourly", "2023-11-05T13:00:00Z", "2023-11-05T14:00:00Z"),
        ("daily", "2023-11-05T00:00:00Z", "2023-11-06T00:00:00Z"),
        ("monthly", "2023-11-01T00:00:00Z", "2023-12-01T00:00:00Z"),
    ],
)
def test_hourly_daily_and_monthly_line_items_all_belong_to_their_billing_period(con, tmp_path, granularity, start, end):
    lines = [["123456789012", "Usage", "AmazonEC2", "BoxUsage:m5.large", start, end, "720", "69.12", "Hrs"]]
    write_csv(tmp_path / "r.csv", HEADER, lines)
    source = legacy_report(
        tmp_path, NOVEMBER, {"r-1.csv.gz": gzip.compress((tmp_path / "r.csv").read_bytes())}, layout="overwrite"
    )

    load(con, aws_cur, source, NOVEMBER)

    assert con.execute("SELECT usage_start, usage_end, flag FROM raw.aws_cur_line_items").fetchall() == [
        (datetime.fromisoformat(start).replace(tzinfo=None), datetime.fromisoformat(end).replace(tzinfo=None), None)
    ]


def test_a_header_of_cost_category_and_extra_columns_loads_and_a_non_usd_currency_is_kept(con, tmp_path):
    rows = csv_rows(NOK_TAGS)
    # 7 costCategory/* (kept as a map: test_billing_fidelity.py) and 13 tag columns the fixture spells
    # noTags/user:* (not a CUR category: ignored), one with a space in its name
    assert (
        sum(c.startswith("costCategory/") for c in rows[0]) == 7 and sum(c.startswith("noTags/") for c in rows[0]) == 13
    )
    source = legacy_report(tmp_path, date(2023, 6, 1), {"r-1.csv": NOK_TAGS.read_bytes()}, layout="overwrite")

    load(con, aws_cur, source, date(2023, 6, 1))

    assert_same_totals(stored_totals(con, "raw.aws_cur_line_items"), legacy_csv_totals(rows, date(2023, 6, 1)))
    assert con.execute(
        "SELECT DISTINCT currency, line_item_type, region_code, instance_type, vcpu FROM raw.aws_cur_line_items"
    ).fetchall() == [("NOK", "SavingsPlanCoveredUsage", "us-west-1", "m5.large", 2)]


def test_a_csv_written_with_athena_names_reads_like_one_with_csv_headers(con, tmp_path):
    rows = csv_rows(ATHENA_CSV)
    source = legacy_report(tmp_path, date(2022, 7, 1), {"r-1.csv": ATHENA_CSV.read_bytes()}, layout="overwrite")

    load(con, aws_cur, source, date(2022, 7, 1))

    assert con.execute(
        "SELECT usage_account_id, usage_start, usage_amount, region_code, currency FROM raw.aws_cur_line_items "
        "ORDER BY object_line"
    ).fetchall() == [
        (
            r["line_item_usage_account_id"],
            datetime.fromisoformat(r["line_item_usage_start_date"]),
            1.0,
            "us-east-1",
            "USD",
        )
        for r in rows
    ]


# Malformed legacy objects: each refusal names the source, the object and, where there is one, row and column.


def test_a_zip_object_holding_two_files_is_refused_naming_the_object(con, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", "x\n")
        archive.writestr("b.csv", "y\n")
    source = legacy_report(tmp_path, NOVEMBER, {"acme-cur-1.csv.zip": buffer.getvalue()}, layout="create_new")

    with pytest.raises(
        SourceError,
        match=r"source 'acme-cur', object '20231101-20231201/assembly-1/acme-cur-1.csv.zip': "
        r"a CUR ZIP object holds exactly one CSV file, this one holds 2 \(a.csv, b.csv\)",
    ):
        load(con, aws_cur, source, NOVEMBER)


def test_an_object_named_zip_that_is_not_one_is_refused_naming_the_object(con, tmp_path):
    source = legacy_report(tmp_path, NOVEMBER, {"acme-cur-1.csv.zip": gzip.compress(b"a,b\n")}, layout="overwrite")

    with pytest.raises(SourceError, match=r"object '20231101-20231201/acme-cur-1.csv.zip': cannot be read as ZIP"):
        load(con, aws_cur, source, NOVEMBER)


def test_a_truncated_gzip_object_is_refused_naming_the_object_and_nothing_is_written(con, tmp_path):
    content = gzip.compress(DAILY.read_bytes())
    source = legacy_report(tmp_path, NOVEMBER, {"acme-cur-1.csv.gz": content[: len(content) // 2]}, layout="overwrite")

    with pytest.raises(
        SourceError, match=r"source 'acme-cur', object '20231101-20231201/acme-cur-1.csv.gz': cannot be read"
    ):
        load(con, aws_cur, source, NOVEMBER)
    assert con.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]


def test_an_unusable_parquet_value_names_its_row_and_the_parquet_column(con, tmp_path):
    table = athena_parquet(DAILY).slice(0, 10)
    costs = [str(v) for v in table.column("line_item_unblended_cost").to_pylist()]
    costs[6] = "n/a"
    table = table.set_column(
        table.column_names.index("line_item_unblended_cost"), "line_item_unblended_cost", pa.array(costs)
    )
    source = legacy_report(
        tmp_path, NOVEMBER, {"acme-cur-00001.snappy.parquet": parquet_bytes(table)}, layout="parquet"
    )

    with pytest.raises(
        SourceError,
        match=r"object 'acme-cur/year=2023/month=11/acme-cur-00001.snappy.parquet', row 7, "
        r"column 'line_item_unblended_cost': value 'n/a' is not usable",
    ):
        load(con, aws_cur, source, NOVEMBER)


def test_a_parquet_object_without_a_required_column_names_the_column(con, tmp_path):
    table = athena_parquet(DAILY).slice(0, 10).drop_columns(["line_item_usage_amount"])
    source = legacy_report(
        tmp_path, NOVEMBER, {"acme-cur-00001.snappy.parquet": parquet_bytes(table)}, layout="parquet"
    )

    with pytest.raises(SourceError, match=r"row 1, column 'line_item_usage_amount': required column missing"):
        load(con, aws_cur, source, NOVEMBER)


def test_an_object_of_an_unknown_type_and_an_unknown_compression_are_refused(con, tmp_path):
    unknown_type = legacy_report(tmp_path / "a", NOVEMBER, {"acme-cur-1.json": b"{}"}, layout="overwrite")
    with pytest.raises(SourceError, match=r"object '20231101-20231201/acme-cur-1.json': unsupported object type"):
        load(con, aws_cur, unknown_type, NOVEMBER)

    unknown_compression = legacy_report(
        tmp_path / "b", NOVEMBER, {"acme-cur-1.csv.bz2": b""}, layout="overwrite", compression="BZIP2"
    )
    with pytest.raises(SourceError, match=r"object '20231101-20231201/acme-cur-Manifest.json': compression 'BZIP2'"):
        load(con, aws_cur, unknown_compression, NOVEMBER)


# --------------------------------------------------------------------------------------------------
# CUR 2.0 (Data Exports)
# --------------------------------------------------------------------------------------------------

MARCH = date(2025, 3, 1)


@dataclass(frozen=True)
class Cur2Row:
    account: str
    line_item_type: str
    product_code: str
    usage_type: str
    unit: str
    amount: float
    cost: str
    currency: str
    start: datetime
    region_code: str
    product: dict[str, str]
    instance_type: str
    tags: dict[str, str]


# fmt: off
CUR2_ROWS = [
    # region from product_region_code; vCPU and region also in the product map; an account id with a leading zero
    Cur2Row("012345678901", "Usage", "AmazonEC2", "USE1-BoxUsage:m5.large", "Hrs", 744.0, "71.424", "USD",
            datetime(2025, 3, 1, tzinfo=UTC), "us-east-1", {"region": "us-east-1", "vcpu": "2"}, "m5.large",
            {"user_project": "alpha", "user_environment": "prod"}),
    # empty product_region_code: the region comes from product['region']; another currency
    Cur2Row("012345678901", "Usage", "AmazonEC2", "EUC1-BoxUsage:c6g.xlarge", "Hrs", 10.5, "1.428", "EUR",
            datetime(2025, 3, 14, 9, tzinfo=UTC), "", {"region": "eu-central-1", "vcpu": "4"}, "c6g.xlarge", {}),
    Cur2Row("210987654321", "Usage", "AmazonS3", "TimedStorage-ByteHrs", "GB-Mo", 1234.5678, "28.3950594", "USD",
            datetime(2025, 3, 2, tzinfo=UTC), "us-west-2", {"region": "us-west-2"}, "", {"user_project": "beta"}),
    # a tax line: no product attributes at all
    Cur2Row("210987654321", "Tax", "AmazonS3", "", "", 0.0, "2.27", "USD",
            datetime(2025, 3, 1, tzinfo=UTC), "", {}, "", {}),
    # usage that started in the previous month: kept, flagged
    Cur2Row("210987654321", "Usage", "AWSLambda", "USE1-Lambda-GB-Second", "Lambda-GB-Second", 3600.0, "0.06000012",
            "USD", datetime(2025, 2, 28, 23, tzinfo=UTC), "us-east-1", {"region": "us-east-1"}, "", {}),
]
# fmt: on


def cur2_table(rows: list[Cur2Row], *, native: bool) -> pa.Table:
    """CUR 2.0 rows as a native export writes them (string ids, ``map<string,string>`` maps) or as copies
    do (int64 ids, maps as JSON text, as in the public sample)."""

    def maps(values: list[dict[str, str]]) -> pa.Array:
        if native:
            return pa.array([list(v.items()) for v in values], pa.map_(pa.string(), pa.string()))
        return pa.array([json.dumps(v) for v in values])

    accounts = [r.account for r in rows]
    return pa.table(
        {
            "bill_payer_account_id": pa.array(["999988887777"] * len(rows))
            if native
            else pa.array([999988887777] * len(rows)),
            "line_item_usage_account_id": pa.array(accounts) if native else pa.array([int(a) for a in accounts]),
            "line_item_line_item_type": [r.line_item_type for r in rows],
            "line_item_product_code": [r.product_code for r in rows],
            "line_item_usage_type": [r.usage_type for r in rows],
            "line_item_usage_start_date": pa.array([r.start for r in rows], pa.timestamp("us", "UTC")),
            "line_item_usage_amount": pa.array([r.amount for r in rows], pa.float64()),
            "line_item_unblended_cost": pa.array([float(r.cost) for r in rows], pa.float64()),
            "line_item_currency_code": [r.currency for r in rows],
            "pricing_unit": [r.unit for r in rows],
            "product": maps([r.product for r in rows]),
            "product_instance_type": [r.instance_type for r in rows],
            "product_region_code": [r.region_code for r in rows],
            "resource_tags": maps([r.tags for r in rows]),
        }
    )


def cur2_csv_gz(rows: list[Cur2Row]) -> bytes:
    """The same rows as a CUR 2.0 gzip CSV export: every value text, maps as JSON."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(cur2_table(rows, native=False).column_names)
    for r in rows:
        start = r.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.writerow(
            ["999988887777", r.account, r.line_item_type, r.product_code, r.usage_type, start, repr(r.amount), r.cost]
            + [r.currency, r.unit, json.dumps(r.product), r.instance_type, r.region_code, json.dumps(r.tags)]
        )
    return gzip.compress(text.getvalue().encode())


def cur2_export(
    root: Path,
    month: date,
    objects: dict[str, bytes],
    *,
    listed: list[str] | None = None,
    execution_id: str = "exec-1",
    execution_folder: str | None = None,
    name: str = "acme-cur2",
) -> SourceConfig:
    """A Data Exports CUR 2.0 folder: objects under ``data/BILLING_PERIOD=YYYY-MM/`` (in an execution
    folder in create-new mode), the overwritten manifest under ``metadata/BILLING_PERIOD=YYYY-MM/`` listing
    ``listed`` (default: every object) as full s3:// URIs, and in create-new mode a per-execution copy."""
    export = root / "exports" / name
    period = f"BILLING_PERIOD={month:%Y-%m}"
    data = f"data/{period}" + (f"/{execution_folder}" if execution_folder else "")
    (export / data).mkdir(parents=True, exist_ok=True)
    for file_name, content in objects.items():
        (export / data / file_name).write_bytes(content)
    manifest = {
        "executionId": execution_id,
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:999988887777:export/{name}-1a2b3c",
        "dataFiles": [f"s3://bucket/exports/{name}/{data}/{f}" for f in (listed if listed is not None else objects)],
    }
    metadata = export / "metadata" / period
    metadata.mkdir(parents=True, exist_ok=True)
    (metadata / f"{name}-Manifest.json").write_text(json.dumps(manifest))
    if execution_folder:
        (metadata / execution_folder).mkdir(exist_ok=True)
        (metadata / execution_folder / f"{name}-Manifest.json").write_text(json.dumps(manifest))
    return SourceConfig(id=name, kind="aws_cur2", uri=str(export))


def expected_cur2(rows: list[Cur2Row], month: date, first_line: int) -> list[tuple]:
    """What raw.aws_cur2_line_items must hold for ``rows``, computed here from the Python values."""
    return [
        (
            first_line + i,
            r.account,
            "999988887777",
            r.region_code or r.product.get("region"),
            int(r.product["vcpu"]) if "vcpu" in r.product else None,
            r.tags or None,
            decimal_cost(r.cost),
            r.currency,
            r.amount,
            r.start.replace(tzinfo=None),
            None if in_month(r.start.isoformat(), month) else "usage_outside_billing_period",
        )
        for i, r in enumerate(rows)
    ]


def stored_cur2(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    rows = con.execute(
        """SELECT object_line, usage_account_id, payer_account_id, region_code, vcpu, resource_tags,
                  unblended_cost, currency, usage_amount, usage_start, flag
           FROM raw.aws_cur2_line_items ORDER BY object_key, object_line"""
    ).fetchall()
    return [(*r[:5], json.loads(r[5]) if r[5] else None, *r[6:]) for r in rows]


@pytest.mark.parametrize(
    ("file_name", "encode", "first_line"),
    [
        ("acme-cur2-00001.snappy.parquet", lambda rows: parquet_bytes(cur2_table(rows, native=True)), 1),
        ("acme-cur2-00001.snappy.parquet", lambda rows: parquet_bytes(cur2_table(rows, native=False)), 1),
        ("acme-cur2-00001.csv.gz", cur2_csv_gz, 2),
    ],
    ids=["parquet-native-maps-string-ids", "parquet-json-maps-int64-ids", "csv-gz-json-maps"],
)
def test_cur2_objects_give_the_same_rows_whether_maps_are_native_or_json_and_ids_strings_or_int64(
    con, tmp_path, file_name, encode, first_line
):
    source = cur2_export(tmp_path, MARCH, {file_name: encode(CUR2_ROWS)})

    summary = load(con, aws_cur2, source, MARCH)

    assert summary.rows == len(CUR2_ROWS)
    assert stored_cur2(con) == expected_cur2(CUR2_ROWS, MARCH, first_line)
    assert con.execute("SELECT DISTINCT assembly_id, object_key FROM raw.aws_cur2_line_items").fetchall() == [
        ("exec-1", f"data/BILLING_PERIOD=2025-03/{file_name}")
    ]
    assert con.execute(
        "SELECT source_kind, delivery_id, manifest_key, object_count, row_count, status FROM raw.deliveries"
    ).fetchall() == [
        ("aws_cur2", "exec-1", "metadata/BILLING_PERIOD=2025-03/acme-cur2-Manifest.json", 1, len(CUR2_ROWS), "loaded")
    ]


def test_a_native_export_really_has_map_columns_and_the_json_copy_text_ones():
    native = pq.read_schema(io.BytesIO(parquet_bytes(cur2_table(CUR2_ROWS, native=True))))
    copy = pq.read_schema(io.BytesIO(parquet_bytes(cur2_table(CUR2_ROWS, native=False))))
    assert pa.types.is_map(native.field("product").type) and pa.types.is_map(native.field("resource_tags").type)
    assert copy.field("product").type == pa.string() and copy.field("line_item_usage_account_id").type == pa.int64()


def test_cur2_reads_only_the_chunks_its_manifest_lists_and_ignores_a_leftover_empty_chunk(con, tmp_path):
    empty = cur2_table(CUR2_ROWS, native=True).slice(0, 0)
    objects = {
        "acme-cur2-00001.snappy.parquet": parquet_bytes(cur2_table(CUR2_ROWS[:2], native=True)),
        "acme-cur2-00002.snappy.parquet": parquet_bytes(cur2_table(CUR2_ROWS[2:], native=True)),
        "acme-cur2-00003.snappy.parquet": parquet_bytes(empty),  # left over from a refresh with three chunks
    }
    source = cur2_export(
        tmp_path, MARCH, objects, listed=["acme-cur2-00001.snappy.parquet", "acme-cur2-00002.snappy.parquet"]
    )
    landing = LocalLanding(source.id, Path(source.uri))

    assert aws_cur2.available_months(landing, source) == [MARCH]
    assert aws_cur2.delivery_identity(landing, source, MARCH) == "exec-1"
    summary = load(con, aws_cur2, source, MARCH)

    assert summary.objects == 2 and summary.rows == len(CUR2_ROWS)
    assert con.execute("SELECT object_key, COUNT(*) FROM raw.aws_cur2_line_items GROUP BY 1 ORDER BY 1").fetchall() == [
        ("data/BILLING_PERIOD=2025-03/acme-cur2-00001.snappy.parquet", 2),
        ("data/BILLING_PERIOD=2025-03/acme-cur2-00002.snappy.parquet", 3),
    ]
    costs = dict(
        con.execute("SELECT currency, SUM(unblended_cost) FROM raw.aws_cur2_line_items GROUP BY ALL").fetchall()
    )
    assert costs == {
        "USD": sum(decimal_cost(r.cost) for r in CUR2_ROWS if r.currency == "USD"),
        "EUR": decimal_cost("1.428"),
    }


def test_cur2_create_new_mode_reads_the_current_execution_and_records_the_earlier_one_as_superseded(con, tmp_path):
    older = cur2_export(
        tmp_path,
        MARCH,
        {"acme-cur2-00001.snappy.parquet": parquet_bytes(cur2_table(CUR2_ROWS[:1], native=True))},
        execution_id="exec-1",
        execution_folder="20250302T010203Z-exec-1",
    )
    load(con, aws_cur2, older, MARCH)
    current = cur2_export(
        tmp_path,
        MARCH,
        {"acme-cur2-00001.snappy.parquet": parquet_bytes(cur2_table(CUR2_ROWS, native=True))},
        execution_id="exec-2",
        execution_folder="20250303T010203Z-exec-2",
    )

    summary = load(con, aws_cur2, current, MARCH)

    assert summary.rows == len(CUR2_ROWS) and summary.restated is True
    assert con.execute("SELECT DISTINCT object_key FROM raw.aws_cur2_line_items").fetchall() == [
        ("data/BILLING_PERIOD=2025-03/20250303T010203Z-exec-2/acme-cur2-00001.snappy.parquet",)
    ]
    assert con.execute("SELECT delivery_id, status, manifest_key FROM raw.deliveries ORDER BY 1").fetchall() == [
        ("exec-1", "superseded", "metadata/BILLING_PERIOD=2025-03/20250302T010203Z-exec-1/acme-cur2-Manifest.json"),
        ("exec-2", "loaded", "metadata/BILLING_PERIOD=2025-03/acme-cur2-Manifest.json"),
    ]
    assert con.execute("SELECT previous_identity, new_identity FROM audit.restatements").fetchall() == [
        ("exec-1", "exec-2")
    ]


def test_the_public_cur2_sample_loads_all_rows_with_12_digit_ids_and_flags_the_rows_of_other_months(con, tmp_path):
    january = date(2024, 1, 1)
    source = cur2_export(tmp_path, january, {"sample-00001.snappy.parquet": CUR2_SAMPLE.read_bytes()}, name="sample")
    expected = pq.read_table(CUR2_SAMPLE).to_pylist()  # the independent side: pyarrow's reading of the sample

    load(con, aws_cur2, source, january)

    stored = con.execute(
        """SELECT object_line, usage_account_id, payer_account_id, region_code, vcpu, unblended_cost, usage_amount,
                  resource_tags, flag
           FROM raw.aws_cur2_line_items ORDER BY object_line"""
    ).fetchall()
    assert stored == [
        (
            i + 1,
            f"{r['line_item_usage_account_id']:012d}",
            f"{r['bill_payer_account_id']:012d}",
            r["product_region_code"],
            None,  # the sample's product column is "EC2", not a map: no vCPU, and no error
            decimal_cost(repr(r["line_item_unblended_cost"])),
            float(r["line_item_usage_amount"]),
            r["resource_tags"],
            None if r["line_item_usage_start_date"].month == 1 else "usage_outside_billing_period",
        )
        for i, r in enumerate(expected)
    ]
    assert sum(1 for row in stored if row[-1]) == 9


def test_the_public_cur2_csv_sample_whose_header_is_one_name_short_is_refused_not_read_from_its_second_line(
    con, tmp_path
):
    with CUR2_SAMPLE_CSV.open(newline="") as handle:
        assert [len(fields) for fields in csv.reader(handle)] == [125] + [126] * 10  # the sample's own defect
    source = cur2_export(tmp_path, date(2024, 1, 1), {"sample-00001.csv": CUR2_SAMPLE_CSV.read_bytes()}, name="sample")

    with pytest.raises(
        SourceError,
        match=r"source 'sample', object 'data/BILLING_PERIOD=2024-01/sample-00001.csv': cannot be read as CSV",
    ):
        load(con, aws_cur2, source, date(2024, 1, 1))


def test_a_legacy_csv_whose_header_is_one_name_short_is_refused_rather_than_losing_its_first_row(con, tmp_path):
    write_csv(
        tmp_path / "r.csv",
        HEADER[:-1],
        [["123456789012", "Usage", "AmazonS3", "x", "2023-11-01T00:00:00Z", "", "1", "0.5", "GB-Mo"]] * 3,
    )
    source = legacy_report(tmp_path, NOVEMBER, {"r-1.csv": (tmp_path / "r.csv").read_bytes()}, layout="overwrite")

    with pytest.raises(SourceError, match=r"source 'acme-cur', object '20231101-20231201/r-1.csv', row 1"):
        load(con, aws_cur, source, NOVEMBER)
    assert con.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]


ROW = ["123456789012", "Usage", "AmazonS3", "x", "2023-11-01T00:00:00Z", "", "1", "0.5", "GB-Mo"]


def _objects(tmp_path: Path, rows_per_object: list[list[list[str]]]) -> dict[str, bytes]:
    objects = {}
    for number, rows in enumerate(rows_per_object, start=1):
        write_csv(tmp_path / f"r{number}.csv", HEADER, rows)
        objects[f"r-{number}.csv.gz"] = gzip.compress((tmp_path / f"r{number}.csv").read_bytes())
    return objects


def test_the_objects_of_a_delivery_read_in_one_statement_keep_each_rows_own_object_and_line(con, tmp_path):
    # objects of a delivery are staged by one statement whose parts run in parallel (insertion order off):
    # every row must still carry its own object and line, and each object's count is checked from them
    rows = [[[*ROW[:6], str(n), str(n / 2), "GB-Mo"] for n in range(count)] for count in (5, 1, 3)]
    source = legacy_report(tmp_path, NOVEMBER, _objects(tmp_path, rows), layout="create_new")

    summary = load(con, aws_cur, source, NOVEMBER)

    assert summary.rows == 9
    stored = con.execute(
        "SELECT object_key, object_line, usage_amount FROM raw.aws_cur_line_items ORDER BY object_key, object_line"
    ).fetchall()
    expected = [
        (f"20231101-20231201/assembly-1/r-{number}.csv.gz", line + 2, float(line))
        for number, count in enumerate((5, 1, 3), start=1)
        for line in range(count)
    ]
    assert stored == expected
    assert con.execute("SELECT object_key, line_items FROM raw.delivery_objects ORDER BY object_key").fetchall() == [
        (f"20231101-20231201/assembly-1/r-{n}.csv.gz", c) for n, c in ((1, 5), (2, 1), (3, 3))
    ]


def test_a_one_object_month_numbers_every_row_by_its_line_also_when_redelivered(con, tmp_path):
    # one CSV object copied is staged in file order without a row-number window and numbered by position
    # (aws_cur.numbered_by_position): more rows than a DuckDB row group holds, and a redelivery whose rows
    # land after the replaced month's deleted ones. That DuckDB keeps a parallel read's rows in file order
    # under preserve_insertion_order (which a test this small cannot make it break: its rows arrive in
    # order either way) is checked on every line of generated 1M- and 10M-line months by
    # benchmarks/row_numbering.py --verify (docs/performance.md, Profile 30)
    lines = 130_000
    for assembly, scale in (("assembly-1", 1), ("assembly-2", 3)):
        rows = [[*ROW[:6], str(n * scale), "0.5", "GB-Mo"] for n in range(lines)]
        source = legacy_report(
            tmp_path / assembly, NOVEMBER, _objects(tmp_path, [rows]), layout="create_new", assembly_id=assembly
        )

        assert load(con, aws_cur, source, NOVEMBER).rows == lines
        assert con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE object_line <> usage_amount / {scale} + 2),
                       min(object_line), max(object_line)
                FROM raw.aws_cur_line_items"""
        ).fetchall() == [(lines, 0, 2, lines + 1)]
        assert con.execute("SELECT first_line, last_line FROM raw.cur_line_item_groups").fetchall() == [(2, lines + 1)]


def test_the_copied_line_item_ids_are_stored_uncompressed_and_a_repeating_column_still_compressed(con, tmp_path):
    # a line item id is a random 52-character key: DuckDB's dictionary/FSST compression spent about a second
    # of CPU per 2M rows on it for 15 % less disk (docs/performance.md, Profile 37); both raw tables say so
    legacy = legacy_report(tmp_path / "legacy", NOVEMBER, _objects(tmp_path, [[ROW[:9]] * 3]), layout="create_new")
    load(con, aws_cur, legacy, NOVEMBER)
    cur2 = cur2_export(tmp_path / "cur2", MARCH, {"a.csv.gz": cur2_csv_gz(CUR2_ROWS)})
    load(con, aws_cur2, cur2, MARCH)
    con.execute("CHECKPOINT")

    for table in ("aws_cur_line_items", "aws_cur2_line_items"):
        stored = dict(
            con.execute(
                f"""SELECT column_name, string_agg(DISTINCT compression)
                    FROM pragma_storage_info('raw.{table}')
                    WHERE segment_type = 'VARCHAR' AND column_name IN ('line_item_id', 'usage_type')
                    GROUP BY column_name"""
            ).fetchall()
        )
        assert stored == {"line_item_id": "Uncompressed", "usage_type": stored["usage_type"]}
        assert stored["usage_type"] != "Uncompressed"


def test_a_bad_cell_in_the_second_of_several_objects_names_that_object_row_and_column(con, tmp_path):
    bad = [*ROW[:7], "1.2.3", ROW[8]]
    source = legacy_report(
        tmp_path, NOVEMBER, _objects(tmp_path, [[ROW] * 4, [ROW, ROW, bad], [ROW]]), layout="overwrite"
    )

    with pytest.raises(
        SourceError,
        match=r"object '20231101-20231201/r-2.csv.gz', row 4, column 'lineItem/UnblendedCost': "
        r"value '1.2.3' is not usable",
    ):
        load(con, aws_cur, source, NOVEMBER)
    assert con.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]


# Malformed CUR 2.0 deliveries and objects.


def test_a_cur2_manifest_listing_an_object_of_another_billing_period_is_refused(con, tmp_path):
    source = cur2_export(tmp_path, MARCH, {"acme-cur2-00001.csv.gz": cur2_csv_gz(CUR2_ROWS)})
    manifest = Path(source.uri) / "metadata" / "BILLING_PERIOD=2025-03" / "acme-cur2-Manifest.json"
    february = "s3://bucket/exports/acme-cur2/data/BILLING_PERIOD=2025-02/acme-cur2-00001.csv.gz"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "dataFiles": [february]}))

    with pytest.raises(
        SourceError,
        match=r"source 'acme-cur2', object 'metadata/BILLING_PERIOD=2025-03/acme-cur2-Manifest.json': "
        r"dataFiles entry .* is not under data/BILLING_PERIOD=2025-03/",
    ):
        load(con, aws_cur2, source, MARCH)


def test_a_cur2_manifest_without_an_execution_id_is_refused(con, tmp_path):
    source = cur2_export(tmp_path, MARCH, {"acme-cur2-00001.csv.gz": cur2_csv_gz(CUR2_ROWS)})
    manifest = Path(source.uri) / "metadata" / "BILLING_PERIOD=2025-03" / "acme-cur2-Manifest.json"
    manifest.write_text(json.dumps({k: v for k, v in json.loads(manifest.read_text()).items() if k != "executionId"}))

    with pytest.raises(
        SourceError,
        match=r"object 'metadata/BILLING_PERIOD=2025-03/acme-cur2-Manifest.json': manifest has no 'executionId'",
    ):
        load(con, aws_cur2, source, MARCH)


def test_a_cur2_billing_period_without_the_named_manifest_says_to_set_export_name(con, tmp_path):
    source = cur2_export(tmp_path, MARCH, {"acme-cur2-00001.csv.gz": cur2_csv_gz(CUR2_ROWS)})
    renamed = SourceConfig(id=source.id, kind="aws_cur2", uri=source.uri, options={"export_name": "other"})

    with pytest.raises(SourceError, match=r"object 'metadata/BILLING_PERIOD=2025-03/': .*set export_name"):
        load(con, aws_cur2, renamed, MARCH)


def test_an_unusable_cur2_value_names_the_row_and_the_snake_case_column_and_writes_nothing(con, tmp_path):
    lines = gzip.decompress(cur2_csv_gz(CUR2_ROWS)).decode().splitlines(keepends=True)
    lines[3] = lines[3].replace(",1234.5678,", ",12e,", 1)
    source = cur2_export(tmp_path, MARCH, {"acme-cur2-00001.csv.gz": gzip.compress("".join(lines).encode())})

    with pytest.raises(
        SourceError,
        match=r"object 'data/BILLING_PERIOD=2025-03/acme-cur2-00001.csv.gz', row 4, "
        r"column 'line_item_usage_amount': value '12e' is not usable",
    ):
        load(con, aws_cur2, source, MARCH)
    assert con.execute("SELECT COUNT(*) FROM raw.aws_cur2_line_items").fetchall() == [(0,)]
    assert con.execute("SELECT COUNT(*) FROM raw.deliveries").fetchall() == [(0,)]


def test_a_cur2_parquet_object_without_a_required_column_names_it(con, tmp_path):
    table = cur2_table(CUR2_ROWS, native=True).drop_columns(["line_item_unblended_cost"])
    source = cur2_export(tmp_path, MARCH, {"acme-cur2-00001.snappy.parquet": parquet_bytes(table)})

    with pytest.raises(SourceError, match=r"row 1, column 'line_item_unblended_cost': required column missing"):
        load(con, aws_cur2, source, MARCH)


def test_a_sources_file_accepts_a_cur2_source(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - {id: prod-cur2, kind: aws_cur2, uri: exports/prod, export_name: prod}\n")
    (source,) = load_sources_file(path).sources
    assert (source.kind, source.options) == ("aws_cur2", {"export_name": "prod"})


# --------------------------------------------------------------------------------------------------
# Carbon export: Parquet beside CSV, empty months, the five scope columns
# --------------------------------------------------------------------------------------------------

CARBON_COLUMNS = [
    "last_refresh_timestamp", "location", "model_version", "payer_account_id", "product_code", "region_code",
    "total_lbm_emissions_unit", "total_lbm_emissions_value", "total_mbm_emissions_unit", "total_mbm_emissions_value",
    "usage_account_id", "usage_period_start", "usage_period_end",
    "total_scope_1_emissions_unit", "total_scope_1_emissions_value",
    "total_scope_2_lbm_emissions_unit", "total_scope_2_lbm_emissions_value",
    "total_scope_2_mbm_emissions_unit", "total_scope_2_mbm_emissions_value",
    "total_scope_3_lbm_emissions_unit", "total_scope_3_lbm_emissions_value",
    "total_scope_3_mbm_emissions_unit", "total_scope_3_mbm_emissions_value",
]  # fmt: skip
VALUE_NAMES = ("lbm", "mbm", "scope_1", "scope_2_lbm", "scope_2_mbm", "scope_3_lbm", "scope_3_mbm")


def carbon_values(seed: int) -> dict[str, float]:
    return {name: round(0.001 * seed * (index + 1) + 0.0000123, 7) for index, name in enumerate(VALUE_NAMES)}


def carbon_rows(count: int, offset: int = 0) -> list[dict]:
    services = ["AmazonEC2", "AmazonS3", "AWSLambda"]
    return [
        {
            "account": f"{(7 + i) % 3:012d}",
            "service": services[i % 3],
            "region": "eu-west-1" if i % 2 else "us-east-1",
            "values": carbon_values(offset + i + 1),
        }
        for i in range(count)
    ]


def carbon_parquet(rows: list[dict], month: date, *, int_ids: bool = False) -> bytes:
    columns: dict[str, pa.Array | list] = {
        "last_refresh_timestamp": pa.array([datetime(2025, 5, 21, tzinfo=UTC)] * len(rows), pa.timestamp("us", "UTC")),
        "location": ["Europe (Ireland)" if r["region"] == "eu-west-1" else "US East (N. Virginia)" for r in rows],
        "model_version": ["v3.0.0"] * len(rows),
        "payer_account_id": pa.array([int(r["account"]) for r in rows]) if int_ids else [r["account"] for r in rows],
        "product_code": [r["service"] for r in rows],
        "region_code": [r["region"] for r in rows],
        "usage_account_id": pa.array([int(r["account"]) for r in rows]) if int_ids else [r["account"] for r in rows],
        "usage_period_start": pa.array(
            [datetime(month.year, month.month, 1, tzinfo=UTC)] * len(rows), pa.timestamp("us", "UTC")
        ),
    }
    for name in VALUE_NAMES:
        columns[f"total_{name}_emissions_unit"] = ["MTCO2e"] * len(rows)
        columns[f"total_{name}_emissions_value"] = pa.array([r["values"][name] for r in rows], pa.float64())
    return parquet_bytes(pa.table(columns))


def carbon_csv_gz(rows: list[dict], month: date) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CARBON_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        line = {
            "last_refresh_timestamp": "2025-05-21T00:00:00Z", "location": "", "model_version": "v3.0.0",
            "payer_account_id": r["account"], "product_code": r["service"], "region_code": r["region"],
            "usage_account_id": r["account"], "usage_period_start": f"{month:%Y-%m-%d}T00:00:00Z",
            "usage_period_end": f"{next_month(month):%Y-%m-%d}T00:00:00Z",
        }  # fmt: skip
        for name in VALUE_NAMES:
            line[f"total_{name}_emissions_unit"] = "MTCO2e"
            line[f"total_{name}_emissions_value"] = repr(r["values"][name])
        writer.writerow(line)
    return gzip.compress(text.getvalue().encode())


def carbon_export(root: Path, month: date, objects: dict[str, bytes], name: str = "acme-carbon") -> SourceConfig:
    export = root / "exports" / name
    data = f"data/model_version=v3.0.0/usage_period={month:%Y-%m}"
    (export / data).mkdir(parents=True, exist_ok=True)
    for file_name, content in objects.items():
        (export / data / file_name).write_bytes(content)
    metadata = export / "metadata" / "model_version=v3.0.0" / f"usage_period={month:%Y-%m}"
    metadata.mkdir(parents=True, exist_ok=True)
    manifest = {"executionId": f"exec-{month:%Y%m}", "dataFiles": [f"s3://b/x/{name}/{data}/{f}" for f in objects]}
    (metadata / f"{name}-Manifest.json").write_text(json.dumps(manifest))
    return SourceConfig(id=name, kind="aws_carbon", uri=str(export))


def test_a_carbon_export_month_with_parquet_beside_csv_loads_both_with_every_scope_column(con, tmp_path):
    april = date(2025, 4, 1)
    csv_part, parquet_part = carbon_rows(4), carbon_rows(5, offset=4)
    source = carbon_export(
        tmp_path,
        april,
        {
            "acme-carbon-00001.csv.gz": carbon_csv_gz(csv_part, april),
            "acme-carbon-00002.snappy.parquet": carbon_parquet(parquet_part, april, int_ids=True),
        },
    )

    summary = load(con, aws_carbon, source, april)

    every = csv_part + parquet_part
    assert summary.rows == len(every) == 9
    sums = con.execute(
        """SELECT SUM(total_lbm_mtco2e), SUM(total_mbm_mtco2e), SUM(scope_1_mtco2e), SUM(scope_2_lbm_mtco2e),
                  SUM(scope_2_mbm_mtco2e), SUM(scope_3_lbm_mtco2e), SUM(scope_3_mbm_mtco2e)
           FROM raw.aws_carbon_emissions"""
    ).fetchall()[0]
    assert sums == pytest.approx(tuple(math.fsum(r["values"][n] for r in every) for n in VALUE_NAMES), rel=1e-12)
    by_object = con.execute(
        "SELECT object_key, MIN(object_line), COUNT(*), COUNT(DISTINCT usage_period_start) "
        "FROM raw.aws_carbon_emissions GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert by_object == [
        ("data/model_version=v3.0.0/usage_period=2025-04/acme-carbon-00001.csv.gz", 2, 4, 1),
        ("data/model_version=v3.0.0/usage_period=2025-04/acme-carbon-00002.snappy.parquet", 1, 5, 1),
    ]
    # int64 ids in the Parquet object come back as the same 12-digit strings as in the CSV one
    accounts = con.execute(
        "SELECT DISTINCT usage_account_id, payer_account_id FROM raw.aws_carbon_emissions"
    ).fetchall()
    assert sorted(accounts) == sorted({(r["account"], r["account"]) for r in every})


@pytest.mark.parametrize(
    ("file_name", "content"),
    [
        ("acme-carbon-00001.csv.gz", gzip.compress((",".join(CARBON_COLUMNS) + "\n").encode())),
        ("acme-carbon-00001.snappy.parquet", carbon_parquet([], date(2025, 5, 1))),
        ("acme-carbon-00001.csv.gz", gzip.compress(b"")),
        ("acme-carbon-00001.csv", b""),
    ],
    ids=["header-only-csv-gz", "zero-row-parquet", "empty-gzip-stream", "zero-byte-csv"],
)
def test_an_empty_carbon_export_month_loads_zero_rows_and_records_its_delivery(con, tmp_path, file_name, content):
    may = date(2025, 5, 1)
    source = carbon_export(tmp_path, may, {file_name: content})

    summary = load(con, aws_carbon, source, may)

    assert summary == LoadSummary("acme-carbon", date(2025, 5, 1), rows=0, model_versions=("v3.0.0",))
    assert con.execute("SELECT COUNT(*) FROM raw.aws_carbon_emissions").fetchall() == [(0,)]
    assert con.execute(
        "SELECT source_kind, period_month, delivery_id, model_version, object_count, row_count, status "
        "FROM raw.deliveries"
    ).fetchall() == [("aws_carbon", may, "exec-202505", "v3.0.0", 1, 0, "loaded")]


def test_a_carbon_parquet_value_in_another_unit_names_its_row_and_column(con, tmp_path):
    april = date(2025, 4, 1)
    table = pq.read_table(io.BytesIO(carbon_parquet(carbon_rows(3), april)))
    units = ["MTCO2e", "MTCO2e", "kgCO2e"]
    table = table.set_column(
        table.column_names.index("total_scope_3_lbm_emissions_unit"),
        "total_scope_3_lbm_emissions_unit",
        pa.array(units),
    )
    source = carbon_export(tmp_path, april, {"acme-carbon-00001.snappy.parquet": parquet_bytes(table)})

    with pytest.raises(
        SourceError,
        match=r"source 'acme-carbon', object 'data/model_version=v3.0.0/usage_period=2025-04/"
        r"acme-carbon-00001.snappy.parquet', row 3, column 'total_scope_3_lbm_emissions_unit': value 'kgCO2e'",
    ):
        load(con, aws_carbon, source, april)


# --------------------------------------------------------------------------------------------------
# End to end: both CUR kinds in one inventory run
# --------------------------------------------------------------------------------------------------


def test_legacy_parquet_and_cur2_sources_reach_the_ledger_under_their_own_kind_with_every_check_passing(tmp_path):
    table = athena_parquet(DAILY)
    legacy = legacy_report(
        tmp_path,
        NOVEMBER,
        {"acme-cur-00001.snappy.parquet": parquet_bytes(table)},
        layout="parquet",
        compression="Parquet",
    )
    cur2_rows = [
        Cur2Row(**{**r.__dict__, "start": r.start.replace(year=2023, month=11)})
        for r in CUR2_ROWS
        if r.start.month == 3
    ]
    cur2 = cur2_export(
        tmp_path, NOVEMBER, {"acme-cur2-00001.snappy.parquet": parquet_bytes(cur2_table(cur2_rows, native=True))}
    )
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        "settings: {start_month: '2023-11'}\n"
        f"sources:\n  - {{id: legacy, kind: aws_cur, uri: '{legacy.uri}'}}\n"
        f"  - {{id: cur2, kind: aws_cur2, uri: '{cur2.uri}', export_name: acme-cur2}}\n"
    )
    settings = settings_under(tmp_path, sources_file)

    result = run_inventory(settings, NOVEMBER, NOVEMBER)

    assert failure_messages(result) == []
    assert result.success
    wh = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        ledger = wh.execute(
            "SELECT source_id, source_kind, currency, SUM(line_item_count), SUM(cost) FROM ledger.activity "
            "GROUP BY ALL ORDER BY 1, 3"
        ).fetchall()
        accounts = wh.execute(
            "SELECT DISTINCT account_id FROM ledger.activity WHERE source_id = 'cur2' ORDER BY 1"
        ).fetchall()
    finally:
        wh.close()
    legacy_cost = sum(decimal_cost(repr(float(r["lineItem/UnblendedCost"]))) for r in csv_rows(DAILY))
    eur, usd = [r for r in cur2_rows if r.currency == "EUR"], [r for r in cur2_rows if r.currency == "USD"]
    assert ledger == [
        ("cur2", "aws_cur2", "EUR", len(eur), sum(decimal_cost(r.cost) for r in eur)),
        ("cur2", "aws_cur2", "USD", len(usd), sum(decimal_cost(r.cost) for r in usd)),
        ("legacy", "aws_cur", "USD", 1281, legacy_cost),
    ]
    assert accounts == [("012345678901",), ("210987654321",)]


def test_a_delivery_of_at_least_large_input_bytes_is_staged_without_the_contract_helper(con, tmp_path, monkeypatch):
    """The run's own process grows with a month while the contract helper's memory (0.47 GB) stays, and at 100M line
    items the two passed 2 GB (docs/performance.md, Profile 39): once a delivery's staged objects reach
    LARGE_INPUT_BYTES the reader retires the helper before the next statement. A smaller delivery, or a large one
    found unchanged (nothing staged), keeps it; the rows are the same."""
    content = gzip.compress(DAILY.read_bytes())
    source = legacy_report(tmp_path, NOVEMBER, {"acme-cur-1.csv.gz": content}, layout="create_new")
    monkeypatch.setattr(suite_process, "retired_peaks", None)
    suite_process.start()
    try:
        monkeypatch.setattr(suite_process, "LARGE_INPUT_BYTES", len(content) + 1)
        assert load(con, aws_cur, source, NOVEMBER).rows == 1281
        assert suite_process.started() and suite_process.retired_peaks is None

        monkeypatch.setattr(suite_process, "LARGE_INPUT_BYTES", len(content))
        assert load(con, aws_cur, source, NOVEMBER).skipped
        assert suite_process.started()

        with transaction(con):
            again = aws_cur.load_month(con, LocalLanding(source.id, Path(source.uri)), source, NOVEMBER, force=True)
        assert (again.rows, again.skipped) == (1281, False)
        assert not suite_process.started()
        helper_peak, own_peak = suite_process.retired_peaks  # for the benchmarks' peak of the process tree
        assert helper_peak > 0 and own_peak > 0
        assert suite_process.submit(os.getpid)() == os.getpid()  # what the checks ask is now done here
    finally:
        suite_process.stop()
