"""Build the Azure and Google Cloud coefficient files from Cloud Carbon Footprint's published source (issue 14).

Why a script: no value of these tables is typed by hand. The script reads CCF's TypeScript at a pinned commit
(cloud-carbon-footprint/cloud-carbon-footprint @ b7a049c7, Apache-2.0) from a local git checkout, turns the data
declarations into plain JavaScript, evaluates them with node, and writes the CSV files in ``factors/data``:

* ``ccf_cloud_provider_coefficients.csv``  per provider: average/median watts per vCPU, utilisation, storage,
  memory and networking coefficients, PUE (Google Cloud per region too), replication factors, memory per chip
* ``ccf_cloud_processor_coefficients.csv`` per provider and processor: min/max watts (per vCPU, per GPU), GB/chip
* ``ccf_cloud_machine_types.csv``          Azure VM sizes and Google Cloud machine families -> CCF's processor
  list, with the watts CCF averages over it (median when Sandy Bridge or Ivy Bridge is in the list), vCPU,
  memory and GPUs
* ``ccf_azure_sku_sizes.csv``              Azure SKUs sized by name: managed disk tiers, cache tiers, App Service
  plans, container registry tiers
* ``cloud_region_aliases.csv``             the region spellings Azure's usage data writes ('US East', 'EastUS2')
  -> the region code

Usage: ``python -m carbon_pipeline.factors.build.build_ccf_cloud_tables <ccf-git-dir>``. The shipped files are the
output; the build is not re-run by the tests (the CCF checkout is not stored in this repository).
"""

from __future__ import annotations

import csv
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

COMMIT = "b7a049c7d25c0022919ab9010199dd9e77aa4577"
SHORT = COMMIT[:8]
LICENCE = "Apache-2.0"
DATA = Path(__file__).resolve().parents[1] / "data"
FILES = {
    "core": "packages/core/src/compute/ComputeProcessorTypes.ts",
    "azure_vm": "packages/azure/src/lib/VirtualMachineTypes.ts",
    "azure_regions": "packages/azure/src/lib/AzureRegions.ts",
    "azure_constants": "packages/azure/src/domain/AzureFootprintEstimationConstants.ts",
    "azure_consumption": "packages/azure/src/lib/ConsumptionTypes.ts",
    "gcp_machines": "packages/gcp/src/lib/MachineTypes.ts",
    "gcp_constants": "packages/gcp/src/domain/GcpFootprintEstimationConstants.ts",
    "gcp_regions": "packages/gcp/src/lib/GCPRegions.ts",
}


