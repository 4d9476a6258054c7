"""The `ccf` coefficient profile against Cloud Carbon Footprint's own published code, row by row.

One Node process per test run (session fixture) computes CCF's kWh and CO2e for every instance type of its
EC2 table, every storage and networking usage type it knows and random rows of the other paths
(harness.py); the same rows go through this project's raw -> ledger -> emissions models under `ccf`.
CCF folds embodied emissions into kWh; the `ccf` profile does the same (docs/data_dictionary.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carbon_pipeline_tests.ccf import harness

TOLERANCE = 1e-3  # 0.1 %


@pytest.fixture(scope="session")
def differential(tmp_path_factory: pytest.TempPathFactory) -> dict:
    try:
        tables = harness.run_ccf([])["tables"]
    except harness.NodeUnavailable as absent:
        pytest.skip(str(absent))
    rows = harness.build_rows(tables)
    batches = [{"month": m.isoformat(), "rows": [r.for_node() for r in rows if r.month == m]} for m in harness.MONTHS]
    ccf = harness.run_ccf(batches)
    ours = harness.project_ccf_rows(rows, Path(tmp_path_factory.mktemp("ccf-differential")))
    project_instance_types = _project_instance_types(tmp_path_factory)
    return {"tables": tables, **harness.compare(rows, ccf, ours), "instance_types": project_instance_types}


def _project_instance_types(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    from carbon_pipeline.factors.catalogue import load_catalogue
    from carbon_pipeline.warehouse.connection import open_warehouse

    con = open_warehouse(Path(tmp_path_factory.mktemp("ccf-instances")) / "warehouse.duckdb")
    try:
        load_catalogue(con)
        return {
            t
            for (t,) in con.execute(
                "SELECT factors.aws_instance_type_of(instance_type, NULL) FROM factors.aws_instance_types"
            ).fetchall()
        }
    finally:
        con.close()


def test_the_pinned_ccf_packages_ran(differential):
    assert differential["tables"]["versions"] == {"aws": "0.15.0", "core": "0.17.3", "common": "1.15.0"}
    instances = differential["tables"]["instances"]
    assert len(instances) > 400
    compared_ids = {c["id"] for c in differential["compared"]}
    assert len(compared_ids) > 700


def test_ccf_profile_equals_ccfs_code_per_row(differential):
    """kWh (embodied folded in, as CCF) and CO2e of every compared row within 0.1 % of CCF's: no known gaps."""
    off = []
    for c in differential["compared"]:
        if c["kwh_dev"] > TOLERANCE or c["co2e_dev"] > TOLERANCE:
            r = c["row"]
            off.append(
                f"{r.service} {r.usage_type} {r.unit}: kWh {c['kwh']} vs CCF {c['ccf_kwh']}, "
                f"CO2e {c['co2e']} vs CCF {c['ccf_co2e']} ({c['formula']})"
            )
    assert len(differential["compared"]) > 800
    assert not off, f"{len(off)} of {len(differential['compared'])} rows differ from CCF:\n" + "\n".join(off[:30])


def test_totals_equal_ccfs(differential):
    t = harness.compare_totals(differential["compared"])
    assert abs(t["kwh"] / t["ccf_kwh"] - 1) < 1e-4
    assert abs(t["co2e"] / t["ccf_co2e"] - 1) < 1e-4


def test_every_instance_type_of_ccfs_table_is_in_the_project_table(differential):
    """The 98 types aws-instances.csv lacks (c6i, m6a, g5, im4gn, ...) come from CCF's own EC2 table."""
    missing = {i["instance_type"] for i in differential["tables"]["instances"]} - differential["instance_types"]
    assert not missing


def test_instance_types_sized_from_ccfs_table_are_estimated_from_usage(differential):
    """Without product/vcpu these were `unclassified` (estimated from cost): now compute or gpu, as CCF."""
    rows = [
        c
        for c in differential["compared"]
        if c["row"].service == "AmazonEC2"
        and c["row"].vcpu is None
        and c["row"].usage_type.split(":")[-1].split(".")[0] in ("c6i", "m6a", "im4gn", "g5", "x2iedn")
    ]
    assert len(rows) >= 10
    for c in rows:
        wanted = "gpu" if c["row"].usage_type.split(":")[-1].startswith("g5.") else "compute"
        assert c["class"] == wanted, (c["row"].usage_type, c["class"])
        assert c["kwh_dev"] <= TOLERANCE


def test_lambda_at_edge_and_nat_gateway_bytes_agree(differential):
    rows = [
        c
        for c in differential["compared"]
        if "Lambda-Edge" in c["row"].usage_type or c["row"].usage_type.endswith("NatGateway-Bytes")
    ]
    assert len(rows) >= 4
    assert all(c["kwh_dev"] <= TOLERANCE and c["co2e_dev"] <= TOLERANCE for c in rows)
    assert all(c["class"] == "serverless_lambda" for c in rows if "Lambda-Edge" in c["row"].usage_type)


def test_r5_and_c5_average_cascade_lake_and_skylake_as_ccf_does(differential):
    by_type = {
        c["row"].usage_type.split(":")[-1]: c for c in differential["compared"] if c["row"].service == "AmazonEC2"
    }
    for t in ("r5.large", "c5.xlarge"):
        assert "[Cascade Lake|Skylake]" in by_type[t]["formula"]
        assert by_type[t]["kwh_dev"] <= TOLERANCE
