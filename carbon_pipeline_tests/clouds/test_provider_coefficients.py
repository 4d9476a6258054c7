"""Provider-specific coefficients for Azure, Google Cloud and OCI FOCUS usage (issue 14, item 3), one tiny table
per provider and category: raw FOCUS rows go in, the ledger and emissions models run, and each row's kWh is
checked against a value written out from the published constants, with the coefficient it says it used.

The constants are Cloud Carbon Footprint's (cloud-carbon-footprint @ b7a049c7, Apache-2.0):
* Azure (AzureFootprintEstimationConstants.ts): average 0.74 / 3.54 W per vCPU, PUE 1.185, replication LRS 3,
  GRS 6, Cosmos DB data 4, Redis cache 2; T4 8 / 71 W, V100 35 / 306 W per GPU. VirtualMachineTypes.ts: D11 v2
  has 2 vCPU on Cascade Lake, Skylake, Broadwell, Haswell (0.75 / 4.165 W averaged); NC6s v3 has 6 vCPU and one
  V100; P1 v3 plan 2 vCPU. ConsumptionTypes.ts: S10 disk 128 GB, C1 cache 1 GB.
* Google Cloud (GcpFootprintEstimationConstants.ts): median 0.68 / 4.11 W, PUE 1.1, us-central1 1.11, us-east4 1.08;
  MachineTypes.ts: e2 = Skylake, Broadwell, Haswell, EPYC 2nd Gen (0.7075 / 3.595 W); Cloud Storage replication 2.
* OCI has no CCF package: shapes from Oracle's documentation (E4 = EPYC 3rd Gen 0.45 / 2.02 W, 2 vCPU per OCPU;
  A1 = Neoverse N1 as AWS Graviton2 0.47 / 1.69 W, 1 vCPU per OCPU) and CCF's AWS averages (PUE 1.135) as a
  flagged fallback.
All at CCF's 50 % utilisation; memory 0.000392 kWh/GB-hour, SSD 1.2 and HDD 0.65 Wh/TB-hour.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
HOURS = 744  # March
UTIL = 0.5
AZURE_PUE, GCP_PUE, GCP_US_CENTRAL1_PUE, GCP_US_EAST4_PUE, OCI_PUE = 1.185, 1.1, 1.11, 1.08, 1.135


def watts(low: float, high: float) -> float:
    return low + UTIL * (high - low)


CHARGES = [
    # line, provider, region, service, unit, quantity, sku_meter, description, details
    # --- Azure ---
    (2, "azure", "eastus", "Virtual Machines", "Hours", 10.0, "Virtual Machines | Dv2/DSv2 Series | D11 v2/DS11 v2",
     None, None),
    (3, "azure", "eastus", "Virtual Machines", "Hours", 10.0, "Virtual Machines | NCSv3 Series | NC6s v3",
     None, '{"ServiceType":"Standard_NC6s_v3","VCPUs":6}'),
    (4, "azure", "eastus", "Azure App Service", "Hours", 24.0, "Azure App Service | Premium v3 Plan | P1 v3 App",
     None, None),
    (5, "azure", "eastus", "Virtual Machines", "Units/Month", 1.0,
     "Storage | Standard HDD Managed Disks | S10 LRS Disk", None, None),
    (6, "azure", "eastus", "Storage Accounts", "GB/Month", 100.0,
     "Storage | General Block Blob v2 | Hot RA-GRS Data Stored", None, None),
    (7, "azure", "eastus", "Azure Cosmos DB", "GB/Month", 10.0, "Azure Cosmos DB | | Data Stored", None, None),
    (8, "azure", "eastus", "Redis Cache", "Hours", 24.0, "Redis Cache | Standard | C1 Cache Instance", None, None),
    (9, "azure", "eastus", "SQL Database", "Hours", 48.0,
     "SQL Database | Single/Elastic Pool General Purpose - SQL License | vCore",
     "SQL Database Single/Elastic Pool General Purpose - SQL License - vCore", '{"vCores":2}'),
    (10, "azure", "US East 2", "Virtual Machines", "Hours", 10.0, "Virtual Machines | Dv2/DSv2 Series | D11 v2/DS11 v2",
     None, None),
    (11, "azure", "eastus2", "Virtual Machines", "Hours", 10.0, "Virtual Machines | Dv2/DSv2 Series | D11 v2/DS11 v2",
     None, None),
    (12, "azure", "eastus", "SQL Database", "Hours", 48.0,
     "SQL Database | Single/Elastic Pool General Purpose - Compute Gen5 | vCore", None, '{"vCores":2}'),
    (13, "azure", "eastus", "Premium SSD", "Units/Month", 1.0, None,
     "Premium SSD Managed Disks - P4 LRS - US East", None),
    # --- Google Cloud ---
    (20, "gcp", "us-east4", "Compute Engine", "seconds", 36000.0, None, "E2 Instance Core running in Virginia", None),
    (21, "gcp", "us-central1", "Compute Engine", "seconds", 36000.0, None, "Nvidia Tesla T4 GPU running in Americas",
     None),
    (22, "gcp", "us-central1", "Cloud Storage", "byte-seconds", 100e9 * 3600 * HOURS, None,
     "Standard Storage US Multi-region", None),
    (23, "gcp", "asia-south1", "Compute Engine", "seconds", 36000.0, None, "C3 Instance Core running in Mumbai", None),
    # --- OCI ---
    (30, "oci", "uk-london-1", "COMPUTE", "OCPU Hours", 10.0, None, "Standard - E4", None),
    (31, "oci", "uk-london-1", "COMPUTE", "OCPU Hours", 10.0, None, "Standard - A1", None),
    (32, "oci", "IAD", "COMPUTE", "OCPU Hours", 10.0, None, "Standard - E4", None),
    (33, "oci", "us-ashburn-1", "COMPUTE", "OCPU Hours", 10.0, None, "Standard - E4", None),
]  # fmt: skip


def run(tmp: Path, profile: str) -> dict[int, dict]:
    con = open_warehouse(tmp / f"{profile}.duckdb")
    try:
        load_catalogue(con)
        for line, provider, region, service, unit, quantity, meter, description, details in CHARGES:
            con.execute(
                """INSERT INTO raw.focus_charges (source_id, period_month, focus_version, delivery_id, object_key,
                       object_line, provider, sub_account_id, region, service_name, charge_category,
                       charge_period_start, consumed_quantity, consumed_unit, billed_cost, currency, sku_meter,
                       charge_description, sku_price_details)
                   VALUES ('f', ?, '1.2', 'x', 'f.csv', ?, ?, 'sub-1', ?, ?, 'Usage', ?, ?, ?, 1, 'USD', ?, ?, ?)""",
                [MARCH, line, provider, region, service, MARCH, quantity, unit, meter, description, details],
            )
        params = {"coefficient_profile": profile, "cloud_scope_policy": "scope3_category1"}
        for table, models in (
            ("ledger.activity", ["ledger/activity_cloud_billing", "ledger/activity_focus"]),
            ("emissions.activity_emissions", ["emissions/activity_emissions"]),
        ):
            replace_months(con, table, models, MARCH, APRIL, pinned_model_version=None, **params)
        cursor = con.execute(
            """SELECT a.first_line, a.estimation_class, a.coefficient_key, a.vcpu, e.energy_kwh, e.factor_value,
                   e.formula, e.flag
               FROM ledger.activity AS a JOIN emissions.activity_emissions AS e
                   ON e.activity_id = a.activity_id AND e.method = 'location'"""
        )
        columns = [d[0] for d in cursor.description]
        return {r[0]: dict(zip(columns, r, strict=True)) for r in cursor.fetchall()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    return run(tmp_path_factory.mktemp("provider-coefficients"), "default")


@pytest.fixture(scope="module")
def ccf_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict]:
    return run(tmp_path_factory.mktemp("provider-coefficients-ccf"), "ccf")


D11_V2 = watts(0.75, 4.165)  # CCF's Azure D11 v2 processors averaged
EXPECTED = {
    # line: (class, coefficient_key, kWh)
    2: ("compute", "vm:d11 v2", 10 * 2 * D11_V2 / 1000 * AZURE_PUE),  # vCPU from CCF's size table
    3: ("gpu", "vm:nc6s v3", 10 * (6 * watts(0.74, 3.54) + 1 * watts(35, 306)) / 1000 * AZURE_PUE),
    4: ("compute", "plan:p1 v3", 24 * 2 * watts(0.74, 3.54) / 1000 * AZURE_PUE),
    5: ("storage_hdd", "disk:s10;replication:storage_lrs", 128 * HOURS / 1000 * 0.65 / 1000 * 3 * AZURE_PUE),
    6: ("storage_hdd", "replication:storage_grs", 100 * HOURS / 1000 * 0.65 / 1000 * 6 * AZURE_PUE),
    7: ("storage_hdd", "replication:cosmos_db", 10 * HOURS / 1000 * 0.65 / 1000 * 4 * AZURE_PUE),
    # a standard cache's replica is a running node: replicated in `default` too
    8: ("memory", "cache:c1;replication:redis_cache", 24 * 1 * 0.000392 * AZURE_PUE * 2),
    13: ("storage_ssd", "disk:p4;replication:storage_lrs", 32 * HOURS / 1000 * 1.2 / 1000 * 3 * AZURE_PUE),
    20: ("compute", "family:e2", 10 * watts(0.7075, 3.595) / 1000 * GCP_US_EAST4_PUE),
    21: ("gpu", "gpu:nvidia t4", 10 * watts(8, 71) / 1000 * GCP_US_CENTRAL1_PUE),
    22: ("storage_hdd", "replication:cloud_storage_multi_region",
         100 * HOURS / 1000 * 0.65 / 1000 * 2 * GCP_US_CENTRAL1_PUE),
    # a family CCF does not map: Google Cloud's median watts, its fleet PUE
    23: ("compute", None, 10 * watts(0.68, 4.11) / 1000 * GCP_PUE),
    30: ("compute", "shape:e4", 10 * 2 * watts(0.45, 2.02) / 1000 * OCI_PUE),
    31: ("compute", "shape:a1", 10 * 1 * watts(0.47, 1.69) / 1000 * OCI_PUE),
}  # fmt: skip


@pytest.mark.parametrize("line", sorted(EXPECTED))
def test_each_row_is_estimated_with_its_providers_coefficient(rows, line):
    estimation_class, key, kwh = EXPECTED[line]
    row = rows[line]
    assert (row["estimation_class"], row["coefficient_key"]) == (estimation_class, key)
    assert row["energy_kwh"] == pytest.approx(kwh, rel=1e-9)
    assert row["flag"] is None


def test_formulas_name_the_coefficient_and_its_source(rows):
    assert "[azure vm d11 v2: Cascade Lake|Skylake|Broadwell|Haswell]" in rows[2]["formula"]
    assert "pue 1.185 [azure fleet]" in rows[2]["formula"]
    assert "[Nvidia Tesla V100]" in rows[3]["formula"]
    assert "disk-months x 128.0 GB of tier s10" in rows[5]["formula"]
    assert "replication 6.0 [storage_grs]" in rows[6]["formula"]
    assert "pue 1.08 [gcp us-east4]" in rows[20]["formula"]
    assert "[gcp average processor]" in rows[23]["formula"]
    assert "[oci shape e4: AMD EPYC 3rd Gen]" in rows[30]["formula"]
    assert "fallback, CCF has none for OCI" in rows[30]["formula"]


def test_a_vcore_licence_is_not_compute_the_cores_are_billed_on_their_own_rows(rows):
    licence = rows[9]
    assert licence["estimation_class"] == "unclassified" and licence["coefficient_key"] is None
    assert licence["flag"] == "estimated_from_cost"


def test_regions_written_by_display_name_or_region_key_take_the_regions_grid_factor(rows):
    assert rows[10]["factor_value"] is not None
    assert rows[10]["factor_value"] == rows[11]["factor_value"]  # 'US East 2' = eastus2
    assert rows[10]["energy_kwh"] == pytest.approx(rows[11]["energy_kwh"], rel=1e-12)
    assert rows[32]["factor_value"] is not None
    assert rows[32]["factor_value"] == rows[33]["factor_value"]  # OCI's IAD = us-ashburn-1


def test_ccf_profile_replicates_database_vcores_as_ccf_does_default_does_not(rows, ccf_rows):
    """CCF multiplies SQL Database vCore compute by its replication factor (3); `default` keeps storage copies
    off the processors (F7) and says so in the formula."""
    vcore_kwh = 48 * watts(0.74, 3.54) / 1000 * AZURE_PUE
    assert rows[12]["coefficient_key"] == "replication:sql_db"
    assert rows[12]["energy_kwh"] == pytest.approx(vcore_kwh, rel=1e-9)
    assert "not applied to processors and memory: F7" in rows[12]["formula"]
    assert ccf_rows[12]["energy_kwh"] == pytest.approx(3 * vcore_kwh, rel=1e-9)
    # everything else: the same provider constants in both profiles
    for line in (2, 5, 20, 30):
        assert ccf_rows[line]["energy_kwh"] == pytest.approx(rows[line]["energy_kwh"], rel=1e-12)
