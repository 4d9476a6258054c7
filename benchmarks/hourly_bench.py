"""Issue 16 item 5: the hourly option on a generated month of hourly CUR (benchmarks/generate_cur.py, hourly line
items over March 2025's 744 hours) against the monthly path. Two runs of `carbon-pipeline run`'s job on the same
generated files, each in a process of its own (so each peak RSS is its own), each on a new warehouse:

- monthly: the inventory job as it is today (hourly off);
- hourly: the same job with the sources file turning hourly on (the CUR source `hourly: true`, every region mapped
  to a synthetic zone), which adds the hourly assets (defs/hourly/) to the same run.

The target: the hourly run within 2x the monthly run's time and within the memory budget (RESULTS.md: 2,000 MB peak
RSS), under the pipeline's DuckDB memory limit (CARBON_DUCKDB_MEMORY_LIMIT, default 1GB).

    nice .venv/bin/python benchmarks/hourly_bench.py --rows 1000000 [--fmt parquet] [--work /big/tmp]

Appends one record per size to benchmarks/results/hourly.json, with the machine's load average before and after:
timings on a shared machine are noise beyond a few percent; read them as orders of magnitude, never as a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_cur as gen  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "hourly.json"
MEMORY_BUDGET_MB = 2000  # benchmarks/results/RESULTS.md


def _child(sources: Path, work: Path, month: date) -> dict:
    """One run of the inventory job in this process: wall time, peak RSS, what it wrote."""
    import dagster as dg
    import duckdb

    from carbon_pipeline.runner import failure_messages, run_inventory
    from carbon_pipeline.settings import Settings

    settings = Settings(
        sources_file=sources,
        warehouse=work / "warehouse.duckdb",
        serving=work / "serving.duckdb",
        uses_demo=False,
        staging=work / "staging",
        reports=work / "reports",
    )
    with dg.DagsterInstance.ephemeral() as instance:
        started = time.perf_counter()
        result = run_inventory(settings, month, month, instance=instance)
        elapsed = time.perf_counter() - started
    if not result.success or failure_messages(result):
        return {"error": failure_messages(result)}
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        line_items = con.execute("SELECT count(*) FROM raw.aws_cur_line_items").fetchone()[0]
        scope = con.execute("SELECT method, round(sum(tco2e), 6) FROM marts.scope_summary GROUP BY 1 ORDER BY 1")
        record = {"run_s": round(elapsed, 2), "raw_line_items": line_items, "scope_summary": scope.fetchall()}
        hourly = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'hourly_vs_annual'"
        ).fetchone()[0]
        if hourly:
            record["hourly_rows"] = {
                table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in (
                    "hourly.grid_factors",
                    "hourly.consumption",
                    "hourly.location_hourly",
                    "marts.hourly_vs_annual",
                )
            }
            record["cloud_kwh_annual_vs_hourly"] = con.execute(
                "SELECT sum(annual_kwh), sum(hourly_kwh) FROM marts.hourly_vs_annual WHERE entity_kind = 'cloud_region'"
            ).fetchone()
    finally:
        con.close()
    record["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # Linux: KiB
    return record


def _hourly_sources(generated: gen.Generated, work: Path) -> Path:
    """The generated month's sources file with its CUR source turned hourly and one synthetic zone per region."""
    month = generated.month
    text = generated.sources_file.read_text(encoding="utf-8")
    text = text.replace("\n    kind: aws_cur", "\n    hourly: true\n    kind: aws_cur", 1)
    zones = "kind,key,zone\n" + "".join(f"cloud_region,aws:{r[0]},Z-{r[0]}\n" for r in gen.REGIONS)
    (work / "zones.csv").write_text(zones, encoding="utf-8")
    grid = "".join(
        f"    - {{layout: synthetic, zone: Z-{r[0]}, annual_kgco2e_per_kwh: 0.4, year: {month.year}}}\n"
        for r in gen.REGIONS
    )
    path = generated.sources_file.with_name("sources.hourly.yaml")
    path.write_text(
        text + f"hourly:\n  enabled: true\n  zone_map: {work / 'zones.csv'}\n  grid_files:\n{grid}", encoding="utf-8"
    )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--fmt", choices=gen.FORMATS, default="parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--child", nargs=3, metavar=("SOURCES", "WORK", "MONTH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        sources, work, month = args.child
        print(json.dumps(_child(Path(sources), Path(work), date.fromisoformat(month)), default=str))
        return 0

    work = Path(tempfile.mkdtemp(prefix="hourly-bench-", dir=args.work))
    data = gen.data_dir(gen.DEFAULT_DATA, args.fmt, args.rows, args.seed)
    generated, _ = gen.ensure_generated(data, args.rows, args.seed, args.fmt)
    paths = {"monthly": generated.sources_file, "hourly": _hourly_sources(generated, work)}
    load_before = os.getloadavg()
    runs = {}
    for name, sources in paths.items():
        folder = work / name
        folder.mkdir()
        completed = subprocess.run(
            [sys.executable, __file__, "--rows", str(args.rows), "--child", str(sources), str(folder),
             generated.month.isoformat()],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if completed.returncode != 0:
            print(completed.stderr[-3000:], file=sys.stderr)
            return 1
        runs[name] = json.loads(completed.stdout.strip().splitlines()[-1])
        if "error" in runs[name]:
            print(f"{name}: {runs[name]['error']}", file=sys.stderr)
            return 1
    monthly, hourly = runs["monthly"], runs["hourly"]
    record = {
        "rows": args.rows,
        "fmt": args.fmt,
        "month": generated.month.isoformat(),
        "path": "two inventory-job runs, each in its own process (hourly off / on)",
        "memory_limit": os.environ.get("CARBON_DUCKDB_MEMORY_LIMIT", "1GB"),
        "monthly": monthly,
        "hourly": hourly,
        "hourly_over_monthly_time": round(hourly["run_s"] / monthly["run_s"], 3),
        "within_2x": hourly["run_s"] <= 2 * monthly["run_s"],
        "within_memory_budget": hourly["peak_rss_mb"] <= MEMORY_BUDGET_MB,
        "annual_inventory_equal": monthly["scope_summary"] == hourly["scope_summary"],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(record, indent=2, default=str))
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*existing, record], indent=2, default=str) + "\n")
    shutil.rmtree(work, ignore_errors=True)  # two warehouses: 1.7 GB at 10M (the generated files are kept)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