# OCI: Cloud Carbon Footprint has no OCI package. Compiled for this project from Oracle's documentation (not CCF):
# compute shapes -> processor (docs.oracle.com/iaas/Content/Compute/References/computeshapes.htm, "Processor" of
# each standard shape) and vCPUs per OCPU (an x86 OCPU is one physical core = 2 vCPUs; an Arm OCPU of the A1
# shape is one core = 1 vCPU, of the A2 shapes two cores = 2 vCPUs, same page). The processor is mapped to the
# nearest processor CCF has coefficients for; where CCF has none (EPYC 4th/5th Gen, Ice Lake, AmpereOne) the
# row says which one stands in.
OCI_SHAPES_SOURCE = "Oracle Cloud Infrastructure documentation, Compute Shapes (standard shapes), compiled"
OCI_SHAPES = [
    # shape key, processor as Oracle names it, CCF processor used, coefficients from, vCPU per OCPU, note
    ("e2", "AMD EPYC 7551 (Naples)", "AMD EPYC 1st Gen", "gcp", 2, ""),
    ("e3", "AMD EPYC 7742 (Rome)", "AMD EPYC 2nd Gen", "gcp", 2, ""),
    ("e4", "AMD EPYC 7J13 (Milan)", "AMD EPYC 3rd Gen", "gcp", 2, ""),
    (
        "e5",
        "AMD EPYC 9J14 (Genoa)",
        "AMD EPYC 3rd Gen",
        "gcp",
        2,
        "no CCF coefficient for EPYC 4th Gen: its predecessor's stands in",
    ),
    (
        "e6",
        "AMD EPYC 9J45 (Turin)",
        "AMD EPYC 3rd Gen",
        "gcp",
        2,
        "no CCF coefficient for EPYC 5th Gen: EPYC 3rd Gen stands in",
    ),
    ("x5", "Intel Xeon E5-2699 v3 (Haswell)", "Haswell", "gcp", 2, ""),
    ("x7", "Intel Xeon Platinum 8167M (Skylake)", "Skylake", "gcp", 2, ""),
    ("standard2", "Intel Xeon Platinum 8167M (Skylake)", "Skylake", "gcp", 2, "VM.Standard2 = X7"),
    (
        "x9",
        "Intel Xeon Platinum 8358 (Ice Lake)",
        "Cascade Lake",
        "gcp",
        2,
        "no CCF Azure/GCP coefficient for Ice Lake: Cascade Lake stands in",
    ),
    (
        "standard3",
        "Intel Xeon Platinum 8358 (Ice Lake)",
        "Cascade Lake",
        "gcp",
        2,
        "VM.Standard3 = X9; Cascade Lake stands in for Ice Lake",
    ),
    (
        "a1",
        "Ampere Altra Q80-30 (Arm Neoverse N1)",
        "AWS Graviton2",
        "aws",
        1,
        "same Arm Neoverse N1 core as AWS Graviton2, CCF's coefficient for it",
    ),
    ("a2", "AmpereOne", "AWS Graviton2", "aws", 2, "no CCF coefficient for AmpereOne: the Neoverse N1 one stands in"),
]
# OCI region keys (three-letter airport codes in OCI's usage data) -> region identifier, from Oracle's
# "Regions and Availability Domains" table (docs.oracle.com/iaas/Content/General/Concepts/regions.htm)
OCI_REGION_KEYS = {
    "IAD": "us-ashburn-1", "PHX": "us-phoenix-1", "SJC": "us-sanjose-1", "ORD": "us-chicago-1",
    "YYZ": "ca-toronto-1", "YUL": "ca-montreal-1", "GRU": "sa-saopaulo-1", "VCP": "sa-vinhedo-1",
    "SCL": "sa-santiago-1", "QRO": "mx-queretaro-1", "LHR": "uk-london-1", "CWL": "uk-cardiff-1",
    "FRA": "eu-frankfurt-1", "AMS": "eu-amsterdam-1", "ZRH": "eu-zurich-1", "CDG": "eu-paris-1",
    "MRS": "eu-marseille-1", "LIN": "eu-milan-1", "ARN": "eu-stockholm-1", "MAD": "eu-madrid-1",
    "NRT": "ap-tokyo-1", "KIX": "ap-osaka-1", "ICN": "ap-seoul-1", "YNY": "ap-chuncheon-1",
    "BOM": "ap-mumbai-1", "HYD": "ap-hyderabad-1", "SIN": "ap-singapore-1", "SYD": "ap-sydney-1",
    "MEL": "ap-melbourne-1", "JED": "me-jeddah-1", "DXB": "me-dubai-1", "MTZ": "il-jerusalem-1",
    "JNB": "af-johannesburg-1",
}  # fmt: skip
# OCI fleet constants: Oracle publishes no server power, PUE or replication figures CCF could use. The fallback is
# the project's `default` CCF averages (cloud_usage_coefficients.csv), flagged as such on every row.
OCI_FALLBACK = ["min_watts_per_vcpu", "max_watts_per_vcpu", "average_cpu_utilisation", "ssd_wh_per_tb_hour",
                "hdd_wh_per_tb_hour", "memory_kwh_per_gb_hour", "network_kwh_per_gb", "pue"]  # fmt: skip


def _source(repo: Path, key: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{COMMIT}:{FILES[key]}"], check=True, capture_output=True, text=True
    ).stdout


def _enum_to_object(match: re.Match) -> str:
    members = re.sub(r"(\w+) = ", r"\1: ", match.group(2))
    return "const " + match.group(1) + " = {" + members + "\n}"


