"""Differential harness: the `ccf` coefficient profile against Cloud Carbon Footprint's own published code.

CCF's packages (@cloud-carbon-footprint/aws 0.15.0, core 0.17.3, common 1.15.0; Apache-2.0) are installed
from the npm registry with `npm ci` into ``node/node_modules`` (gitignored) from the committed
``node/package.json`` and ``node/package-lock.json``; ``node/ccf_rows.js`` computes CCF's kWh and CO2e for
a batch of CUR rows in one Node process. The same rows go through this project's raw -> ledger ->
emissions models under the `ccf` profile, one usage account per row so every row stays an activity of its
own, and the two are compared row by row.

``python -m carbon_pipeline_tests.ccf.harness`` prints the comparison (totals, worst rows) for the record.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
MONTHS = (date(2024, 4, 1), date(2024, 5, 1))  # 30 and 31 days: GB-months take the month's hours


class NodeUnavailable(RuntimeError):
    """No `node` on PATH: the only reason the differential test may skip."""


def ensure_installed() -> Path:
    """`npm ci` the pinned packages when they are missing (or the lock file changed); a file lock keeps
    concurrent test runs from installing over each other."""
    if shutil.which("node") is None:
        raise NodeUnavailable("node is not on PATH: Cloud Carbon Footprint's packages cannot run")
    if shutil.which("npm") is None:
        raise RuntimeError("npm is not on PATH: cannot install Cloud Carbon Footprint's packages (npm ci)")
    lock = NODE_DIR / "package-lock.json"
    stamp = NODE_DIR / "node_modules" / ".carbon-pipeline-lock.json"
    with open(NODE_DIR / ".install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not stamp.exists() or stamp.read_bytes() != lock.read_bytes():
            done = subprocess.run(
                ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=NODE_DIR,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if done.returncode != 0:
                raise RuntimeError(f"npm ci failed in {NODE_DIR}:\n{done.stdout}\n{done.stderr}")
            stamp.write_bytes(lock.read_bytes())
    return NODE_DIR


def run_ccf(batches: list[dict]) -> dict:
    """One Node process: CCF's per-row estimates for every batch, and CCF's tables."""
    node_dir = ensure_installed()
    env = {k: v for k, v in os.environ.items() if k != "ELECTRICITY_MAPS_TOKEN"}
    done = subprocess.run(
        ["node", "--no-deprecation", "ccf_rows.js"],
        cwd=node_dir,
        input=json.dumps({"batches": batches}),
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"node ccf_rows.js failed:\n{done.stderr}")
    return json.loads(done.stdout)


@dataclass(frozen=True)
class CurRow:
    id: str
    month: date
    region: str
    service: str
    usage_type: str
    unit: str
    amount: float
    cost: float
    vcpu: float | None = None
    instance_type: str | None = None

    def for_node(self) -> dict:
        return {
            "id": self.id,
            "region": self.region,
            "service": self.service,
            "usage_type": self.usage_type,
            "unit": self.unit,
            "vcpu": self.vcpu,
            "amount": self.amount,
            "cost": self.cost,
        }


def storage_service(usage_type: str) -> tuple[str, str]:
    """(service, usage-type prefix) a CUR would carry for one of CCF's storage usage-type suffixes."""
    rules = (
        (("VolumeUsage", "SnapshotUsage"), "AmazonEC2", "USE1-EBS:"),
        (("Kafka",), "AmazonMSK", "USE1-"),
        (("ES:",), "AmazonES", "USE1-"),
        (("DynamoDB", "TimedPITRStorage", "TimedBackupStorage"), "AmazonDynamoDB", "USE1-"),
        (("EFS",), "AmazonEFS", "USE1-"),
        (("dc1.", "dc2.", "ds2.", "ra3.", "Redshift:"), "AmazonRedshift", "USE1-Node:"),
        (("ElastiCache:",), "AmazonElastiCache", "USE1-"),
        (("QS-",), "AmazonQuickSight", "USE1-"),
        (("MagneticStore",), "AmazonTimestream", "USE1-"),
        (("AMP:",), "AmazonPrometheus", "USE1-"),
        (("DurableApplicationBackups",), "AmazonKinesisAnalytics", "USE1-"),
        (("GP2-Storage", "PIOPS-Storage", "RDS:", "Aurora:", "Storage.", "BackupUsage"), "AmazonRDS", "USE1-"),
    )
    for needles, service, prefix in rules:
        if any(n in usage_type for n in needles):
            return service, prefix
    return "AmazonS3", "USE1-"


