"""The azure_cost_details kind on tiny hand-written cost-details files in each layout and format, and on a real
anonymised EA export (fixtures/native/SOURCES.md): every row kept with its cost to the cent, EA and MCA spellings
alike, the export folder's newest run only, and loud about a file it cannot use or a dataset it would count
twice. Expected values are written out here, not taken from the reader."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.azure_cost_details import reader, validate_options
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.sources import months_together

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "native"
EA_SAMPLE = FIXTURES / "focus_converters_azure_ea_cost_details_2023-09.csv"
EA_HEADER = ["SubscriptionId", "ResourceLocation", "Date", "ProductName", "MeterCategory", "MeterSubCategory",
             "MeterName", "UnitOfMeasure", "Quantity", "CostInBillingCurrency", "BillingCurrencyCode", "ChargeType",
             "PricingModel", "AdditionalInfo", "BillingAccountId"]  # fmt: skip
# MCA writes the same columns in camelCase (and billingCurrency)
MCA_HEADER = ["subscriptionId", "resourceLocation", "date", "productName", "meterCategory", "meterSubCategory",
              "meterName", "unitOfMeasure", "quantity", "costInBillingCurrency", "billingCurrency", "chargeType",
              "pricingModel", "additionalInfo", "billingAccountId"]  # fmt: skip
VM = ["1111AAAA-0000-0000-0000-000000000001", "EastUS2", "03/05/2025", "Virtual Machines D2s v3 - US East 2",
      "Virtual Machines", "Dv3/DSv3 Series", "D2s v3", "1 Hour", "24", "2.304", "USD", "Usage", "OnDemand",
      '{"ServiceType":"Standard_D2s_v3","VCPUs":2}', "8611537"]  # fmt: skip
BLOB = ["1111aaaa-0000-0000-0000-000000000001", "US East 2", "03/31/2025", "Blob Storage", "Storage",
        "General Block Blob v2", "Hot LRS Data Stored", "1 GB/Month", "100", "1.8", "USD", "Usage", "OnDemand", "",
        "8611537"]  # fmt: skip
PURCHASE = ["1111aaaa-0000-0000-0000-000000000001", "", "03/01/2025",
            "Reserved VM Instance, Standard_D2s_v3, US East 2, 1 Year", "Virtual Machines", "", "", "1", "1",
            "700.00", "USD", "Purchase", "Reservation", "", "8611537"]  # fmt: skip
UNUSED = ["1111aaaa-0000-0000-0000-000000000001", "eastus2", "03/02/2025", "Reservation", "Virtual Machines",
          "Dv3/DSv3 Series", "D2s v3", "1 Hour", "3", "0.21", "USD", "UnusedReservation", "Reservation", "",
          "8611537"]  # fmt: skip


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, gzipped: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if gzipped else open
    with opener(path, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def source_for(folder: Path, **options) -> SourceConfig:
    return SourceConfig(id="azure-costs", kind="azure_cost_details", uri=str(folder), options=options)


def load_all(con: duckdb.DuckDBPyConnection, source: SourceConfig) -> list[date]:
    landing = LocalLanding(source.id, Path(source.uri))
    months = reader.available_months(landing, source)
    for month in months:
        with transaction(con):
            reader.load_month(con, landing, source, month)
            reader.refuse_before_commit(con, source, month)
    return months


def raw(con: duckdb.DuckDBPyConnection, columns: str) -> list[tuple]:
    return con.execute(f"SELECT {columns} FROM raw.focus_charges ORDER BY object_key, object_line").fetchall()


@pytest.mark.parametrize("header", [EA_HEADER, MCA_HEADER], ids=["ea", "mca"])
def test_ea_and_mca_spellings_map_to_the_columns_a_focus_export_of_azure_has(con, tmp_path, header):
    write_csv(tmp_path / "drop" / "costs.csv", header, [VM, BLOB])

    assert load_all(con, source_for(tmp_path / "drop")) == [date(2025, 3, 1)]

    assert raw(con, "provider, sub_account_id, billing_account_id, region, service_name, service_category, "
                    "charge_category, consumed_quantity, consumed_unit, billed_cost, currency, sku_meter, "
                    "focus_version") == [
        ("azure", "/subscriptions/1111aaaa-0000-0000-0000-000000000001",
         "/providers/Microsoft.Billing/billingAccounts/8611537", "eastus2", "Virtual Machines", "Compute", "Usage",
         24.0, "Hours", Decimal("2.304"), "USD", "Virtual Machines | Dv3/DSv3 Series | D2s v3",
         "azure_cost_details:actual"),
        ("azure", "/subscriptions/1111aaaa-0000-0000-0000-000000000001",
         "/providers/Microsoft.Billing/billingAccounts/8611537", "eastus2", "Storage", "Storage", "Usage",
         100.0, "GB/Month", Decimal("1.8"), "USD", "Storage | General Block Blob v2 | Hot LRS Data Stored",
         "azure_cost_details:actual"),
    ]  # fmt: skip


def test_units_of_measure_become_focus_units_with_the_block_size_in_the_pricing_quantity(con, tmp_path):
    rows = []
    for unit, quantity in (("10K", "0.5"), ("1/Month", "2"), ("100 Hours", "3"), ("1 GB", "4"), ("10K/Month", "5")):
        row = list(VM)
        row[7], row[8] = unit, quantity
        rows.append(row)
    write_csv(tmp_path / "drop" / "units.csv", EA_HEADER, rows)

    load_all(con, source_for(tmp_path / "drop"))

    assert raw(con, "consumed_unit, consumed_quantity, pricing_unit, pricing_quantity") == [
        ("Units", 0.5, "Units", 0.5 / 10000),
        ("Units/Month", 2.0, "Units/Month", 2.0),
        ("Hours", 3.0, "Hours", 0.03),
        ("GB", 4.0, "GB", 4.0),
        ("Units/Month", 5.0, "Units/Month", 5.0 / 10000),
    ]


def test_charge_types_map_to_focus_charge_categories_and_a_refund_is_a_correction(con, tmp_path):
    rows = []
    for charge_type, pricing in (("Purchase", "OnDemand"), ("Refund", "OnDemand"), ("Tax", ""),
                                 ("RoundingAdjustment", ""), ("", "")):  # fmt: skip
        row = list(BLOB)
        row[11], row[12] = charge_type, pricing
        rows.append(row)
    write_csv(tmp_path / "drop" / "charges.csv", EA_HEADER, rows)

    load_all(con, source_for(tmp_path / "drop"))

    assert raw(con, "charge_category, charge_class") == [
        ("Purchase", None),
        ("Purchase", "Correction"),
        ("Tax", None),
        ("Adjustment", None),
        ("Usage", None),
    ]


def test_parquet_and_gzip_csv_read_like_csv(con, tmp_path):
    write_csv(tmp_path / "plain.csv", EA_HEADER, [VM, BLOB])
    write_csv(tmp_path / "drop" / "costs.csv.gz", EA_HEADER, [VM], gzipped=True)
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{tmp_path / 'plain.csv'}', all_varchar=true) OFFSET 1) "
        f"TO '{tmp_path / 'drop' / 'costs.parquet'}' (FORMAT parquet)"
    )

    load_all(con, source_for(tmp_path / "drop"))

    assert raw(con, "object_key, object_line, service_name, billed_cost") == [
        ("costs.csv.gz", 2, "Virtual Machines", Decimal("2.304")),
        ("costs.parquet", 1, "Storage", Decimal("1.8")),
    ]


def export_run(export: Path, run: str, submitted: str, rows: list[list[str]], *, kind: str = "ActualCost",
               counts: int | None = None) -> None:  # fmt: skip
    folder = export / "20250301-20250331" / run
    write_csv(folder / "part_0_0001.csv", EA_HEADER, rows)
    blob = {"blobName": f"exports/costs/20250301-20250331/{run}/part_0_0001.csv", "byteCount": 1}
    if counts is not None:
        blob["dataRowCount"] = counts
    manifest = {"exportConfig": {"exportName": "costs", "type": kind}, "runInfo": {"submittedTime": submitted},
                "blobs": [blob]}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_dropped_files_months_read_together_are_their_months_read_one_by_one(tmp_path):
    """A run reads dropped cost-details files once for all its months (load_months, sources/dropped_files.py):
    the raw rows, deliveries, summaries and, after a file changed, the restatements are those of month by
    month; a month mixing actual and amortized files is still refused."""
    april = [*VM[:2], "04/02/2025", *VM[3:]]
    folder = tmp_path / "drop"
    source = source_for(folder)
    landing = LocalLanding(source.id, folder)
    months = [date(2025, 3, 1), date(2025, 4, 1)]
    results = {}
    for together in (False, True):
        write_csv(folder / "march_and_april.csv", EA_HEADER, [VM, april])
        write_csv(folder / "march.csv", EA_HEADER, [BLOB])
        con = open_warehouse(tmp_path / f"{together}.duckdb")
        load_catalogue(con)
        try:
            summaries = []
            for _ in range(2):
                summaries.append(months_together.load(reader, con, landing, source, months, together=together))
                write_csv(folder / "march.csv", EA_HEADER, [BLOB, BLOB])
            results[together] = (
                summaries,
                *months_together.table_rows(con, ("raw.focus_charges", "raw.deliveries", "audit.restatements")),
            )
            write_csv(folder / "april_amortized.csv", EA_HEADER, [[*UNUSED[:2], "04/03/2025", *UNUSED[3:]]])
            with pytest.raises(SourceError, match="2025-04 mixes actual and amortized cost files"), transaction(con):
                reader.load_months(con, landing, source, months, run_id="r")
            (folder / "april_amortized.csv").unlink()
        finally:
            con.close()
    assert results[True] == results[False]
    (first, second), charges, deliveries, restatements = results[True]
    assert [s.rows for s in first] == [2, 1] and [s.rows for s in second] == [3, 1]
    assert [s.restated for s in second] == [True, False] and len(restatements) == 1


def test_the_export_folder_reads_only_the_newest_run_and_a_new_run_is_a_restatement(con, tmp_path):
    export = tmp_path / "costs"
    export_run(export, "run-old", "2025-03-10T00:00:00Z", [VM, VM])
    source = source_for(export)
    landing = LocalLanding(source.id, export)
    with transaction(con):
        first = reader.load_month(con, landing, source, date(2025, 3, 1))
    export_run(export, "run-new", "2025-03-11T00:00:00Z", [VM, BLOB, BLOB], counts=3)
    with transaction(con):
        second = reader.load_month(con, landing, source, date(2025, 3, 1))

    assert (first.rows, first.delivery, second.rows, second.delivery) == (2, "run-old", 3, "run-new")
    assert second.restated
    assert raw(con, "delivery_id, billed_cost") == [
        ("run-new", Decimal("2.304")),
        ("run-new", Decimal("1.8")),
        ("run-new", Decimal("1.8")),
    ]
    assert reader.available_months(landing, source) == [date(2025, 3, 1)]
    assert reader.delivery_identity(landing, source, date(2025, 3, 1)) == "run-new"


def test_a_file_shorter_than_its_manifest_says_is_refused(con, tmp_path):
    export_run(tmp_path / "costs", "run-1", "2025-03-10T00:00:00Z", [VM], counts=2)
    source = source_for(tmp_path / "costs")

    with pytest.raises(SourceError, match=r"has 1 rows but the manifest's dataRowCount says 2"):
        reader.load_month(con, LocalLanding(source.id, tmp_path / "costs"), source, date(2025, 3, 1))


def test_a_focus_export_pointed_at_as_cost_details_is_told_to_use_kind_focus(con, tmp_path):
    export_run(tmp_path / "costs", "run-1", "2025-03-10T00:00:00Z", [VM], kind="FocusCost")
    source = source_for(tmp_path / "costs")

    with pytest.raises(SourceError, match=r"FOCUS export .*kind 'focus'"):
        reader.load_month(con, LocalLanding(source.id, tmp_path / "costs"), source, date(2025, 3, 1))


def test_the_manifest_tells_the_dataset_and_a_conflicting_option_is_refused(con, tmp_path):
    export_run(tmp_path / "costs", "run-1", "2025-03-10T00:00:00Z", [VM, UNUSED], kind="AmortizedCost")
    landing = LocalLanding("azure-costs", tmp_path / "costs")

    with transaction(con):
        summary = reader.load_month(con, landing, source_for(tmp_path / "costs"), date(2025, 3, 1))
    assert summary.focus_versions == ("azure_cost_details:amortized",)
    # the unused part of a reservation is a commitment's cost, never usage to estimate
    assert raw(con, "charge_category, effective_cost") == [("Usage", Decimal("2.304")), ("Purchase", Decimal("0.21"))]
    with pytest.raises(SourceError, match=r"source says dataset 'actual' but the export's manifest says 'amortized'"):
        reader.load_month(con, landing, source_for(tmp_path / "costs", dataset="actual"), date(2025, 3, 1))


def test_rows_of_the_other_dataset_are_refused_so_a_commitment_is_never_counted_twice(con, tmp_path):
    write_csv(tmp_path / "mixed" / "costs.csv", EA_HEADER, [VM, PURCHASE, UNUSED])
    write_csv(tmp_path / "amortized" / "costs.csv", EA_HEADER, [VM, PURCHASE])
    mixed, amortized = source_for(tmp_path / "mixed"), source_for(tmp_path / "amortized", dataset="amortized")

    with pytest.raises(SourceError, match=r"row 4, column 'ChargeType': mixes amortized cost \(UnusedReservation"):
        reader.load_month(con, LocalLanding(mixed.id, tmp_path / "mixed"), mixed, date(2025, 3, 1))
    with pytest.raises(SourceError, match=r"row 3, column 'ChargeType': commitment purchases exist only in actual"):
        reader.load_month(con, LocalLanding(amortized.id, tmp_path / "amortized"), amortized, date(2025, 3, 1))


@pytest.mark.parametrize(
    ("column", "value", "named"),
    [("CostInBillingCurrency", "1,23", "CostInBillingCurrency"), ("Date", "2025-13-45", "Date"),
     ("Quantity", "lots", "Quantity"), ("BillingCurrencyCode", "", "BillingCurrencyCode")],
)  # fmt: skip
def test_an_unusable_value_is_named_by_its_own_column_and_nothing_is_written(con, tmp_path, column, value, named):
    bad = list(VM)
    bad[EA_HEADER.index(column)] = value
    write_csv(tmp_path / "drop" / "costs.csv", EA_HEADER, [VM, bad])
    source = source_for(tmp_path / "drop")

    with pytest.raises(SourceError, match=rf"costs.csv', row 3, column '{named}'"), transaction(con):
        reader.load_month(con, LocalLanding(source.id, tmp_path / "drop"), source, date(2025, 3, 1))
    assert raw(con, "*") == []


def test_a_file_without_a_cost_column_names_it(con, tmp_path):
    write_csv(tmp_path / "drop" / "costs.csv", [h for h in EA_HEADER if h != "CostInBillingCurrency"],
              [[v for h, v in zip(EA_HEADER, VM, strict=True) if h != "CostInBillingCurrency"]])  # fmt: skip
    source = source_for(tmp_path / "drop")

    with pytest.raises(SourceError, match=r"row 1, column 'CostInBillingCurrency': required column missing"):
        reader.load_month(con, LocalLanding(source.id, tmp_path / "drop"), source, date(2025, 3, 1))


def test_before_commit_refuses_usage_with_no_subscription_naming_the_native_column(con, tmp_path):
    orphan = list(VM)
    orphan[0] = orphan[-1] = ""
    write_csv(tmp_path / "drop" / "costs.csv", EA_HEADER, [VM, orphan])
    source = source_for(tmp_path / "drop")

    with pytest.raises(SourceError, match=r"row 3, column 'SubscriptionId': .* breaks the azure billing contract"):
        load_all(con, source)


def test_the_dataset_option_accepts_actual_or_amortized_only(tmp_path):
    validate_options(tmp_path / "sources.yaml", "s", {"dataset": "amortized"})
    with pytest.raises(ConfigError, match=r"key 'dataset' must be one of \['actual', 'amortized'\]"):
        validate_options(tmp_path / "sources.yaml", "s", {"dataset": "AmortizedCost"})


def test_the_real_ea_sample_loads_every_row_with_its_cost_exactly(con, tmp_path):
    (tmp_path / "drop").mkdir()
    shutil.copyfile(EA_SAMPLE, tmp_path / "drop" / EA_SAMPLE.name)
    with EA_SAMPLE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))

    assert load_all(con, source_for(tmp_path / "drop")) == [date(2023, 9, 1)]

    expected = sum(Decimal(r["CostInBillingCurrency"]).quantize(Decimal("1e-10")) for r in rows)
    assert con.execute(
        "SELECT COUNT(*), SUM(billed_cost), MIN(currency), MAX(currency) FROM raw.focus_charges"
    ).fetchall() == [(len(rows), expected, "CAD", "CAD")]
    regions = {r[0] for r in con.execute("SELECT DISTINCT region FROM raw.focus_charges").fetchall()}
    assert regions == {r["ResourceLocation"].lower() for r in rows}
