"""Properties of the parsers, over generated input (hypothesis): header mangling, the CSV -> staging SQL
round trip of CUR values in every notation real files use, model version ordering and month folders."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbon_pipeline.months import months_between, next_month
from carbon_pipeline.sources.aws_carbon.reader import model_version_rank
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.tabular import athena_name, read_delimited
from carbon_pipeline.warehouse.sql_models import run_model

FAST = settings(max_examples=50, deadline=None)
MONTH = date(2025, 3, 1)
COST_PLACES = Decimal("1e-10")  # raw.aws_cur_line_items.unblended_cost is DECIMAL(38, 10)

# --- athena_name --------------------------------------------------------------------------------------------


@FAST
@given(st.text(max_size=40))
def test_athena_names_use_only_lower_case_letters_digits_and_underscores_and_are_stable(header):
    name = athena_name(header)
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789_")
    assert not name.startswith("_") and not name.endswith("_")
    assert athena_name(name) == name


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("lineItem/UsageAccountId", "line_item_usage_account_id"),
        ("savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n"),
        ("resourceTags/user:insights:project", "resource_tags_user_insights_project"),
        ("product/regionCode", "product_region_code"),
        ("line_item_usage_amount", "line_item_usage_amount"),
    ],
)
def test_athena_names_match_the_real_examples(header, name):
    assert athena_name(header) == name


# --- CUR values: CSV -> read_delimited -> staging SQL ------------------------------------------------------

DECIMAL_FORMATS = {
    "fixed": lambda d: f"{d:f}",
    "exponent": lambda d: f"{d.normalize():e}",
    "EXPONENT": lambda d: f"{d.normalize():E}",
    "shortest": lambda d: str(d.normalize()),
}
TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.000Z", "%Y-%m-%d %H:%M:%S")
HEADER = [
    "identity/LineItemId",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/UsageStartDate",
    "lineItem/UsageAmount",
    "lineItem/UnblendedCost",
    "lineItem/CurrencyCode",
    "pricing/unit",
    "product/regionCode",
]

amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=10, allow_nan=False, allow_infinity=False)
optional_text = st.one_of(st.just(""), st.sampled_from(["Hrs", "GB-Mo", "us-east-1", "EUR", "Requests"]))


USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage")


@st.composite
def line_items(draw):
    start = datetime(2025, 3, 1) + timedelta(seconds=draw(st.integers(0, 31 * 86400 - 1)))
    usage, cost = draw(amounts), draw(amounts)
    return {
        "identity/LineItemId": draw(st.one_of(st.just(""), st.uuids().map(str))),
        "lineItem/UsageAccountId": draw(st.from_regex(r"\A[0-9]{12}\Z")),
        "lineItem/LineItemType": draw(st.sampled_from(["Usage", "DiscountedUsage", "Credit", "Tax", "RIFee"])),
        "lineItem/ProductCode": draw(st.sampled_from(["AmazonEC2", "AmazonS3", "AWSLambda", ""])),
        "lineItem/UsageType": draw(st.sampled_from(["BoxUsage:m5.xlarge", "TimedStorage-ByteHrs", ""])),
        "lineItem/UsageStartDate": start.strftime(draw(st.sampled_from(TIMESTAMP_FORMATS))),
        "lineItem/UsageAmount": DECIMAL_FORMATS[draw(st.sampled_from(sorted(DECIMAL_FORMATS)))](usage),
        "lineItem/UnblendedCost": DECIMAL_FORMATS[draw(st.sampled_from(sorted(DECIMAL_FORMATS)))](cost),
        "lineItem/CurrencyCode": draw(st.sampled_from(["", "USD", "EUR", "JPY"])),
        "pricing/unit": draw(optional_text),
        "product/regionCode": draw(optional_text),
    }


def staged(rows: list[dict[str, str]]) -> list[dict]:
    """The rows as the legacy CUR reader and its staging model type them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cur.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADER)
            writer.writeheader()
            writer.writerows(rows)
        con = duckdb.connect()
        try:
            relation = read_delimited(
                con,
                path,
                source_id="prop",
                object_key="cur.csv",
                normalise=athena_name,
                required=aws_cur.REQUIRED_COLUMNS,
                optional=aws_cur.OPTIONAL_COLUMNS,
            )
            # the reader folds tag and cost-category columns into maps (none here: both NULL)
            relation = aws_cur.tag_maps(relation, aws_cur.dynamic_columns(list(HEADER)))
            relation.create_view("cur_file")
            cursor = run_model(
                con,
                "staging/aws_cur_line_items",
                source_id="prop",
                period_month=MONTH,
                assembly_id="a",
                object_key="cur.csv",
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        finally:
            con.close()


def python_timestamp(text: str) -> datetime:
    return next(datetime.strptime(text, f) for f in TIMESTAMP_FORMATS if _parses(text, f))


def _parses(text: str, fmt: str) -> bool:
    try:
        datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


@FAST
@given(st.lists(line_items(), min_size=1, max_size=8))
def test_cur_values_in_every_real_notation_stage_to_what_python_parses(rows):
    typed = sorted(staged(rows), key=lambda r: r["object_line"])
    assert [r["object_line"] for r in typed] == list(range(2, len(rows) + 2))
    for row, value in zip(rows, typed, strict=True):
        assert value["usage_account_id"] == row["lineItem/UsageAccountId"]
        assert value["usage_amount"] == float(row["lineItem/UsageAmount"])
        assert value["unblended_cost"] == Decimal(row["lineItem/UnblendedCost"]).quantize(COST_PLACES)
        assert value["usage_start"] == python_timestamp(row["lineItem/UsageStartDate"])
        assert value["currency"] == (row["lineItem/CurrencyCode"] or "USD")
        assert value["line_item_id"] == (row["identity/LineItemId"] or None)
        assert value["product_code"] == (row["lineItem/ProductCode"] or None)
        assert value["pricing_unit"] == (row["pricing/unit"] or None)
        assert value["region_code"] == (row["product/regionCode"] or None)
        # every generated start is inside March 2025; negative usage on a usage row is kept and flagged
        negative_usage = float(row["lineItem/UsageAmount"]) < 0 and row["lineItem/LineItemType"] in USAGE_TYPES
        assert value["flag"] == ("negative_usage" if negative_usage else None)


# --- model versions ---------------------------------------------------------------------------------------

versions = st.lists(st.integers(0, 999_999), min_size=1, max_size=4).map(tuple)


def version_text(parts: tuple[int, ...]) -> str:
    return "v" + ".".join(str(p) for p in parts)


@FAST
@given(versions, versions)
def test_model_versions_rank_like_their_numeric_parts_compared_as_tuples(a, b):
    ra, rb = model_version_rank(version_text(a)), model_version_rank(version_text(b))
    assert (ra < rb) == (a < b)
    assert (ra == rb) == (a == b)


def test_model_version_rank_orders_the_real_versions():
    assert sorted(["v10.1", "v2.0.0", "v1", "v3.0.0"], key=model_version_rank) == ["v1", "v2.0.0", "v3.0.0", "v10.1"]


# --- months and period folders ----------------------------------------------------------------------------

months = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)).map(lambda d: d.replace(day=1))


def folder_month(folder: str) -> tuple[date, date]:
    """How a ``yyyymmdd-yyyymmdd`` period folder reads back (exclusive end)."""
    start, end = folder.split("-")
    return tuple(date(int(t[:4]), int(t[4:6]), int(t[6:])) for t in (start, end))  # type: ignore[return-value]


@FAST
@given(months)
def test_a_period_folder_reads_back_as_its_month_and_the_next_exclusive_end(month):
    folder = aws_cur.period_folder(month)
    assert len(folder) == 17 and folder[8] == "-"
    start, end = folder_month(folder)
    assert (start, end) == (month, next_month(month))
    assert list(months_between(start, end)) == [month]


@FAST
@given(months, months)
def test_months_between_lists_each_month_once_in_order_and_only_those_in_range(a, b):
    first, last = min(a, b), max(a, b)
    listed = list(months_between(first, last))
    assert len(listed) == (last.year - first.year) * 12 + last.month - first.month
    assert all(m.day == 1 and first <= m < last for m in listed)
    assert all(next_month(x) == y for x, y in zip(listed, listed[1:], strict=False))
    assert [folder_month(aws_cur.period_folder(m))[0] for m in listed] == listed
