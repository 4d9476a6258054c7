"""The usage-based estimate for FOCUS rows (issue 4, item 5), one hand-worked example per class.

AWS rows of a FOCUS export carry CUR's usage type in x_UsageType: they must get exactly the estimate the same
line gets from a legacy CUR. Azure, Google Cloud and OCI rows are classified from ConsumedUnit, the SKU meter,
description and price details, and estimated with each provider's CCF constants (OCI: a flagged fallback to
CCF's AWS averages) and the grid factor of their region's geography
(factors/data/cloud_region_grid_geographies.csv). Every expected value is written out from CCF's constants
and the catalogue's published factors, not read from the project's tables: raw rows go in, the ledger and
emissions models run, the figures come out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.aws_cur.reader import group_copied_rows
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months
from carbon_pipeline_tests.emissions.test_usage_estimate import (
    CCF_US_EAST_1,
    M5_COMPUTE,
    M5_EMBODIED,
    M5_EMBODIED_CCF,
    M5_MEMORY,
    MEMORY_KWH_PER_GB_HOUR,
    NETWORK_KWH_PER_GB,
    PUE,
    SRVC_2023,
)

APRIL = date(2024, 4, 1)  # 720 hours
HOURS_IN_APRIL = 720
# CCF's average processor at its 50 % utilisation: 0.74 + 0.5 x (3.5 - 0.74) W per vCPU
AVERAGE_W = 0.74 + 0.5 * (3.5 - 0.74)
SSD_WH, HDD_WH = 1.2, 0.65
GIB = 1.073741824  # GB per GiB
# grid factors, kgCO2e/kWh, for activity year 2024: eGRID2023rev2 SRVC (Azure eastus: Virginia); Belgium
# (GCP europe-west1), an EU-27 member state, takes EEA's direct intensity of its newest data year, 2020:
# 161.0 gCO2e/kWh (preferred to Ember's lifecycle 117.58); the UK (OCI uk-london-1) has no EEA factor and
# keeps Ember's 2024 lifecycle intensity
BEL_EEA_2020 = 161.0 / 1000
GBR_2024 = 0.21579


@dataclass(frozen=True)
class Charge:
    provider: str
    region: str | None
    service: str
    category: str | None
    unit: str
    quantity: float
    cost: float = 1.0
    charge_category: str = "Usage"
    sku_meter: str | None = None
    description: str | None = None
    details: str | None = None
    usage_type: str | None = None
    service_code: str | None = None


CHARGES = {
    "azure_vm": Charge(
        "azure",
        "eastus",
        "Virtual Machines",
        "Compute",
        "Hours",
        100,
        sku_meter="Virtual Machines | Dv3/DSv3 Series | D2 v3/D2s v3",
        details='{"UsageType":"ComputeHR","ServiceType":"Standard_D2s_v3","VCPUs":2}',
    ),
    "azure_blob": Charge(
        "azure",
        "eastus",
        "Storage",
        "Storage",
        "GB/Month",
        1000,
        sku_meter="Storage | Tiered Block Blob | Hot LRS Data Stored",
    ),
    "azure_premium_ssd": Charge(
        "azure",
        "eastus",
        "Storage",
        "Storage",
        "GB/Month",
        500,
        sku_meter="Storage | Premium SSD Managed Disks | P10 LRS Data Stored",
    ),
    "azure_egress": Charge(
        "azure",
        "eastus",
        "Bandwidth",
        "Networking",
        "GB",
        200,
        sku_meter="Bandwidth | Inter-Region | Intra Continent Data Transfer Out",
    ),
    "azure_data_processed": Charge(
        "azure",
        "eastus",
        "Load Balancer",
        "Networking",
        "GB",
        300,
        sku_meter="Load Balancer | Standard | Standard Data Processed",
    ),
    "azure_operations": Charge("azure", "eastus", "Storage", "Storage", "Units", 10, sku_meter="Storage | Tables"),
    "azure_negative_vm": Charge(
        "azure",
        "eastus",
        "Virtual Machines",
        "Compute",
        "Hours",
        -24,
        details='{"VCPUs":2}',
        sku_meter="Virtual Machines | Dv3/DSv3 Series | D2 v3/D2s v3",
    ),
    "azure_credit": Charge("azure", "eastus", "Virtual Machines", "Compute", "Hours", 5, -3.0, "Credit"),
    "gcp_core": Charge(
        "gcp",
        "europe-west1",
        "Compute Engine",
        "Compute",
        "hour",
        50,
        description="N2 Instance Core running in Belgium",
    ),
    "gcp_ram": Charge(
        "gcp",
        "europe-west1",
        "Compute Engine",
        "Compute",
        "gibibyte hour",
        400,
        description="N2 Instance Ram running in Belgium",
    ),
    "oci_ocpu": Charge("oci", "uk-london-1", "Compute", "Compute", "OCPU Hours", 10),
    "oci_no_region": Charge("oci", None, "Compute", "Compute", "OCPU Hours", 10),
    "aws_m5": Charge(
        "aws",
        "us-east-1",
        "Amazon Elastic Compute Cloud",
        "Compute",
        "Hours",
        720,
        138.24,
        usage_type="USE1-BoxUsage:m5.xlarge",
        service_code="AmazonEC2",
    ),
    "aws_without_usage_type": Charge("aws", "us-east-1", "Amazon Simple Queue Service", "Integration", "Requests", 9),
}

# expected (estimation class, kWh, grid factor) for the default profile, from each provider's CCF constants
# (issue 14): Azure PUE 1.185 and replication LRS 3; Google Cloud europe-west1 PUE 1.09 and N2 = Cascade Lake;
# OCI has no CCF constants and keeps CCF's AWS averages (0.74 / 3.5 W, PUE 1.135), flagged as a fallback
AZURE_PUE, GCP_BELGIUM_PUE = 1.185, 1.09
D2S_V3_W = 0.75 + 0.5 * (4.165 - 0.75)  # CCF's Azure D2s v3: Cascade Lake, Skylake, Broadwell, Haswell averaged
N2_W = 0.64 + 0.5 * (3.97 - 0.64)  # CCF's Google Cloud n2: Cascade Lake
LRS = 3  # CCF's Azure STORAGE_LRS replication
COMPUTE_KWH_PER_VCPU_HOUR = AVERAGE_W / 1000 * PUE  # OCI's fallback
EXPECTED = {
    "azure_vm": ("compute", 100 * 2 * D2S_V3_W / 1000 * AZURE_PUE, SRVC_2023),
    "azure_blob": ("storage_hdd", 1000 * HOURS_IN_APRIL / 1000 * HDD_WH / 1000 * LRS * AZURE_PUE, SRVC_2023),
    "azure_premium_ssd": ("storage_ssd", 500 * HOURS_IN_APRIL / 1000 * SSD_WH / 1000 * LRS * AZURE_PUE, SRVC_2023),
    "azure_egress": ("network", 200 * NETWORK_KWH_PER_GB * AZURE_PUE, SRVC_2023),
    "gcp_core": ("compute", 50 * N2_W / 1000 * GCP_BELGIUM_PUE, BEL_EEA_2020),
    "gcp_ram": ("memory", 400 * GIB * MEMORY_KWH_PER_GB_HOUR * GCP_BELGIUM_PUE, BEL_EEA_2020),
    # an x86 OCPU is two vCPU
    "oci_ocpu": ("compute", 10 * 2 * COMPUTE_KWH_PER_VCPU_HOUR, GBR_2024),
}


def insert_charge(con: duckdb.DuckDBPyConnection, line: int, c: Charge) -> None:
    con.execute(
        """INSERT INTO raw.focus_charges (source_id, period_month, focus_version, delivery_id, object_key,
               object_line, provider, sub_account_id, region, service_name, service_category, charge_category,
               charge_period_start, consumed_quantity, consumed_unit, billed_cost, currency, usage_type,
               service_code, charge_description, sku_meter, sku_price_details, flag)
           VALUES ('test-focus', ?, '1.0', 'sha256:test', 'focus.csv', ?, ?, '012345678901', ?, ?, ?, ?,
               ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?,
               CASE WHEN ? = 'Usage' AND ? < 0 THEN 'negative_usage' END)""",
        [
            APRIL,
            line,
            c.provider,
            c.region,
            c.service,
            c.category,
            c.charge_category,
            APRIL,
            c.quantity,
            c.unit,
            c.cost,
            c.usage_type,
            c.service_code,
            c.description,
            c.sku_meter,
            c.details,
            c.charge_category,
            c.quantity,
        ],
    )


def insert_cur_twin(con: duckdb.DuckDBPyConnection) -> None:
    """The aws_m5 charge as a legacy CUR line: the FOCUS row must get exactly its estimate."""
    con.execute(
        """INSERT INTO raw.aws_cur_line_items (source_id, period_month, assembly_id, object_key, object_line,
               usage_account_id, line_item_type, product_code, usage_type, usage_start, usage_amount,
               pricing_unit, unblended_cost, currency, region_code)
           VALUES ('test-cur', ?, 'assembly-1', 'cur-1.csv.gz', 2, '012345678901', 'Usage', 'AmazonEC2',
               'USE1-BoxUsage:m5.xlarge', ?, 720, 'Hrs', 138.24, 'USD', 'us-east-1')""",
        [APRIL, APRIL],
    )
    group_copied_rows(con, "raw.aws_cur_line_items", "aws_cur", "test-cur", APRIL)  # what the raw stage does next


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict]]:
    """{profile: {charge name: location-based emission row with the ledger's class and flag}}, plus 'cur_m5'."""
    con = open_warehouse(Path(tmp_path_factory.mktemp("focus-estimate")) / "warehouse.duckdb")
    try:
        load_catalogue(con)
        for line, charge in enumerate(CHARGES.values(), start=2):
            insert_charge(con, line, charge)
        insert_cur_twin(con)
        names = {line: name for line, name in enumerate(CHARGES, start=2)}
        out: dict[str, dict[str, dict]] = {}
        for profile in ("default", "ccf"):
            params = {"coefficient_profile": profile, "cloud_scope_policy": "scope3_category1"}
            replace_months(
                con,
                "ledger.activity",
                ["ledger/activity_cloud_billing", "ledger/activity_focus"],
                APRIL,
                date(2024, 5, 1),
                **params,
            )
            replace_months(
                con,
                "emissions.activity_emissions",
                ["emissions/activity_emissions"],
                APRIL,
                date(2024, 5, 1),
                pinned_model_version=None,
                **params,
            )
            cursor = con.execute(
                """SELECT a.source_kind, a.first_line, a.estimation_class, a.flag AS ledger_flag, e.*
                   FROM ledger.activity AS a
                   LEFT JOIN emissions.activity_emissions AS e
                       ON e.activity_id = a.activity_id AND e.method = 'location'"""
            )
            columns = [d[0] for d in cursor.description]
            rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            out[profile] = {("cur_m5" if r["source_kind"] == "aws_cur" else names[r["first_line"]]): r for r in rows}
        return out
    finally:
        con.close()


def approx(value: float):
    return pytest.approx(value, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_azure_gcp_and_oci_usage_worked_by_hand(estimates, name):
    estimation_class, kwh, factor = EXPECTED[name]
    row = estimates["default"][name]
    assert row["estimation_class"] == estimation_class
    assert row["energy_kwh"] == approx(kwh)
    assert row["factor_value"] == approx(factor)
    assert row["tco2e"] == approx(kwh * factor / 1000)
    assert row["flag"] is None
    assert row["basis"] == "estimated_usage"
    # EEA's direct factor where the country has one, Ember's labelled lifecycle one where not
    assert row["factor_boundary"] == ("lifecycle" if row["factor_id"].startswith("ember:") else "direct")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_ccf_profile_gives_other_providers_the_same_figure(estimates, name):
    """CCF's constants are the same in both profiles and its grid factors are AWS's only: the region's own
    geography serves both."""
    assert estimates["ccf"][name]["tco2e"] == approx(estimates["default"][name]["tco2e"])
    assert estimates["ccf"][name]["formula"].startswith("[ccf] ")


def test_aws_focus_row_gets_exactly_the_cur_estimate(estimates):
    for profile in ("default", "ccf"):
        focus, cur = estimates[profile]["aws_m5"], estimates[profile]["cur_m5"]
        assert focus["estimation_class"] == cur["estimation_class"] == "compute"
        assert focus["energy_kwh"] == approx(cur["energy_kwh"])
        assert focus["tco2e"] == approx(cur["tco2e"])
        assert focus["formula"] == cur["formula"]
    # and that is CCF's m5.xlarge, worked by hand in test_usage_estimate.py
    assert estimates["default"]["aws_m5"]["tco2e"] == approx((M5_COMPUTE + M5_MEMORY) * SRVC_2023 / 1000 + M5_EMBODIED)
    assert estimates["ccf"]["aws_m5"]["tco2e"] == approx(
        (M5_COMPUTE + M5_MEMORY) * CCF_US_EAST_1 / 1000 + M5_EMBODIED_CCF
    )


def test_usage_that_cannot_be_classified_reliably_stays_unclassified_and_is_estimated_from_cost(estimates):
    """Issue 14, no silent zero: as CUR's rule, kWh = cost x the kWh per cost of the same provider-month's
    estimated rows with the same pricing unit (Load Balancer GB: the egress row), else all of them (Storage
    Units: Azure's four classified rows), each of cost 1.0; flagged estimated_from_cost."""
    azure = ("azure_vm", "azure_blob", "azure_premium_ssd", "azure_egress")
    ratios = {
        "azure_operations": sum(EXPECTED[name][1] for name in azure) / len(azure),
        "azure_data_processed": EXPECTED["azure_egress"][1],
    }
    for name, kwh_per_cost in ratios.items():
        row = estimates["default"][name]
        assert (row["estimation_class"], row["ledger_flag"]) == ("unclassified", "no_usage_coefficient"), name
        assert row["flag"] == "estimated_from_cost", name
        assert row["energy_kwh"] == approx(1.0 * kwh_per_cost), name
        assert row["tco2e"] == approx(1.0 * kwh_per_cost * SRVC_2023 / 1000), name


def test_aws_focus_usage_without_a_usage_type_takes_the_cur_rule_for_unclassified_usage(estimates):
    """CUR's rule: kWh per unit of cost of the month's estimated AWS billing rows (here the m5 line, once
    from FOCUS and once from the CUR, same kWh and cost), times the row's cost of 1.0."""
    row = estimates["default"]["aws_without_usage_type"]
    assert (row["estimation_class"], row["ledger_flag"]) == ("unclassified", "no_usage_coefficient")
    assert row["flag"] == "estimated_from_cost"
    assert row["energy_kwh"] == approx(1.0 * (M5_COMPUTE + M5_MEMORY) / 138.24)


def test_negative_usage_is_kept_flagged_and_not_estimated(estimates):
    row = estimates["default"]["azure_negative_vm"]
    assert row["ledger_flag"] == "negative_usage"
    assert row["tco2e"] is None and row["energy_kwh"] is None
    assert row["flag"] == "negative_usage"
    assert "negative usage" in row["formula"]


def test_a_region_without_a_grid_geography_has_its_energy_but_no_factor(estimates):
    row = estimates["default"]["oci_no_region"]
    assert row["energy_kwh"] == approx(10 * 2 * COMPUTE_KWH_PER_VCPU_HOUR)
    assert row["tco2e"] is None and row["flag"] == "no_factor"


def test_charges_that_are_not_usage_are_cost_only(estimates):
    row = estimates["default"]["azure_credit"]
    assert row["estimation_class"] == "cost_only" and row["method"] is None
