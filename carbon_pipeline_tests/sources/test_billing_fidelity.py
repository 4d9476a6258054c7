"""Cloud billing fidelity (issue 3 leftovers): the dynamic CUR columns (tags, cost categories) are kept in raw
as one JSON object per kind, whatever the format; negative usage on a Usage row is kept, flagged, left out of
the estimate and reported; the providers' carbon sources have delivery calendars. Expected values come from Python's csv
module and pyarrow reading the same files, never from the reader's SQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.aws_cur2 import reader as aws_cur2
from carbon_pipeline.sources.registry import kind_of
from carbon_pipeline.sources.tabular import athena_name
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months
from carbon_pipeline.warehouse.sql_models import run_model
from carbon_pipeline_tests.sources.test_cur_formats import (
    ATHENA_CSV,
    CUR2_SAMPLE,
    NOK_TAGS,
    csv_rows,
    cur2_export,
    legacy_report,
    load,
)

JUNE = date(2023, 6, 1)


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def expected_map(row: dict[str, str], prefix: str) -> dict[str, str] | None:
    """The map the reader should keep: every non-empty column of the kind, keyed by its Athena name after the
    kind's prefix (computed with tabular.athena_name, the mangling AWS documents and the readers share)."""
    kept = {}
    for column, value in row.items():
        athena = athena_name(column)
        if athena.startswith(prefix) and athena != prefix.rstrip("_") and value:
            kept[athena[len(prefix) :]] = value
    return kept or None


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


TAGGED_HEADER = [
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/UsageStartDate",
    "lineItem/UsageAmount",
    "lineItem/UnblendedCost",
    "pricing/unit",
    "resourceTags/user:Team",
    "resourceTags/aws:createdBy",
    "costCategory/Business Unit",
]
TAGGED_ROWS = [
    ["012345678901", "Usage", "AmazonEC2", "BoxUsage:m5.large", "2023-06-01T00:00:00Z", "1", "0.1", "Hrs"]
    + ["payments", "root", "retail"],
    ["012345678901", "Usage", "AmazonEC2", "BoxUsage:m5.large", "2023-06-01T01:00:00Z", "1", "0.1", "Hrs"]
    + ["", "", ""],
]
# the same tags, whichever spelling: CSV header, Athena CSV and Parquet column
EXPECTED_TAGS = [({"user_team": "payments", "aws_created_by": "root"}, {"business_unit": "retail"}), (None, None)]


def parsed(text: str | None) -> dict[str, str] | None:
    return None if text is None else json.loads(text)