def build_rows(tables: dict, seed: int = 15) -> list[CurRow]:
    """Every instance type of CCF's EC2 table, every storage and networking usage type it knows, and random
    rows of the other paths (Lambda, Fargate, RDS, Glue, unknown usage, CloudFront, unknown units)."""
    rnd = random.Random(seed)
    regions = [r for r in tables["regions"] if r != "Unknown"]
    rows: list[CurRow] = []

    def add(service: str, usage_type: str, unit: str, amount: float, **kw) -> None:
        month = kw.pop("month", None) or rnd.choice(MONTHS)
        region = kw.pop("region", None) or rnd.choice(regions)
        cost = kw.pop("cost", None) or round(rnd.uniform(0.5, 500), 2)
        rows.append(CurRow(f"r{len(rows):04d}", month, region, service, usage_type, unit, amount, cost, **kw))

    for i, inst in enumerate(tables["instances"]):
        t = inst["instance_type"]
        # product/vcpu is filled on most CUR rows; every other row leaves it to the instance table
        add(
            "AmazonEC2",
            f"USE1-BoxUsage:{t}",
            "Hrs",
            round(rnd.uniform(1, 744), 3),
            vcpu=inst["vcpu"] if i % 2 == 0 else None,
            instance_type=t,
        )
    for suffix in tables["ssd_usage_types"] + tables["hdd_usage_types"]:
        if suffix in tables["unsupported_usage_types"]:
            continue
        if "Lambda" in suffix:
            add("AWSLambda", f"USE1-{suffix}", "Lambda-GB-Second", round(rnd.uniform(1e3, 1e7), 1))
            continue
        if "Fargate" in suffix:
            add("AmazonECS", f"USE1-{suffix}", "hours", round(rnd.uniform(1, 5000), 3))
            continue
        service, prefix = storage_service(suffix)
        add(service, f"{prefix}{suffix}", "GB-Mo", round(rnd.uniform(1, 20000), 4))
    for suffix in tables["networking_usage_types"]:
        add("AmazonEC2", f"USE1-{suffix}", "GB", round(rnd.uniform(1, 50000), 4))
        add("AmazonS3", f"USE1-EUW1-{suffix}", "GB", round(rnd.uniform(1, 50000), 4))
    # random rows of the other paths
    others = (
        ("AWSLambda", "USE1-Lambda-GB-Second", "Lambda-GB-Second", 1e3, 1e7),
        ("AWSLambda", "USE1-Lambda-GB-Second-ARM", "Lambda-GB-Second", 1e3, 1e7),
        ("AmazonECS", "USE1-Fargate-vCPU-Hours:perCPU", "hours", 1, 5000),
        ("AmazonECS", "USE1-Fargate-ARM-vCPU-Hours:perCPU", "hours", 1, 5000),
        ("AmazonECS", "USE1-Fargate-GB-Hours", "hours", 1, 20000),
        ("AmazonRDS", "USE1-InstanceUsage:db.m5.large", "Hrs", 1, 744),
        ("AmazonRDS", "USE1-Multi-AZUsage:db.r5.xlarge", "Hrs", 1, 744),
        ("AmazonRDS", "USE1-Aurora:ServerlessUsage", "ACU-Hr", 1, 2000),
        ("AmazonDocDB", "USE1-InstanceUsage:db.r5.large", "Hrs", 1, 744),
        ("AmazonElastiCache", "USE1-NodeUsage:cache.m5.large", "Hrs", 1, 744),
        ("AWSGlue", "USE1-ETL-DPU-Hour", "DPU-Hour", 1, 500),
        ("AmazonEC2", "USE1-CPUCredits:t3", "vCPU-Hours", 1, 500),
        ("AmazonEC2", "USE1-NatGateway-Hours", "Hrs", 1, 744),
        ("AmazonEC2", "USE1-NatGateway-Bytes", "GB", 1, 5000),
        ("AWSELB", "USE1-LoadBalancerUsage", "Hrs", 1, 744),
        ("AmazonEKS", "USE1-AmazonEKS-Hours:perCluster", "Hours", 1, 744),
        ("AmazonCloudFront", "US-DataTransfer-Out-Bytes", "GB", 1, 50000),
        ("AmazonEC2", "USE1-DataTransfer-In-Bytes", "GB", 1, 50000),
        ("AWSLambda", "USE1-Request", "Requests", 1e3, 1e8),
        ("AmazonS3", "USE1-Requests-Tier1", "Requests", 1e3, 1e8),
    )
    for service, usage_type, unit, low, high in others:
        for _ in range(3):
            add(service, usage_type, unit, round(rnd.uniform(low, high), 3))
    # random EC2 rows: random instance types, regions and hours, some on no instance table row at all
    instance_types = [i["instance_type"] for i in tables["instances"]]
    for _ in range(150):
        t = rnd.choice(instance_types)
        add("AmazonEC2", f"USE1-BoxUsage:{t}", "Hrs", round(rnd.uniform(1, 744), 3), instance_type=t)
    return rows


