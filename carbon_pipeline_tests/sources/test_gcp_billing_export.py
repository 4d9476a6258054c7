"""The gcp_billing_export kind on tiny hand-written billing-export files in each format (nested JSONL and Parquet
as BigQuery writes them, a flattened CSV copy): the FOCUS columns Google's FOCUS export would have, credits as
their own cost-only row, and loud about what it cannot use. Expected values are written out here."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.gcp_billing_export import reader
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.sources import months_together


def row(service: str, sku: str, unit: str, amount: float, cost: float, *, credits: list | None = None,
        region: str | None = "us-central1", location: str = "us-central1", cost_type: str = "regular",
        start: str = "2025-03-01 00:00:00 UTC", project: str | None = "shop-prod") -> dict:  # fmt: skip
    return {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "service": {"id": "6F81-5844-456A", "description": service},
        "sku": {"id": "SKU-" + sku[:4], "description": sku},
        "usage_start_time": start,
        "project": {"id": project, "number": "123456789012"},
        "location": {"location": location, "country": "US", "region": region},
        "cost": cost,
        "currency": "USD",
        "usage": {"amount": amount, "unit": unit, "amount_in_pricing_units": amount / 3600, "pricing_unit": "hour"},
        "credits": credits or [],
        "invoice": {"month": "202503"},
        "cost_type": cost_type,
    }


CORE = row("Compute Engine", "N2 Instance Core running in Americas", "seconds", 7200, 0.06,
           credits=[{"name": "Sustained use discount", "amount": -0.012},
                    {"name": "Free tier", "amount": -0.003}])  # fmt: skip
STORAGE = row("Cloud Storage", "Standard Storage US Multi-region", "byte-seconds", 1.0e15, 0.5, region=None,
              location="us")  # fmt: skip
TAX = row("Compute Engine", "Tax", "", 0, 0.05, cost_type="tax", region=None, location="", project=None)
CUD = row("Compute Engine", "Commitment v1: Cpu in Americas for 1 Year", "seconds", 3600, 0.02)


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def source_for(folder: Path) -> SourceConfig:
    return SourceConfig(id="gcp-billing", kind="gcp_billing_export", uri=str(folder))


def load_all(con: duckdb.DuckDBPyConnection, folder: Path) -> list[date]:
    source = source_for(folder)
    landing = LocalLanding(source.id, folder)
    months = reader.available_months(landing, source)
    for month in months:
        with transaction(con):
            reader.load_month(con, landing, source, month)
            reader.refuse_before_commit(con, source, month)
    return months


def raw(con: duckdb.DuckDBPyConnection, columns: str) -> list[tuple]:
    return con.execute(
        f"SELECT {columns} FROM raw.focus_charges ORDER BY object_key, object_line, charge_category DESC"
    ).fetchall()


def test_nested_jsonl_maps_to_the_columns_googles_focus_export_has_and_credits_are_their_own_row(con, tmp_path):
    write_jsonl(tmp_path / "drop" / "export.jsonl", [CORE, STORAGE, TAX, CUD])

    assert load_all(con, tmp_path / "drop") == [date(2025, 3, 1)]

    assert raw(con, "object_line, provider, billing_account_id, sub_account_id, region, service_name, "
                    "service_category, charge_category, consumed_quantity, consumed_unit, billed_cost, "
                    "charge_description, focus_version") == [
        (1, "gcp", "01A2B3-C4D5E6-F7A8B9", "shop-prod", "us-central1", "Compute Engine", "Compute", "Usage", 7200.0,
         "seconds", Decimal("0.06"), "N2 Instance Core running in Americas", "gcp_billing_export"),
        (1, "gcp", "01A2B3-C4D5E6-F7A8B9", "shop-prod", "us-central1", "Compute Engine", "Compute", "Credit", None,
         None, Decimal("-0.015"), "N2 Instance Core running in Americas", "gcp_billing_export"),
        (2, "gcp", "01A2B3-C4D5E6-F7A8B9", "shop-prod", "us", "Cloud Storage", "Storage", "Usage", 1.0e15,
         "byte-seconds", Decimal("0.5"), "Standard Storage US Multi-region", "gcp_billing_export"),
        (3, "gcp", "01A2B3-C4D5E6-F7A8B9", None, None, "Compute Engine", "Compute", "Tax", 0.0, None, Decimal("0.05"),
         "Tax", "gcp_billing_export"),
        (4, "gcp", "01A2B3-C4D5E6-F7A8B9", "shop-prod", "us-central1", "Compute Engine", "Compute", "Purchase",
         3600.0, "seconds", Decimal("0.02"), "Commitment v1: Cpu in Americas for 1 Year", "gcp_billing_export"),
    ]  # fmt: skip


def test_parquet_with_structs_and_a_flattened_csv_copy_read_like_the_jsonl(con, tmp_path):
    write_jsonl(tmp_path / "export.jsonl", [CORE, STORAGE])
    (tmp_path / "drop").mkdir()
    duckdb.sql(f"COPY (SELECT * FROM read_json('{tmp_path / 'export.jsonl'}')) TO '{tmp_path / 'drop' / 'e.parquet'}'")
    with (tmp_path / "drop" / "flat.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)  # a query's flattened copy: underscores for dots, credits already summed
        writer.writerow(["billing_account_id", "service_description", "sku_description", "usage_start_time",
                         "project_id", "location_region", "cost", "currency", "usage_amount", "usage_unit",
                         "credits", "cost_type"])  # fmt: skip
        writer.writerow(["01A2B3-C4D5E6-F7A8B9", "Compute Engine", "N2 Instance Core running in Americas",
                         "2025-03-01 00:00:00 UTC", "shop-prod", "us-central1", "0.06", "USD", "7200", "seconds",
                         "-0.015", "regular"])  # fmt: skip

    load_all(con, tmp_path / "drop")

    assert raw(con, "object_key, object_line, charge_category, consumed_unit, billed_cost") == [
        ("e.parquet", 1, "Usage", "seconds", Decimal("0.06")),
        ("e.parquet", 1, "Credit", None, Decimal("-0.015")),
        ("e.parquet", 2, "Usage", "byte-seconds", Decimal("0.5")),
        ("flat.csv", 2, "Usage", "seconds", Decimal("0.06")),
        ("flat.csv", 2, "Credit", None, Decimal("-0.015")),
    ]


def test_each_row_goes_to_the_month_of_its_usage_and_resync_is_idempotent(con, tmp_path):
    late = row("Compute Engine", "N2 Instance Core running in Americas", "seconds", 3600, 0.03,
               start="2025-04-01T00:00:00Z")  # fmt: skip
    write_jsonl(tmp_path / "drop" / "export.jsonl", [CORE, late])

    assert load_all(con, tmp_path / "drop") == [date(2025, 3, 1), date(2025, 4, 1)]
    load_all(con, tmp_path / "drop")

    assert raw(con, "period_month, charge_category, billed_cost") == [
        (date(2025, 3, 1), "Usage", Decimal("0.06")),
        (date(2025, 3, 1), "Credit", Decimal("-0.015")),
        (date(2025, 4, 1), "Usage", Decimal("0.03")),
    ]


def test_a_runs_months_read_together_are_its_months_read_one_by_one(tmp_path):
    """A run reads the export's files once for all its months (load_months, sources/dropped_files.py): the raw
    rows, deliveries, summaries and, after a file changed, the restatements are those of month by month."""
    april = row("Compute Engine", "N2 Instance Core running in Americas", "seconds", 3600, 0.03,
                start="2025-04-01T00:00:00Z")  # fmt: skip
    folder = tmp_path / "drop"
    source = source_for(folder)
    landing = LocalLanding(source.id, folder)
    months = [date(2025, 3, 1), date(2025, 4, 1)]
    results = {}
    for together in (False, True):
        write_jsonl(folder / "march_and_april.jsonl", [CORE, april])
        write_jsonl(folder / "march.jsonl", [STORAGE])
        con = open_warehouse(tmp_path / f"{together}.duckdb")
        load_catalogue(con)
        try:
            summaries = []
            for _ in range(2):
                summaries.append(months_together.load(reader, con, landing, source, months, together=together))
                write_jsonl(folder / "march.jsonl", [STORAGE, TAX])
            results[together] = (
                summaries,
                *months_together.table_rows(con, ("raw.focus_charges", "raw.deliveries", "audit.restatements")),
            )
        finally:
            con.close()
    assert results[True] == results[False]
    (first, second), charges, deliveries, restatements = results[True]
    assert [s.restated for s in second] == [True, False] and len(restatements) == 1
    assert [(d[2], d[7]) for d in sorted(deliveries, key=lambda d: (d[2], d[7]))] == [
        (date(2025, 3, 1), 2),  # CORE and its credit, from the file of two months
        (date(2025, 3, 1), 2),  # STORAGE and TAX
        (date(2025, 4, 1), 1),
    ]


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [("cost", "1,5", "cost"), ("usage_start_time", "yesterday", "usage_start_time"),
     ("credits", [{"name": "x", "amount": "lots"}], "credits"), ("invoice", {"month": "2025-03"}, "invoice.month")],
)  # fmt: skip
def test_an_unusable_value_is_named_by_its_own_column_and_nothing_is_written(con, tmp_path, field, value, column):
    bad = dict(STORAGE, **{field: value})
    write_jsonl(tmp_path / "drop" / "export.jsonl", [CORE, bad])
    source = source_for(tmp_path / "drop")

    with pytest.raises(SourceError, match=rf"export.jsonl', row 2, column '{column}'"), transaction(con):
        reader.load_month(con, LocalLanding(source.id, tmp_path / "drop"), source, date(2025, 3, 1))
    assert raw(con, "*") == []


def test_a_file_without_the_service_names_it_and_unreadable_json_is_refused(con, tmp_path):
    write_jsonl(tmp_path / "a" / "export.jsonl", [{k: v for k, v in CORE.items() if k != "service"}])
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "export.jsonl").write_text('{"cost": 1,\n')

    with pytest.raises(SourceError, match=r"row 1, column 'service.description': required column missing"):
        reader.load_month(con, LocalLanding("g", tmp_path / "a"), source_for(tmp_path / "a"), date(2025, 3, 1))
    with pytest.raises(SourceError, match=r"object 'export.jsonl': cannot be read as JSON"):
        reader.load_month(con, LocalLanding("g", tmp_path / "b"), source_for(tmp_path / "b"), date(2025, 3, 1))


def test_before_commit_refuses_usage_booked_on_no_account(con, tmp_path):
    orphan = dict(STORAGE, project={"id": None}, billing_account_id=None)
    write_jsonl(tmp_path / "drop" / "export.jsonl", [CORE, orphan])

    with pytest.raises(SourceError, match=r"row 2, column 'project.id': .* breaks the gcp billing contract"):
        load_all(con, tmp_path / "drop")