def _to_js(ts: str) -> str:
    """TypeScript data declarations -> JavaScript: imports dropped, enums as objects, type annotations removed."""
    ts = re.sub(r"^import[^;]*?from '[^']*'\n", "", ts, flags=re.S | re.M)
    ts = re.sub(r"export enum (\w+) \{(.*?)\n\}", _enum_to_object, ts, flags=re.S)
    ts = re.sub(r"export const (\w+):\s*\{.*?\n\} = ", r"const \1 = ", ts, flags=re.S)
    ts = re.sub(r"export const (\w+):\s*[\w\[\]<>, ]+ =", r"const \1 =", ts)
    return re.sub(r"^export ", "", ts, flags=re.M)


def _evaluate(parts: list[str], names: list[str]) -> dict:
    script = "\n".join(parts) + f"\nconsole.log(JSON.stringify({{{', '.join(names)}}}))\n"
    out = subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def _block(ts: str, name: str) -> str:
    """The text of one `NAME: { ... }` member of a constants object."""
    match = re.search(rf"\b{name}: \{{(.*?)\n  \}}", ts, flags=re.S)
    if match is None:
        raise SystemExit(f"{name} not found")
    return match.group(1)


def _numbers_by_processor(ts: str, name: str, enum: dict) -> dict[str, float]:
    return {
        enum[key]: float(value)
        for key, value in re.findall(r"\[COMPUTE_PROCESSOR_TYPES\.(\w+)\]: ([\d.]+)", _block(ts, name))
    }


def _scalar(ts: str, name: str) -> float:
    match = re.search(rf"\b{name}: ([\d.]+)", ts)
    if match is None:
        raise SystemExit(f"{name} not found")
    return float(match.group(1))


def _write(name: str, header: list[str], rows: list[list]) -> None:
    with (DATA / name).open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{name}: {len(rows)} rows")


def _ccf_watts(processors: list[str], watts: dict[str, float]) -> float | None:
    """CCF's getWattsByAverageOrMedian: the average, or the median when Sandy/Ivy Bridge is in the list."""
    values = [watts[p] for p in processors if p in watts]
    if not values:
        return None
    if "Sandy Bridge" in processors or "Ivy Bridge" in processors:
        return statistics.median(values)
    return sum(values) / len(values)