def project_ccf_rows(rows: list[CurRow], workdir: Path, profile: str = "ccf") -> dict[str, dict]:
    """{row id: location-based emission row} from the project's models under `profile`: raw CUR line
    items -> ledger -> emissions, each row in a usage account of its own."""
    from carbon_pipeline.factors.catalogue import load_catalogue
    from carbon_pipeline.sources.aws_cur.reader import group_copied_rows
    from carbon_pipeline.warehouse.connection import open_warehouse, replace_months

    first, end = min(MONTHS), date(2024, 6, 1)
    con = open_warehouse(workdir / "warehouse.duckdb")
    try:
        load_catalogue(con)
        for line, r in enumerate(rows, start=2):
            con.execute(
                """INSERT INTO raw.aws_cur_line_items (source_id, period_month, assembly_id, object_key, object_line,
                       usage_account_id, line_item_type, product_code, usage_type, usage_start, usage_amount,
                       pricing_unit, unblended_cost, currency, region_code, instance_type, vcpu)
                   VALUES ('cur', ?, 'a1', 'cur-1.csv.gz', ?, ?, 'Usage', ?, ?, CAST(? AS TIMESTAMP), ?, ?, ?, 'USD',
                       ?, ?, ?)""",
                [
                    r.month,
                    line,
                    f"{line:012d}",
                    r.service,
                    r.usage_type,
                    r.month,
                    r.amount,
                    r.unit,
                    r.cost,
                    r.region,
                    r.instance_type,
                    r.vcpu,
                ],
            )
        for month in MONTHS:
            group_copied_rows(con, "raw.aws_cur_line_items", "aws_cur", "cur", month)
        replace_months(
            con, "ledger.activity", ["ledger/activity_cloud_billing"], first, end, cloud_scope_policy="scope3_category1"
        )
        replace_months(
            con,
            "emissions.activity_emissions",
            ["emissions/activity_emissions"],
            first,
            end,
            coefficient_profile=profile,
            cloud_scope_policy="scope3_category1",
            pinned_model_version=None,
        )
        cursor = con.execute(
            """SELECT a.account_id, a.estimation_class, e.energy_kwh, e.tco2e, e.flag, e.formula
               FROM emissions.activity_emissions AS e
               JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
               WHERE e.method = 'location'"""
        )
        names = [d[0] for d in cursor.description]
        got = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()
    return {f"r{int(g['account_id']) - 2:04d}": g for g in got}