def stored_maps(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    query = f"SELECT resource_tags, cost_category FROM {table} ORDER BY object_line"
    return [(parsed(tags), parsed(categories)) for tags, categories in con.execute(query).fetchall()]


def test_legacy_tag_and_cost_category_columns_are_kept_as_json_objects_in_every_spelling(con, tmp_path):
    athena_header = [athena_name(c) for c in TAGGED_HEADER]
    table = pa.table({name: [row[i] for row in TAGGED_ROWS] for i, name in enumerate(athena_header)})
    parquet = io.BytesIO()
    pq.write_table(table, parquet)
    spellings = {
        "csv": ("overwrite", "r-1.csv", csv_bytes(TAGGED_HEADER, TAGGED_ROWS)),
        "athena csv": ("overwrite", "r-1.csv", csv_bytes(athena_header, TAGGED_ROWS)),
        "parquet": ("parquet", "r-00001.snappy.parquet", parquet.getvalue()),
    }
    for name, (layout, key, content) in spellings.items():
        source = legacy_report(tmp_path / name.replace(" ", "_"), JUNE, {key: content}, layout=layout)
        load(con, aws_cur, source, JUNE)
        assert stored_maps(con, "raw.aws_cur_line_items") == EXPECTED_TAGS, name
        team = "SELECT json_extract_string(resource_tags, '$.user_team') FROM raw.aws_cur_line_items ORDER BY 1"
        assert con.execute(team).fetchall() == [("payments",), (None,)], name


def test_a_tag_value_that_needs_json_escaping_round_trips(con, tmp_path):
    value = 'say "hi"\\ and, also\tó'
    rows = [TAGGED_ROWS[0][:8] + [value, "", ""]]
    source = legacy_report(tmp_path, JUNE, {"r-1.csv": csv_bytes(TAGGED_HEADER, rows)}, layout="overwrite")
    load(con, aws_cur, source, JUNE)
    assert stored_maps(con, "raw.aws_cur_line_items") == [({"user_team": value}, None)]


def test_the_real_cost_category_fixture_keeps_its_seven_categories(con, tmp_path):
    rows = csv_rows(NOK_TAGS)
    source = legacy_report(tmp_path, JUNE, {"r-1.csv": NOK_TAGS.read_bytes()}, layout="overwrite")

    load(con, aws_cur, source, JUNE)

    stored = con.execute("SELECT cost_category FROM raw.aws_cur_line_items ORDER BY object_line").fetchall()
    assert [parsed(m) for (m,) in stored] == [expected_map(r, "cost_category_") for r in rows]
    assert any(parsed(m) for (m,) in stored)  # the fixture's rows do carry categories


def test_the_athena_fixture_keeps_its_resource_tags(con, tmp_path):
    rows = csv_rows(ATHENA_CSV)
    source = legacy_report(tmp_path, date(2022, 7, 1), {"r-1.csv": ATHENA_CSV.read_bytes()}, layout="overwrite")

    load(con, aws_cur, source, date(2022, 7, 1))

    stored = con.execute("SELECT resource_tags FROM raw.aws_cur_line_items ORDER BY object_line").fetchall()
    assert [parsed(m) for (m,) in stored] == [expected_map(r, "resource_tags_") for r in rows]
    assert any(parsed(m) for (m,) in stored)


def test_cur2_cost_category_is_kept_beside_its_resource_tags_as_in_the_public_sample(con, tmp_path):
    january = date(2024, 1, 1)
    source = cur2_export(tmp_path, january, {"sample-00001.snappy.parquet": CUR2_SAMPLE.read_bytes()}, name="sample")
    expected = pq.read_table(CUR2_SAMPLE).to_pylist()  # JSON text in this copy: kept as written

    load(con, aws_cur2, source, january)

    stored = con.execute("SELECT resource_tags, cost_category FROM raw.aws_cur2_line_items ORDER BY object_line")
    kept = [tuple(None if r[c] in ("", "{}") else r[c] for c in ("resource_tags", "cost_category")) for r in expected]
    assert stored.fetchall() == kept


def test_negative_usage_on_a_usage_row_is_kept_flagged_and_reported_never_netted(con, tmp_path):
    rows = [
        ["012345678901", "Usage", "AmazonEC2", "BoxUsage:m5.large", "2023-06-01T00:00:00Z", "10", "1.0", "Hrs"],
        ["012345678901", "Usage", "AmazonEC2", "BoxUsage:m5.large", "2023-06-01T01:00:00Z", "-4", "-0.4", "Hrs"],
        ["012345678901", "Credit", "AmazonEC2", "BoxUsage:m5.large", "2023-06-01T01:00:00Z", "-1", "-0.1", "Hrs"],
    ]
    source = legacy_report(tmp_path, JUNE, {"r-1.csv": csv_bytes(TAGGED_HEADER[:8], rows)}, layout="overwrite")
    load(con, aws_cur, source, JUNE)
    params = {"start": JUNE, "end": date(2023, 7, 1), "cloud_scope_policy": "scope3_category1"}
    load_catalogue(con)  # the instance table classifies the m5.large rows
    replace_months(con, "ledger.activity", ["ledger/activity_cloud_billing"], **params)

    assert con.execute("SELECT object_line, flag FROM raw.aws_cur_line_items ORDER BY 1").fetchall() == [
        (2, None),
        (3, "negative_usage"),
        (4, None),  # a credit is a charge, not usage: negative is normal there
    ]
    ledger = con.execute(
        "SELECT quantity, estimation_class, flag FROM ledger.activity WHERE activity_type = 'cloud_usage' "
        "ORDER BY quantity"
    ).fetchall()
    assert ledger == [(-4.0, "compute", "negative_usage"), (10.0, "compute", None)]
    report = run_model(con, "checks/negative_usage", start=JUNE, end=date(2023, 7, 1)).fetchall()
    assert [(r[1], r[6], r[7]) for r in report] == [(source.id, 1, -4.0)]


@pytest.mark.parametrize(
    ("kind", "on_time", "warned"),
    [
        ("gcp_carbon", date(2025, 5, 14), date(2025, 6, 15)),  # April by May 15th, 1 month tolerated
        ("azure_carbon", date(2025, 5, 18), date(2025, 6, 19)),  # April ready ~May 19th
        ("aws_sustainability_api", date(2025, 5, 20), date(2025, 8, 21)),  # as the carbon export
    ],
)
def test_provider_carbon_sources_have_delivery_calendars(con, kind, on_time, warned):
    con.execute(
        "INSERT INTO raw.deliveries (source_id, source_kind, period_month, delivery_id, status) "
        "VALUES ('src', ?, DATE '2025-03-01', 'd1', 'loaded')",
        [kind],
    )

    def missing(as_of: date) -> list[str]:
        found = run_model(
            con,
            "checks/source_freshness",
            start=date(1, 1, 1),
            end=date(9999, 12, 1),
            source_kind=kind,
            as_of=as_of,
            **kind_of(kind).calendar.as_params(),
        ).fetchall()
        return [r[4] for r in found]

    assert missing(warned - date.resolution) == []
    assert missing(warned) == ["2025-04"]
    assert missing(on_time) == []
