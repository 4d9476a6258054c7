"""Issue 16 item 5: the hourly option on a generated CUR month (benchmarks/generate_cur.py, hourly line items over
March 2025's 744 hours). Measures the monthly path (the inventory job, as run_benchmarks.py does) and then the
hourly build on the same warehouse (python -m carbon_pipeline.hourly's work: the CUR source turned hourly, every
region mapped to a synthetic zone), each with its wall time and peak RSS, under the pipeline's DuckDB memory
limit (CARBON_DUCKDB_MEMORY_LIMIT, default 1GB). The target: monthly + hourly within 2x the monthly path.

    .venv/bin/python benchmarks/hourly_bench.py --rows 1000000 [--fmt parquet] [--work /big/tmp]

Writes benchmarks/results/hourly.json (appending one record per size). Timings on a shared machine are noise
beyond a few percent: read them as orders of magnitude, never as a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_cur as gen  # noqa: E402
from run_benchmarks import MB, RssSampler  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "hourly.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--fmt", choices=gen.FORMATS, default="parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)

    import dagster as dg

    from carbon_pipeline.hourly.build import build_hourly, hourly_sources
    from carbon_pipeline.runner import failure_messages, run_inventory
    from carbon_pipeline.settings import Settings
    from carbon_pipeline.sources.sources_file import load_sources_file
    from carbon_pipeline.warehouse.connection import memory_limit, warehouse_connection

    work = Path(tempfile.mkdtemp(prefix="hourly-bench-", dir=args.work))
    data = gen.data_dir(gen.DEFAULT_DATA, args.fmt, args.rows, args.seed)
    generated, _ = gen.ensure_generated(data, args.rows, args.seed, args.fmt)
    month = generated.month
    # the same month, its CUR source turned hourly, and an hourly: section with one synthetic zone per region
    text = generated.sources_file.read_text(encoding="utf-8")
    text = text.replace("\n    kind: aws_cur", "\n    hourly: true\n    kind: aws_cur", 1)
    zones = "kind,key,zone\n" + "".join(f"cloud_region,aws:{r[0]},Z-{r[0]}\n" for r in gen.REGIONS)
    (work / "zones.csv").write_text(zones, encoding="utf-8")
    grid = "".join(
        f"    - {{layout: synthetic, zone: Z-{r[0]}, annual_kgco2e_per_kwh: 0.4, year: {month.year}}}\n"
        for r in gen.REGIONS
    )
    sources_path = generated.sources_file.with_name("sources.hourly.yaml")
    sources_path.write_text(
        text + f"hourly:\n  enabled: true\n  zone_map: {work / 'zones.csv'}\n  grid_files:\n{grid}", encoding="utf-8"
    )
    settings = Settings(
        sources_file=sources_path,
        warehouse=work / "warehouse.duckdb",
        serving=work / "serving.duckdb",
        uses_demo=False,
        staging=work / "staging",
        reports=work / "reports",
    )
    with RssSampler() as sampler:
        with dg.DagsterInstance.ephemeral() as instance:
            started = time.perf_counter()
            t0 = time.time()
            result = run_inventory(settings, month, month, instance=instance, job_name="inventory_job")
            monthly_s = time.perf_counter() - started
            t1 = time.time()
        if not result.success:
            print("\n".join(failure_messages(result)), file=sys.stderr)
            return 1
        sources = load_sources_file(sources_path)
        started = time.perf_counter()
        with warehouse_connection(settings.warehouse) as con:
            built = build_hourly(con, sources.hourly, hourly_sources(sources))
            line_items = con.execute("SELECT count(*) FROM raw.aws_cur_line_items").fetchone()[0]
            line_items += con.execute("SELECT count(*) FROM raw.aws_cur2_line_items").fetchone()[0]
            kwh = con.execute(
                "SELECT sum(annual_kwh), sum(hourly_kwh) FROM marts.hourly_vs_annual WHERE entity_kind = 'cloud_region'"
            ).fetchone()
        hourly_s = time.perf_counter() - started
        t2 = time.time()
    record = {
        "rows": args.rows,
        "fmt": args.fmt,
        "month": date.isoformat(month),
        "raw_line_items": line_items,
        "memory_limit": memory_limit(),
        "monthly_path_s": round(monthly_s, 2),
        "hourly_build_s": round(hourly_s, 2),
        "hourly_over_monthly": round((monthly_s + hourly_s) / monthly_s, 3),
        "monthly_peak_rss_mb": round((sampler.peak_between(t0, t1) or 0) / MB),
        "hourly_peak_rss_mb": round((sampler.peak_between(t1, t2) or 0) / MB),
        "hourly_rows": built.rows,
        "cloud_kwh_annual_vs_hourly": kwh,
    }
    print(json.dumps(record, indent=2, default=str))
    existing = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    RESULTS.write_text(json.dumps([*existing, record], indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
