"""The native Azure and Google exports through the whole job and against FOCUS (issue 14, item 2).

* One run over an Azure cost-details source (the real anonymised EA export, fixtures/native/SOURCES.md) and a
  Google billing-export source (hand-written nested JSONL): the run passes, every raw row reaches the ledger
  with its cost, the inventory is not zero, and the CLI prints the coverage of both providers.
* One bill, one number: the real Azure FocusCost sample and the same charges written back as an actual-cost
  cost-details file (each FOCUS column to the native column Microsoft derives it from) give the same ledger
  cost to the cent, per account, region, unit and charge category.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline import cli
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.azure_cost_details import reader as azure
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.focus import reader as focus
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline.warehouse.sql_models import model_sql

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EA_SAMPLE = FIXTURES / "native" / "focus_converters_azure_ea_cost_details_2023-09.csv"
TEN_PLACES = Decimal("1e-10")  # raw.focus_charges.billed_cost is DECIMAL(38, 10)
AZURE_FOCUS = FIXTURES / "focus" / "azure_focuscost_1.0_export_sample_1000.csv"


def gcp_row(sku: str, unit: str, amount: float, cost: float, credits: list | None = None) -> dict:
    return {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": "SKU", "description": sku},
        "usage_start_time": "2023-09-02 00:00:00 UTC",
        "project": {"id": "shop-prod"},
        "location": {"location": "us-central1", "region": "us-central1"},
        "cost": cost,
        "currency": "USD",
        "usage": {"amount": amount, "unit": unit},
        "credits": credits or [],
        "cost_type": "regular",
    }


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: str) -> None:
    (tmp_path / "sources.yaml").write_text(sources)
    for name, value in {
        "CARBON_SOURCES": tmp_path / "sources.yaml",
        "CARBON_WAREHOUSE": tmp_path / "warehouse.duckdb",
        "CARBON_SERVING": tmp_path / "serving.duckdb",
        "CARBON_STAGING": tmp_path / "staging",
        "CARBON_REPORTS": tmp_path / "reports",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("CARBON_PARTITION_STORE", raising=False)


def test_a_run_over_both_native_kinds_passes_with_a_non_zero_inventory_and_prints_their_coverage(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "landing" / "azure").mkdir(parents=True)
    shutil.copyfile(EA_SAMPLE, tmp_path / "landing" / "azure" / EA_SAMPLE.name)
    (tmp_path / "landing" / "gcp").mkdir()
    rows = [
        gcp_row("N2 Instance Core running in Americas", "seconds", 7200 * 24, 1.44, [{"amount": -0.3}]),
        gcp_row("N2 Instance Ram running in Americas", "byte-seconds", 8 * 2**30 * 3600 * 24, 0.19),
        gcp_row("Network Internet Egress from Americas to Americas", "bytes", 5 * 2**30, 0.6),
    ]
    (tmp_path / "landing" / "gcp" / "billing.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    configure(tmp_path, monkeypatch, "settings:\n  start_month: 2023-09\nsources:\n"
              "  - {id: azure-ea, kind: azure_cost_details, uri: landing/azure}\n"
              "  - {id: gcp-billing, kind: gcp_billing_export, uri: landing/gcp}\n")  # fmt: skip

    code = cli.main(["run"])

    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    coverage = [line.split()[0] for line in out.split("cloud usage coverage", 1)[1].splitlines()[1:] if line.strip()]
    assert set(coverage) == {"azure", "gcp"}
    wh = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        ledger = wh.execute(
            "SELECT source_id, SUM(line_item_count), SUM(cost) FROM ledger.activity GROUP BY 1 ORDER BY 1"
        ).fetchall()
        raw = wh.execute(
            "SELECT source_id, COUNT(*), SUM(billed_cost) FROM raw.focus_charges GROUP BY 1 ORDER BY 1"
        ).fetchall()
        inventory = wh.execute(
            "SELECT SUM(tco2e) FROM marts.scope_summary WHERE period_month = DATE '2023-09-01' AND method = 'location'"
        ).fetchall()[0][0]
        classes = dict(
            wh.execute(
                "SELECT provider || '/' || estimation_class, SUM(line_item_count) FROM ledger.activity "
                "WHERE activity_type = 'cloud_usage' GROUP BY 1"
            ).fetchall()
        )
    finally:
        wh.close()
    with EA_SAMPLE.open(newline="") as handle:
        ea_rows = list(csv.DictReader(handle))
    assert ledger == raw
    assert raw == [
        ("azure-ea", len(ea_rows), sum(Decimal(r["CostInBillingCurrency"]).quantize(TEN_PLACES) for r in ea_rows)),
        ("gcp-billing", 4, Decimal("1.44") - Decimal("0.3") + Decimal("0.19") + Decimal("0.6")),
    ]  # fmt: skip
    assert inventory > 0
    # the GCP core, RAM and egress rows are classified as the same rows exported as FOCUS are; the EA sample's
    # spot VMs are compute by the vCPUs their meter names
    assert (classes["gcp/compute"], classes["gcp/memory"], classes["gcp/network"]) == (1, 1, 1)
    assert classes["azure/compute"] > 0


def twin_cost_details(focus_csv: Path, target: Path) -> list[dict[str, str]]:
    """The FOCUS rows written back as the actual-cost cost-details rows Microsoft derives them from."""
    with focus_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    twins = []
    for r in rows:
        start = datetime.fromisoformat(r["ChargePeriodStart"].replace("Z", "+00:00"))
        committed = r["CommitmentDiscountStatus"] == "Used"
        twins.append({
            "SubscriptionId": r["SubAccountId"].removeprefix("/subscriptions/"),
            "BillingAccountId": r["BillingAccountId"],
            "ResourceLocation": r["RegionName"],
            "Date": f"{start:%m/%d/%Y}",
            "ProductName": r["x_SkuDescription"],
            "MeterCategory": r["x_SkuMeterCategory"],
            "MeterSubCategory": r["x_SkuMeterSubcategory"],
            "MeterName": r["x_SkuMeterName"],
            "MeterId": r["x_SkuMeterId"],
            "UnitOfMeasure": r["x_PricingUnitDescription"],
            "Quantity": r["ConsumedQuantity"],
            "CostInBillingCurrency": r["BilledCost"],
            "BillingCurrency": r["BillingCurrency"],
            "ChargeType": "Usage" if r["ChargeCategory"] == "Usage" else r["ChargeCategory"],
            "PricingModel": "Reservation" if committed else "OnDemand",
            "BenefitId": r["CommitmentDiscountId"],
            "AdditionalInfo": r["x_SkuDetails"],
        })  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(twins[0]))
        writer.writeheader()
        writer.writerows(twins)
    return rows


def test_the_same_azure_bill_as_focus_and_as_cost_details_gives_the_same_ledger_cost_to_the_cent(tmp_path):
    (tmp_path / "focus").mkdir()
    shutil.copyfile(AZURE_FOCUS, tmp_path / "focus" / AZURE_FOCUS.name)
    rows = twin_cost_details(AZURE_FOCUS, tmp_path / "native" / "costs.csv")
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        load_catalogue(con)
        for kind, module, folder in (("focus", focus, "focus"), ("azure_cost_details", azure, "native")):
            source = SourceConfig(id=folder, kind=kind, uri=str(tmp_path / folder))
            landing = LocalLanding(source.id, tmp_path / folder)
            for month in module.available_months(landing, source):
                with transaction(con):
                    module.load_month(con, landing, source, month)
        con.execute("CREATE TEMP TABLE ledger_rows AS " + ledger_focus_sql())
        by_source = con.execute(
            "SELECT source_id, account_id, region, unit, line_item_type, SUM(line_item_count), SUM(cost) "
            "FROM ledger_rows GROUP BY ALL ORDER BY 2, 3, 4, 5, 1"
        ).fetchall()
        totals = dict(con.execute("SELECT source_id, ROUND(SUM(cost), 2) FROM ledger_rows GROUP BY 1").fetchall())
    finally:
        con.close()
    assert totals["focus"] == totals["native"] == round(sum(Decimal(r["BilledCost"]) for r in rows), 2)
    focus_grain = [r[1:] for r in by_source if r[0] == "focus"]
    native_grain = [r[1:] for r in by_source if r[0] == "native"]
    assert focus_grain == native_grain


def ledger_focus_sql(start: str = "2024-01-01", end: str = "2025-01-01") -> str:
    """The ledger's FOCUS model over the given months, as a query (parameters inlined as literals)."""
    return (
        model_sql("ledger/activity_focus")
        .replace("$start", f"'{start}'")
        .replace("$end", f"'{end}'")
        .replace("$cloud_scope_policy", "'scope3_category1'")
    )