def build(repo: Path) -> None:
    core_js = _to_js(_source(repo, "core"))
    enum = _evaluate([core_js], ["COMPUTE_PROCESSOR_TYPES"])["COMPUTE_PROCESSOR_TYPES"]
    azure = _evaluate(
        [core_js, _to_js(_source(repo, "azure_vm"))],
        ["VIRTUAL_MACHINE_TYPE_SERIES_MAPPING", "VIRTUAL_MACHINE_TYPE_VCPU_MEMORY_MAPPING",
         "VIRTUAL_MACHINE_TYPE_CONSTRAINED_VCPU_CAPABLE_MAPPING", "INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING",
         "GPU_VIRTUAL_MACHINE_TYPES", "GPU_VIRTUAL_MACHINE_TYPE_PROCESSOR_MAPPING"],
    )  # fmt: skip
    consumption_ts = _source(repo, "azure_consumption")
    sized = {}
    for name in ("CACHE_MEMORY_GB", "SSD_MANAGED_DISKS_STORAGE_GB", "HDD_MANAGED_DISKS_STORAGE_GB",
                 "CONTAINER_REGISTRY_STORAGE_GB"):  # fmt: skip
        body = re.search(rf"export const {name}: \{{.*?\n\}} = \{{(.*?)\n\}}", consumption_ts, flags=re.S).group(1)
        sized[name] = {k: float(v) for k, v in re.findall(r"(\w+): ([\d.]+)", body)}
    regions_js = _to_js(_source(repo, "azure_regions").split("export const AZURE_MAPPED_REGIONS")[0])
    azure_regions = _evaluate([regions_js], ["AZURE_REGIONS"])["AZURE_REGIONS"]
    gcp = _evaluate(
        [core_js, _to_js(_source(repo, "gcp_machines"))],
        ["INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING", "MACHINE_FAMILY_TO_MACHINE_TYPE_MAPPING", "GPU_MACHINE_TYPES",
         "SHARED_CORE_PROCESSORS_BASELINE_UTILIZATION"],
    )  # fmt: skip
    gcp_regions_js = _to_js(_source(repo, "gcp_regions").split("export const GCP_MAPPED_REGIONS")[0])
    gcp_regions = _evaluate([gcp_regions_js], ["GCP_REGIONS"])["GCP_REGIONS"]

    az_ts, gcp_ts = _source(repo, "azure_constants"), _source(repo, "gcp_constants")
    az_ref = f"{FILES['azure_constants']} AZURE_CLOUD_CONSTANTS @ {SHORT}"
    gcp_ref = f"{FILES['gcp_constants']} GCP_CLOUD_CONSTANTS @ {SHORT}"
    src = "Cloud Carbon Footprint"
    coef: list[list] = []
    for provider, ts, ref, min_name, max_name in (
        ("azure", az_ts, az_ref, "MIN_WATTS_AVG", "MAX_WATTS_AVG"),
        ("gcp", gcp_ts, gcp_ref, "MIN_WATTS_MEDIAN", "MAX_WATTS_MEDIAN"),
    ):
        coef += [
            [provider, "min_watts_per_vcpu", "", _scalar(ts, min_name), "W/vCPU", f"{src} ({min_name})", ref, LICENCE],
            [provider, "max_watts_per_vcpu", "", _scalar(ts, max_name), "W/vCPU", f"{src} ({max_name})", ref, LICENCE],
            [provider, "average_cpu_utilisation", "", _scalar(ts, "AVG_CPU_UTILIZATION_2020") / 100, "fraction",
             f"{src} (AVG_CPU_UTILIZATION_2020 / 100)", ref, LICENCE],
            [provider, "ssd_wh_per_tb_hour", "", _scalar(ts, "SSDCOEFFICIENT"), "Wh/TB-hour", f"{src} (SSDCOEFFICIENT)",
             ref, LICENCE],
            [provider, "hdd_wh_per_tb_hour", "", _scalar(ts, "HDDCOEFFICIENT"), "Wh/TB-hour", f"{src} (HDDCOEFFICIENT)",
             ref, LICENCE],
            [provider, "memory_kwh_per_gb_hour", "", _scalar(ts, "MEMORY_COEFFICIENT"), "kWh/GB-hour",
             f"{src} (MEMORY_COEFFICIENT)", ref, LICENCE],
            [provider, "network_kwh_per_gb", "", _scalar(ts, "NETWORKING_COEFFICIENT"), "kWh/GB",
             f"{src} (NETWORKING_COEFFICIENT)", ref, LICENCE],
            [provider, "pue", "", _scalar(ts, "PUE_AVG"), "ratio", f"{src} (PUE_AVG)", ref, LICENCE],
            [provider, "server_lifespan_hours", "", _scalar(ts, "SERVER_EXPECTED_LIFESPAN"), "hours",
             f"{src} (SERVER_EXPECTED_LIFESPAN)", ref, LICENCE],
        ]  # fmt: skip
        for key, value in re.findall(r"(\w+): (\d+)", _block(ts, "REPLICATION_FACTORS")):
            coef.append([provider, f"replication_{key.lower()}", "", float(value), "copies",
                         f"{src} (REPLICATION_FACTORS.{key})", ref, LICENCE])  # fmt: skip
    coef.append(["azure", "memory_gb_per_chip_average", "", _scalar(az_ts, "MEMORY_AVG"), "GB/chip",
                 f"{src} (MEMORY_AVG)", az_ref, LICENCE])  # fmt: skip
    for key, value in re.findall(r"\[GCP_REGIONS\.(\w+)\]: ([\d.]+)", _block(gcp_ts, "PUE_TRAILING_TWELVE_MONTH")):
        coef.append(["gcp", "pue", gcp_regions[key], float(value), "ratio",
                     f"{src} (PUE_TRAILING_TWELVE_MONTH, Google's published trailing-twelve-month PUE)", gcp_ref,
                     LICENCE])  # fmt: skip
    _write("ccf_cloud_provider_coefficients.csv",
           ["provider", "coefficient", "region", "value", "unit", "source", "reference", "licence"], coef)  # fmt: skip

    watts: dict[str, dict[str, dict[str, float]]] = {}
    procs: list[list] = []
    gpus = {"Nvidia", "AMD Radeon Pro V520", "Xilinx Alveo U250"}
    for provider, ts, ref in (("azure", az_ts, az_ref), ("gcp", gcp_ts, gcp_ref)):
        mins = _numbers_by_processor(ts, "MIN_WATTS_BY_COMPUTE_PROCESSOR", enum)
        maxs = _numbers_by_processor(ts, "MAX_WATTS_BY_COMPUTE_PROCESSOR", enum)
        mem = _numbers_by_processor(ts, "MEMORY_BY_COMPUTE_PROCESSOR", enum) if provider == "azure" else {}
        watts[provider] = {"min": mins, "max": maxs, "mem": mem}
        for processor in mins:
            kind = "gpu" if any(processor.startswith(g) for g in gpus) else "cpu"
            procs.append([provider, processor, kind, mins[processor], maxs[processor], mem.get(processor, ""),
                          f"{ref.split(' @')[0]} MIN/MAX_WATTS_BY_COMPUTE_PROCESSOR"
                          + (", MEMORY_BY_COMPUTE_PROCESSOR" if processor in mem else "") + f" @ {SHORT}"])  # fmt: skip
    _write("ccf_cloud_processor_coefficients.csv",
           ["provider", "processor", "kind", "min_watts", "max_watts", "gb_per_chip", "reference"], procs)  # fmt: skip

    machines: list[list] = []
    size_of: dict[str, list] = {}
    for series in azure["VIRTUAL_MACHINE_TYPE_SERIES_MAPPING"].values():
        size_of.update(series)
    for size, values in azure["VIRTUAL_MACHINE_TYPE_CONSTRAINED_VCPU_CAPABLE_MAPPING"].items():
        size_of.setdefault(size, values)
    az = watts["azure"]
    vm_ref = f"{FILES['azure_vm']} @ {SHORT}"
    sizes = sorted(set(azure["INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING"]) | set(azure["GPU_VIRTUAL_MACHINE_TYPES"]))
    for size in sizes:
        processors = azure["INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING"].get(size, ["Unknown"])
        known = [p for p in processors if p in az["min"]]
        gpu = azure["GPU_VIRTUAL_MACHINE_TYPE_PROCESSOR_MAPPING"].get(size, [""])[0]
        vcpu_mem = size_of.get(size, [None, None])
        machines.append([
            "azure", size, "|".join(processors), vcpu_mem[0], vcpu_mem[1] if len(vcpu_mem) > 1 else None,
            _ccf_watts(known, az["min"]) if known else None, _ccf_watts(known, az["max"]) if known else None,
            (sum(az["mem"][p] for p in known if p in az["mem"]) / len([p for p in known if p in az["mem"]]))
            if any(p in az["mem"] for p in known) else None,
            azure["GPU_VIRTUAL_MACHINE_TYPES"].get(size, 0), gpu or None,
            f"{vm_ref} INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING, VIRTUAL_MACHINE_TYPE_SERIES_MAPPING"
            + (", GPU_VIRTUAL_MACHINE_TYPES" if gpu else ""),
        ])  # fmt: skip
    gc = watts["gcp"]
    for family, processors in gcp["INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING"].items():
        known = [p for p in processors if p in gc["min"]]
        machines.append([
            "gcp", family, "|".join(processors), None, None,
            _ccf_watts(known, gc["min"]) if known else None, _ccf_watts(known, gc["max"]) if known else None,
            None, 0, None,
            f"{FILES['gcp_machines']} INSTANCE_TYPE_COMPUTE_PROCESSOR_MAPPING @ {SHORT}",
        ])  # fmt: skip
    _write("ccf_cloud_machine_types.csv",
           ["provider", "machine_type", "processors", "vcpu", "memory_gb", "min_watts", "max_watts", "gb_per_chip",
            "gpu_count", "gpu_processor", "reference"], machines)  # fmt: skip

    sku_rows: list[list] = []
    cons_ref = f"{FILES['azure_consumption']} @ {SHORT}"
    for name, kind, column in (("SSD_MANAGED_DISKS_STORAGE_GB", "ssd_disk", "storage_gb"),
                               ("HDD_MANAGED_DISKS_STORAGE_GB", "hdd_disk", "storage_gb"),
                               ("CONTAINER_REGISTRY_STORAGE_GB", "container_registry", "storage_gb"),
                               ("CACHE_MEMORY_GB", "cache", "memory_gb")):  # fmt: skip
        for sku, value in sized[name].items():
            sku_rows.append([kind, sku, None, value if column == "memory_gb" else None,
                             value if column == "storage_gb" else None, f"{cons_ref} {name}"])  # fmt: skip
    for sku, values in azure["VIRTUAL_MACHINE_TYPE_VCPU_MEMORY_MAPPING"].items():
        sku_rows.append(["plan", sku, values[0], values[1] if len(values) > 1 else None, None,
                         f"{vm_ref} VIRTUAL_MACHINE_TYPE_VCPU_MEMORY_MAPPING"])  # fmt: skip
    _write("ccf_azure_sku_sizes.csv", ["kind", "sku", "vcpu", "memory_gb", "storage_gb", "reference"], sku_rows)

    aliases: list[list] = []
    seen: set[tuple[str, str]] = set()
    with (DATA / "cloud_region_grid_geographies.csv").open() as handle:
        mapped = {(r["provider"], r["region_code"]) for r in csv.DictReader(handle)}
    for region in azure_regions.values():
        code = region["name"].lower()  # CCF writes some codes in camel case ('CentralUS'): FOCUS RegionId is lower
        # only spellings of a region the grid map knows: CCF's legacy names ('apeast', 'apsoutheast') and its
        # "All Regions" / "Unassigned" have no geography to map to
        if ("azure", code) not in mapped:
            continue
        for option in region["options"]:
            key = (option.lower(), code)
            if option.lower() != code and key not in seen:
                seen.add(key)
                aliases.append(["azure", option, code,
                                f"{FILES['azure_regions']} AZURE_REGIONS options @ {SHORT}"])  # fmt: skip
    for key, code in OCI_REGION_KEYS.items():
        aliases.append(["oci", key, code, "Oracle Cloud Infrastructure documentation, Regions and Availability "
                        "Domains (region key -> region identifier), compiled"])  # fmt: skip
    _write("cloud_region_aliases.csv", ["provider", "alias", "region_code", "source"], aliases)

    with (DATA / "ccf_aws_processor_coefficients.csv").open() as handle:
        aws_watts = {r["processor"]: r for r in csv.DictReader(handle) if r["kind"] == "cpu"}
    shapes = []
    for shape, named, processor, origin, per_ocpu, note in OCI_SHAPES:
        if origin == "aws":
            low, high = float(aws_watts[processor]["min_watts"]), float(aws_watts[processor]["max_watts"])
            origin_ref = "ccf_aws_processor_coefficients.csv"
        else:
            low, high = watts["gcp"]["min"][processor], watts["gcp"]["max"][processor]
            origin_ref = "ccf_cloud_processor_coefficients.csv (gcp)"
        shapes.append(["oci", shape, processor, low, high, per_ocpu,
                       f"{OCI_SHAPES_SOURCE}: {named}; watts of {processor} from {origin_ref}"
                       + (f"; {note}" if note else "")])  # fmt: skip
    _write("oci_shapes.csv", ["provider", "shape", "processor", "min_watts", "max_watts", "vcpu_per_ocpu", "source"],
           shapes)  # fmt: skip

    with (DATA / "cloud_usage_coefficients.csv").open() as handle:
        defaults = {r["coefficient"]: r for r in csv.DictReader(handle) if r["profile"] == "default"}
    with (DATA / "ccf_cloud_provider_coefficients.csv").open("a", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for name in OCI_FALLBACK:
            row = defaults[name]
            writer.writerow(["oci", name, "", float(row["value"]), row["unit"],
                             "fallback: CCF has no OCI constants; the project's default (CCF AWS) value, "
                             + row["source"], row["reference"], row["licence"]])  # fmt: skip
        writer.writerow(
            [
                "oci",
                "replication_default",
                "",
                1.0,
                "copies",
                "fallback: no published OCI replication factor; one copy as CCF's DEFAULT",
                "",
                "",
            ]
        )


if __name__ == "__main__":
    build(Path(sys.argv[1]))
