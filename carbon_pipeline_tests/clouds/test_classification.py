"""Classification from what each provider's FOCUS rows carry (issue 14, item 2): Google Cloud's usage units
(core seconds, byte-seconds, bytes), an Azure VM's vCPU from its size name, and AWS rows without x_UsageType
(AWS's FOCUS 1.2 table has x_ServiceCode and x_Operation but no x_UsageType) classified from a SkuMeter
written as a CUR usage type or the instance type their description names. Expected kWh are written from
Cloud Carbon Footprint's published provider constants (default profile, CCF @ b7a049c7): Google Cloud's N2
family is Cascade Lake (0.64 / 3.97 W per vCPU) and us-central1's PUE 1.11; Azure's D4 v3 is CCF's Cascade Lake,
Skylake, Broadwell, Haswell average (0.75 / 4.165 W), an Azure vCore without a size takes Azure's average
(0.74 / 3.54 W), Azure's PUE 1.185; at CCF's 50 % utilisation; memory 0.000392 kWh/GB-hour, HDD 0.65
Wh/TB-hour, network 0.001 kWh/GB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
HOURS_IN_MARCH = 744
GCP_PUE, AZURE_PUE = 1.11, 1.185  # us-central1 (Google's trailing twelve months, in CCF); Azure fleet
N2_VCPU_HOUR_KWH = (0.64 + 0.5 * (3.97 - 0.64)) / 1000 * GCP_PUE
D4_V3_VCPU_HOUR_KWH = (0.75 + 0.5 * (4.165 - 0.75)) / 1000 * AZURE_PUE
AZURE_AVERAGE_VCPU_HOUR_KWH = (0.74 + 0.5 * (3.54 - 0.74)) / 1000 * AZURE_PUE
PARAMS = {"coefficient_profile": "default", "cloud_scope_policy": "scope3_category1"}

CHARGES = [
    # line, provider, region, service, unit, quantity, sku_meter, description, details
    (2, "gcp", "us-central1", "Compute Engine", "seconds", 7200.0, None, "N2 Instance Core running in Americas", None),
    (3, "gcp", "us-central1", "Compute Engine", "byte-seconds", 3600e9 * 8, None, "N2 Instance Ram running", None),
    (4, "gcp", "us-central1", "Compute Engine", "byte-seconds", 100e9 * 3600 * HOURS_IN_MARCH, None,
     "Storage PD Capacity", None),
    (5, "gcp", "us-central1", "Networking", "bytes", 5e9, None, "Network Internet Egress from Americas", None),
    (6, "azure", "eastus", "Virtual Machines", "Hours", 10.0, "Virtual Machines | Dv3/DSv3 Series | D4 v3/D4s v3",
     None, None),
    (7, "aws", "us-east-1", "Amazon Elastic Compute Cloud", "Hours", 24.0, "USE1-BoxUsage:m5.xlarge", None, None),
    (8, "aws", "us-east-1", "Amazon Elastic Compute Cloud", "Hours", 24.0, None,
     "$0.192 per On Demand Linux m5.xlarge Instance Hour", None),
    # Azure SQL Database bills vCore-hours (the sample: vCores 2 over one day = 48): not x 2 again
    (9, "azure", "westus2", "SQL Database", "Hours", 48.0,
     "SQL Database | Single/Elastic Pool General Purpose - Compute Gen5 | vCore",
     "SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - 1 vCore - vCore - US West 2", '{"vCores":2}'),
    # an EBS volume named by its description; a Marketplace fee naming the instance it runs on is not compute
    (10, "aws", "us-east-1", "Amazon Elastic Compute Cloud", "GB-Months", 100.0, None,
     "$0.08 per GB-month of General Purpose (gp3) provisioned storage - US East (N. Virginia)", None),
    (11, "aws", "us-east-1", "Red Hat OpenShift Service on AWS", "Hours", 24.0, None,
     "AWS Marketplace hourly software usage|us-east-1|m5.2xlarge", None),
]  # fmt: skip


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    con = open_warehouse(Path(tmp_path_factory.mktemp("classes")) / "w.duckdb")
    try:
        load_catalogue(con)
        for line, provider, region, service, unit, quantity, meter, description, details in CHARGES:
            con.execute(
                """INSERT INTO raw.focus_charges (source_id, period_month, focus_version, delivery_id, object_key,
                       object_line, provider, sub_account_id, region, service_name, charge_category,
                       charge_period_start, consumed_quantity, consumed_unit, billed_cost, currency, sku_meter,
                       charge_description, sku_price_details)
                   VALUES ('f', ?, '1.2', 'x', 'f.csv', ?, ?, '012345678901', ?, ?, 'Usage', ?, ?, ?, 1, 'USD',
                       ?, ?, ?)""",
                [MARCH, line, provider, region, service, MARCH, quantity, unit, meter, description, details],
            )
        for table, models in (
            ("ledger.activity", ["ledger/activity_cloud_billing", "ledger/activity_focus"]),
            ("emissions.activity_emissions", ["emissions/activity_emissions"]),
        ):
            replace_months(con, table, models, MARCH, APRIL, pinned_model_version=None, **PARAMS)
        cursor = con.execute(
            """SELECT a.first_line, a.estimation_class, a.instance_type, a.usage_type, e.energy_kwh, e.formula, e.flag
               FROM ledger.activity AS a JOIN emissions.activity_emissions AS e
                   ON e.activity_id = a.activity_id AND e.method = 'location'"""
        )
        columns = [d[0] for d in cursor.description]
        return {r[0]: dict(zip(columns, r, strict=True)) for r in cursor.fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize(
    ("line", "estimation_class", "kwh"),
    [
        (2, "compute", 2 * N2_VCPU_HOUR_KWH),  # 7200 core-seconds = 2 vCPU-hours of an N2 (Cascade Lake)
        (3, "memory", 8 * 0.000392 * GCP_PUE),  # 8 GB x 1 hour
        (4, "storage_hdd", 100 * HOURS_IN_MARCH / 1000 * 0.65 / 1000 * GCP_PUE),  # 100 GB for the month, one copy
        (5, "network", 5 * 0.001 * GCP_PUE),
        (6, "compute", 10 * 4 * D4_V3_VCPU_HOUR_KWH),  # D4 v3: 4 vCPU
        # vCore-hours as billed; CCF's SQL Database replication (3) is not applied to processors (F7)
        (9, "compute", 48 * AZURE_AVERAGE_VCPU_HOUR_KWH),
    ],
)
def test_google_units_and_azure_vm_sizes_are_classified_and_scaled(rows, line, estimation_class, kwh):
    row = rows[line]
    assert row["estimation_class"] == estimation_class
    assert row["energy_kwh"] == pytest.approx(kwh, rel=1e-9)
    assert row["flag"] is None


def test_aws_rows_without_x_usage_type_are_classified_from_sku_meter_or_description(rows):
    by_meter, by_description = rows[7], rows[8]
    assert by_meter["usage_type"] == "USE1-BoxUsage:m5.xlarge" and by_meter["estimation_class"] == "compute"
    assert by_description["instance_type"] == "m5.xlarge" and by_description["estimation_class"] == "compute"
    # same instance, same hours: the same CUR estimate either way
    assert by_description["energy_kwh"] == pytest.approx(by_meter["energy_kwh"], rel=1e-12)
    assert by_meter["energy_kwh"] > 0


def test_aws_ebs_volume_named_by_its_description_is_ssd_and_marketplace_software_is_not_compute(rows):
    volume, software = rows[10], rows[11]
    assert (volume["usage_type"], volume["estimation_class"]) == ("EBS:VolumeUsage.gp3", "storage_ssd")
    assert volume["energy_kwh"] > 0
    assert software["instance_type"] is None and software["estimation_class"] == "unclassified"