def test_an_amortized_export_books_covered_usage_as_usage_and_the_unused_commitment_as_cost_only(tmp_path):
    header = ["SubscriptionId", "ResourceLocation", "Date", "MeterCategory", "MeterSubCategory", "MeterName",
              "UnitOfMeasure", "Quantity", "CostInBillingCurrency", "BillingCurrency", "ChargeType", "PricingModel",
              "AdditionalInfo"]  # fmt: skip
    rows = [
        ["sub-1", "eastus2", "03/05/2025", "Virtual Machines", "Dv3/DSv3 Series", "D2s v3", "1 Hour", "24", "1.10",
         "USD", "Usage", "Reservation", '{"VCPUs":2}'],
        ["sub-1", "eastus2", "03/05/2025", "Virtual Machines", "Dv3/DSv3 Series", "D2s v3", "1 Hour", "4", "0.20",
         "USD", "UnusedReservation", "Reservation", ""],
    ]  # fmt: skip
    (tmp_path / "amortized").mkdir()
    with (tmp_path / "amortized" / "costs.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    source = SourceConfig(id="amortized", kind="azure_cost_details", uri=str(tmp_path / "amortized"))
    con = open_warehouse(tmp_path / "w.duckdb")
    try:
        load_catalogue(con)
        with transaction(con):
            azure.load_month(con, LocalLanding(source.id, tmp_path / "amortized"), source, date(2025, 3, 1))
        ledger = con.execute(
            f"SELECT activity_type, estimation_class, vcpu, quantity, cost "
            f"FROM ({ledger_focus_sql('2025-03-01', '2025-04-01')}) ORDER BY cost DESC"
        ).fetchall()
    finally:
        con.close()
    assert ledger == [
        ("cloud_usage", "compute", 2, 24.0, Decimal("1.10")),
        ("cloud_charge", "cost_only", None, 4.0, Decimal("0.20")),
    ]
