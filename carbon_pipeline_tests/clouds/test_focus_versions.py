"""One FOCUS reader for 1.0-preview, 1.0, 1.1, 1.2, 1.3 and 1.4 (issue 14, item 2), on files generated here
with each version's column set: the version is detected, every row is loaded with its cost to the cent,
older and newer provider-name columns are aliases, a header collision is settled in favour of the exact
FOCUS spelling, AWS account ids keep their 12 digits, Azure region display names become region codes and
commitment negations are cost only.

Column sets: 1.0-1.2 from the FOCUS specification's column tables (as listed in
/work/shared/samples/schemas/focus_spec_columns_v1.0_v1.1_v1.2.tsv, derived from FOCUS_Spec v1.0/v1.1/v1.2,
CC BY 4.0); 1.3 and 1.4 from the release notes (1.3 adds ServiceProviderName, HostProviderName, allocation
columns and ContractApplied, deprecating ProviderName/PublisherName; 1.4 removes those two and adds
CommitmentProgramEligibilityDetails and InvoiceDetailId); 1.0-preview names as the FinOps Foundation's
focus-converter writes them (Provider, Publisher, InvoiceIssuer).
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from carbon_pipeline.factors.catalogue import DATA_DIR
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.focus import reader as focus
from carbon_pipeline.sources.focus import versions as focus_versions
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction

V1_0 = [
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
    "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId",
    "SubAccountName", "Tags",
]  # fmt: skip
V1_1 = [*V1_0, "CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountQuantity",
        "CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter", "SkuPriceDetails"]  # fmt: skip
V1_2 = [*V1_1, "BillingAccountType", "InvoiceId", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
        "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "SubAccountType"]  # fmt: skip
V1_3 = [*V1_2, "ServiceProviderName", "HostProviderName", "AllocatedMethodId", "AllocatedMethodDetails",
        "AllocatedResourceId", "AllocatedResourceName", "AllocatedTags", "ContractApplied"]  # fmt: skip
V1_4 = [c for c in V1_3 if c not in ("ProviderName", "PublisherName")] + [
    "CommitmentProgramEligibilityDetails", "InvoiceDetailId"]  # fmt: skip
PREVIEW = [{"ProviderName": "Provider", "PublisherName": "Publisher", "InvoiceIssuerName": "InvoiceIssuer"}.get(c, c)
           for c in V1_0]  # fmt: skip
VERSIONS = {"1.0-preview": PREVIEW, "1.0": V1_0, "1.1": V1_1, "1.2": V1_2, "1.3": V1_3, "1.4": V1_4}

ROWS = [
    # provider, account, region id, service, category, unit, quantity, cost, commitment id
    ("AWS", "012345678901", "us-east-1", "Amazon Elastic Compute Cloud", "Usage", "Hours", "24", "2.3040", ""),
    ("Microsoft", "sub-1", "eastus", "Virtual Machines", "Usage", "Hours", "10", "0.96", ""),
    ("Google Cloud", "proj-1", "us-central1", "Compute Engine", "Usage", "hour", "5", "0.17", ""),
    ("Oracle", "ocid1.tenancy", "us-sanjose-1", "COMPUTE", "Tax", "", "", "0.05", ""),
]


def write_version(path: Path, columns: list[str], rows=ROWS, *, extra: dict[str, list[str]] | None = None) -> None:
    """A CSV with exactly ``columns`` (+ ``extra`` columns) and one line per row; columns the rows do not fill
    are empty, as an export leaves Conditional columns."""
    header = [*columns, *(extra or {})]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for index, (provider, account, region, service, category, unit, quantity, cost, commitment) in enumerate(rows):
            values = {
                "BilledCost": cost, "EffectiveCost": cost, "BillingCurrency": "USD", "ChargeCategory": category,
                "ChargePeriodStart": "2025-03-04T05:00:00Z", "ChargePeriodEnd": "2025-03-04T06:00:00Z",
                "ProviderName": provider, "Provider": provider, "ServiceProviderName": provider,
                "HostProviderName": provider, "SubAccountId": account, "BillingAccountId": account,
                "RegionId": region, "ServiceName": service, "ConsumedUnit": unit, "ConsumedQuantity": quantity,
                "CommitmentDiscountId": commitment,
            }  # fmt: skip
            row = [values.get(c, "") for c in columns]
            row += [v[index] for v in (extra or {}).values()]
            writer.writerow(row)


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def load(con: duckdb.DuckDBPyConnection, folder: Path) -> list[dict]:
    source = SourceConfig(id="gen", kind="focus", uri=str(folder))
    landing = LocalLanding(source.id, folder)
    for month in focus.available_months(landing, source):
        with transaction(con):
            focus.load_month(con, landing, source, month)
    cursor = con.execute("SELECT * FROM raw.focus_charges ORDER BY object_key, object_line")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_version_is_detected_and_loads_every_row_with_its_cost_and_provider(con, tmp_path, version):
    folder = tmp_path / "export"
    folder.mkdir()
    write_version(folder / f"focus-{version}.csv", VERSIONS[version])

    rows = load(con, folder)

    assert [r["focus_version"] for r in rows] == [version] * len(ROWS)
    assert [r["provider"] for r in rows] == ["aws", "azure", "gcp", "oci"]
    assert [r["billed_cost"] for r in rows] == [Decimal(r[7]) for r in ROWS]
    assert [r["sub_account_id"] for r in rows] == [r[1] for r in ROWS]
    assert {r["period_month"] for r in rows} == {date(2025, 3, 1)}


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_version_is_detected_from_its_header(version):
    assert focus_versions.detect_version(VERSIONS[version]) == version


def test_parquet_of_the_newest_version_with_an_int64_aws_account_id_keeps_its_leading_zero(con, tmp_path):
    """An account id written as a number loses its leading zero; AWS ids are 12 digits and are padded back,
    other providers' ids are left as they are."""
    folder = tmp_path / "export"
    folder.mkdir()
    table = pa.table(
        {
            "BilledCost": pa.array([1.25, 2.5]),
            "BillingCurrency": ["USD", "USD"],
            "ChargeCategory": ["Usage", "Usage"],
            "ChargePeriodStart": pa.array([1741064400000, 1741064400000], pa.timestamp("ms", tz="UTC")),
            "ServiceProviderName": ["AWS", "Microsoft"],
            "HostProviderName": ["AWS", "Microsoft"],
            "ServiceName": ["Amazon Simple Storage Service", "Storage"],
            "BillingAccountId": pa.array([12345678901, 42], pa.int64()),
            "SubAccountId": pa.array([98765432101, 7], pa.int64()),
            "InvoiceDetailId": ["i-1", "i-2"],
        }
    )
    pq.write_table(table, folder / "focus-1.4.parquet")

    rows = load(con, folder)

    assert [r["focus_version"] for r in rows] == ["1.4", "1.4"]
    assert [(r["billing_account_id"], r["sub_account_id"]) for r in rows] == [
        ("012345678901", "098765432101"),
        ("42", "7"),
    ]


