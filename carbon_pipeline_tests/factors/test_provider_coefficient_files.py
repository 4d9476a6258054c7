"""The Azure, Google Cloud and OCI coefficient files (issue 14, item 3) hold together: every constant the estimate
reads exists for each provider with a source, OCI's stand-ins say they are a fallback, the watts of each VM size
and family are CCF's rule applied to the shipped processor table, and every region alias leads to a region the
grid map knows. The files are built from CCF's source by factors/build/build_ccf_cloud_tables.py; these tests
read the shipped files as they are."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from carbon_pipeline.factors.catalogue import DATA_DIR

NEEDED = (
    "min_watts_per_vcpu",
    "max_watts_per_vcpu",
    "average_cpu_utilisation",
    "ssd_wh_per_tb_hour",
    "hdd_wh_per_tb_hour",
    "memory_kwh_per_gb_hour",
    "network_kwh_per_gb",
    "pue",
    "replication_default",
)


def rows(name: str) -> list[dict[str, str]]:
    with Path(DATA_DIR / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("provider", ["azure", "gcp", "oci"])
def test_every_constant_the_estimate_reads_exists_once_per_provider_with_its_source(provider):
    fleet = [r for r in rows("ccf_cloud_provider_coefficients.csv") if r["provider"] == provider and not r["region"]]
    names = [r["coefficient"] for r in fleet]
    assert set(NEEDED) <= set(names)
    assert len(names) == len(set(names)), "a constant listed twice"
    assert all(r["source"] and float(r["value"]) > 0 for r in fleet)


def test_oci_has_no_ccf_constants_so_every_oci_row_says_it_is_a_fallback_or_compiled():
    oci = [r for r in rows("ccf_cloud_provider_coefficients.csv") if r["provider"] == "oci"]
    assert oci and all(r["source"].startswith("fallback:") for r in oci)
    shapes = rows("oci_shapes.csv")
    assert shapes and all("compiled" in r["source"] for r in shapes)
    # Oracle: an x86 OCPU is 2 vCPU, an Arm A1 OCPU 1, an Arm A2 OCPU 2
    per_ocpu = {r["shape"]: float(r["vcpu_per_ocpu"]) for r in shapes}
    assert (per_ocpu["e4"], per_ocpu["x9"], per_ocpu["a1"], per_ocpu["a2"]) == (2, 2, 1, 2)


def test_machine_watts_are_ccfs_average_or_median_of_the_listed_processors():
    processors = {(r["provider"], r["processor"]): r for r in rows("ccf_cloud_processor_coefficients.csv")}
    checked = 0
    for machine in rows("ccf_cloud_machine_types.csv"):
        listed = machine["processors"].split("|")
        known = [processors[(machine["provider"], p)] for p in listed if (machine["provider"], p) in processors]
        if not known:
            assert machine["min_watts"] == "" and machine["max_watts"] == "", machine["machine_type"]
            continue
        pick = statistics.median if {"Sandy Bridge", "Ivy Bridge"} & set(listed) else statistics.mean
        assert float(machine["min_watts"]) == pytest.approx(pick([float(p["min_watts"]) for p in known]))
        assert float(machine["max_watts"]) == pytest.approx(pick([float(p["max_watts"]) for p in known]))
        checked += 1
    assert checked > 100


def test_every_gpu_size_names_a_gpu_with_watts():
    gpus = {(r["provider"], r["processor"]) for r in rows("ccf_cloud_processor_coefficients.csv") if r["kind"] == "gpu"}
    sized = [m for m in rows("ccf_cloud_machine_types.csv") if float(m["gpu_count"]) > 0]
    assert sized and all((m["provider"], m["gpu_processor"]) in gpus for m in sized)


def test_every_region_alias_leads_to_a_region_with_a_grid_geography():
    mapped = {(r["provider"], r["region_code"]) for r in rows("cloud_region_grid_geographies.csv")}
    aliases = rows("cloud_region_aliases.csv")
    assert {a["provider"] for a in aliases} == {"azure", "oci"}
    assert [a for a in aliases if (a["provider"], a["region_code"]) not in mapped] == []