def compare(rows: list[CurRow], ccf: dict, ours: dict[str, dict]) -> dict:
    """Per-row deviations and totals over the rows CCF estimates; rows CCF drops listed apart."""
    by_id = {r.id: r for r in rows}
    ccf_rows = {c["id"]: c for c in ccf["rows"]}
    compared, dropped = [], []
    for rid, c in ccf_rows.items():
        mine = ours.get(rid)
        if c["kwh"] is None or c["co2e"] is None:
            # no estimate, or CCF's NaN (JSON null): CCF reports nothing usable for the row
            dropped.append((rid, by_id[rid], mine, c))
            continue
        kwh, co2e = (mine or {}).get("energy_kwh"), (mine or {}).get("tco2e")
        compared.append(
            {
                "id": rid,
                "row": by_id[rid],
                "path": c["path"],
                "ccf_kwh": c["kwh"],
                "ccf_co2e": c["co2e"],
                "kwh": kwh,
                "co2e": co2e,
                "kwh_dev": deviation(kwh, c["kwh"]),
                "co2e_dev": deviation(co2e, c["co2e"]),
                "class": (mine or {}).get("estimation_class"),
                "formula": (mine or {}).get("formula"),
            }
        )
    totals = {"rows_compared": len(compared), "rows_ccf_drops": len(dropped), **compare_totals(compared)}
    return {"compared": compared, "dropped": dropped, "totals": totals}


def compare_totals(compared: list[dict]) -> dict[str, float]:
    """kWh and CO2e summed over the compared rows, CCF's and the project's."""
    return {
        "ccf_kwh": sum(c["ccf_kwh"] for c in compared),
        "ccf_co2e": sum(c["ccf_co2e"] for c in compared),
        "kwh": sum(c["kwh"] or 0 for c in compared),
        "co2e": sum(c["co2e"] or 0 for c in compared),
    }


def deviation(value: float | None, reference: float) -> float:
    """Relative deviation; a missing figure counts as a full (100 %) deviation unless CCF's is 0 too."""
    if value is None:
        return 0.0 if reference == 0 else 1.0
    if reference == 0:
        return 0.0 if abs(value) < 1e-12 else 1.0
    return abs(value - reference) / abs(reference)


def main() -> None:  # pragma: no cover - a report for the record, not a test
    import tempfile

    tables = run_ccf([])["tables"]
    rows = build_rows(tables)
    batches = [{"month": m.isoformat(), "rows": [r.for_node() for r in rows if r.month == m]} for m in MONTHS]
    ccf = run_ccf(batches)
    with tempfile.TemporaryDirectory() as tmp:
        ours = project_ccf_rows(rows, Path(tmp))
    result = compare(rows, ccf, ours)
    t = result["totals"]
    print(json.dumps(t, indent=1))
    print(f"kWh total: ours / CCF - 1 = {t['kwh'] / t['ccf_kwh'] - 1:+.4%}")
    print(f"CO2e total: ours / CCF - 1 = {t['co2e'] / t['ccf_co2e'] - 1:+.4%}")
    worst = sorted(result["compared"], key=lambda c: -max(c["kwh_dev"], c["co2e_dev"]))
    print(
        "max kWh deviation", max(c["kwh_dev"] for c in worst), "max CO2e deviation", max(c["co2e_dev"] for c in worst)
    )
    for c in worst[:40]:
        r = c["row"]
        print(
            f"{c['kwh_dev']:.4f} {c['co2e_dev']:.4f} {c['path']:7} {r.service:18} {r.usage_type:40} {r.unit:16} "
            f"vcpu={r.vcpu} ccf={c['ccf_kwh']:.6g} ours={c['kwh']} cls={c['class']}"
        )
    print("dropped by CCF:")
    for rid, r, mine, c in result["dropped"]:
        print(
            f"  {rid} {r.service} {r.usage_type} {r.unit} ccf={c['kwh']},{c['co2e']} "
            f"-> ours {mine and (mine['energy_kwh'], mine['flag'])}"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