def test_a_converter_carrying_its_source_columns_beside_focus_ones_loads_with_the_exact_spellings(con, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    write_version(
        folder / "converted.csv",
        V1_0,
        extra={
            "billing_account_id": ["source-a", "source-b", "source-c", "source-d"],
            "billed_cost": ["999", "999", "999", "999"],
        },
    )

    rows = load(con, folder)

    assert [r["billing_account_id"] for r in rows] == [r[1] for r in ROWS]
    assert [r["billed_cost"] for r in rows] == [Decimal(r[7]) for r in ROWS]


def test_header_normaliser_prefers_exact_then_direct_then_alias():
    known = ["ProviderName", "BillingAccountId"]
    normalise = focus_versions.header_normaliser(
        ["provider_name", "ServiceProviderName", "ProviderName", "billing_account_id"], known
    )
    assert normalise("ProviderName") == "ProviderName"
    assert normalise("provider_name") == "provider_name"  # lost to the exact spelling: keeps its name
    assert normalise("ServiceProviderName") == "ServiceProviderName"
    assert normalise("billing_account_id") == "BillingAccountId"  # the only candidate takes the name
    only_alias = focus_versions.header_normaliser(["ServiceProviderName", "Provider"], known)
    assert only_alias("ServiceProviderName") == "ProviderName"  # first alias in the header wins
    assert only_alias("Provider") == "Provider"


def test_azure_region_display_names_become_region_codes(con, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    names = ["US Central", "US East 2", "EU West", "AP Southeast", "Central US", "UK South", "JA East", "eastus"]
    rows = [("Microsoft", "sub", n, "Storage", "Usage", "GB", "1", "1", "") for n in names]
    write_version(folder / "azure.csv", V1_0, rows)

    loaded = load(con, folder)

    assert [r["region"] for r in loaded] == [
        "centralus", "eastus2", "westeurope", "southeastasia", "centralus", "uksouth", "japaneast", "eastus",
    ]  # fmt: skip
    known = {
        r
        for (r,) in con.execute(
            "SELECT region_code FROM read_csv(?) WHERE provider = 'azure'",
            [str(DATA_DIR / "cloud_region_grid_geographies.csv")],
        ).fetchall()
    }
    assert {r["region"] for r in loaded} <= known


def test_a_savings_plan_negation_booked_as_usage_is_flagged_and_cost_only(con, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    arn = "arn:aws:savingsplans::012345678901:savingsplan/abc"
    rows = [
        ("AWS", "012345678901", "us-east-1", "Amazon Elastic Compute Cloud", "Usage", "Hours", "24", "2.304", arn),
        ("AWS", "012345678901", "us-east-1", "Amazon Elastic Compute Cloud", "Usage", "Hours", "24", "-2.304", arn),
        ("Microsoft", "sub", "eastus", "Virtual Machines", "Usage", "Hours", "10", "-1", "ri-1"),
    ]
    write_version(folder / "sp.csv", V1_2, rows)

    loaded = load(con, folder)

    assert [r["flag"] for r in loaded] == [None, "commitment_negation", "commitment_negation"]
    from carbon_pipeline.factors.catalogue import load_catalogue
    from carbon_pipeline.warehouse.connection import replace_months

    load_catalogue(con)
    replace_months(
        con, "ledger.activity", ["ledger/activity_cloud_billing", "ledger/activity_focus"],
        date(2025, 3, 1), date(2025, 4, 1), coefficient_profile="default", cloud_scope_policy="scope3_category1",
    )  # fmt: skip
    ledger = con.execute(
        "SELECT provider, line_item_type, estimation_class, cost FROM ledger.activity ORDER BY provider, cost"
    ).fetchall()
    assert ledger == [
        ("aws", "SavingsPlanNegation", "cost_only", Decimal("-2.304")),
        ("aws", "Usage", "unclassified", Decimal("2.304")),
        ("azure", "Usage", "cost_only", Decimal("-1")),
    ]
