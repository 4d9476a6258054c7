"""End-to-end benchmarks of the pipeline against the DuckDB floor (issue 7, items 2 and 3; `make bench`).

For each size and format: generate the month (cached), then in FRESH child processes
  1. the floor: DuckDB alone scanning the same objects and aggregating usage and cost by
     account x region x usage type (the work the ledger does, minus everything else);
  2. the pipeline end to end (`run_inventory` on a fresh warehouse), timed per Dagster step from the
     run's event log (STEP_START -> STEP_SUCCESS) and grouped into stages;
  3. the re-sync of the unchanged month (the `aws_cur_resync_job` / `aws_cur2_resync_job` the daily schedule launches).
Each measurement is its own interpreter so its peak RSS (from `os.wait4`) is its own, not the
generator's or a previous measurement's. Results go to benchmarks/results/RESULTS.md and results.json.

Every format (legacy CSV.gz, legacy Parquet, CUR 2.0 Parquet) is measured end to end against its own floor.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import generate_cur as gen
from report import NOT_BUILT, rerender, write_reports

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = "1000000,10000000"
DEFAULT_RESULTS = HERE / "results"
FLOOR_REPEATS = 3
MB = 1_000_000
CHILD_ENV = {
    "TQDM_DISABLE": "1",  # great-expectations' progress bars
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
    "PYTHONUNBUFFERED": "1",
}


# --------------------------------------------------------------------------------------------------
# Child processes: one measurement each
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildResult:
    output: dict[str, Any]
    peak_rss_mb: float  # ru_maxrss of exactly this child, from wait4
    process_s: float  # interpreter start to exit, as the parent saw it


def run_child(kind: str, spec: dict[str, Any], log: Path) -> ChildResult:
    """Run one measurement in a fresh interpreter; wait4 gives this child's own peak RSS (RUSAGE_CHILDREN
    would be the maximum over every child so far)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--spec", json.dumps(spec)]
    command += ["--out", str(out)]
    started = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **CHILD_ENV})
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0 or not out.is_file():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise RuntimeError(f"{kind} child failed (exit {process.returncode}); log {log}:\n{tail}")
    return ChildResult(json.loads(out.read_text()), usage.ru_maxrss * 1024 / MB, elapsed)


class RssSampler:
    """Samples this process's RSS every few milliseconds, so a stage's peak can be told apart from the
    run's (ru_maxrss only gives the latter)."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.time(), self._rss()))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> int | None:
        values = [rss for t, rss in self.samples if start <= t <= end]
        return max(values) if values else None


# Functions the pipeline does its work through, timed per call in the pipeline child (by patching the
# module attributes that refer to them; the pipeline's code is untouched). DuckDB materialises a result
# inside execute(), so a call's time is its query's time.
TIMED_FUNCTIONS = {
    "carbon_pipeline.warehouse.sql_models": ("run_model", "insert_model", "insert_union"),
    "carbon_pipeline.sources.tabular": ("read_delimited", "read_parquet_varchar", "count_rows"),
    "carbon_pipeline.quality.expectations": ("validate_contract",),
}


def _call_label(name: str, args: tuple[Any, ...]) -> str:
    if name == "run_model" and len(args) > 1:
        return f"SQL {args[1]}"
    if name == "insert_model" and len(args) > 2:
        return f"SQL {args[2]} -> {args[1]}"
    if name == "insert_union" and len(args) > 2:
        return f"SQL staging, one statement over {len(args[2])} object(s) -> {args[1]}"
    if name == "validate_contract" and len(args) > 1:
        return f"great-expectations contract of {args[1]}"
    if name == "read_delimited":
        return "read_csv relation + sniff (read_delimited)"
    return name


class CallTimer:
    """Times every call of TIMED_FUNCTIONS made anywhere in carbon_pipeline, to say which query inside a
    slow step is slow. Patches the names each loaded module imported; nested calls are recorded separately."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float]] = []  # label, start (epoch), seconds

    def install(self) -> None:
        """Wrap the functions of the modules the code location has loaded. A module the pipeline imports
        only when it needs it (quality.expectations, which imports great-expectations inside the first
        contract check) is left alone: importing it here would take its import cost out of the run that a
        real `carbon-pipeline run` pays (about 2 s), and make the pipeline look faster than it is."""
        originals = {}
        for module_name, names in TIMED_FUNCTIONS.items():
            module = sys.modules.get(module_name)
            if module is None:
                continue
            for name in names:
                if hasattr(module, name):
                    originals[id(getattr(module, name))] = (name, getattr(module, name))
        for module_name, module in list(sys.modules.items()):
            if not module_name.startswith("carbon_pipeline") or module is None:
                continue
            for attribute, value in list(vars(module).items()):
                if id(value) in originals and originals[id(value)][1] is value:
                    setattr(module, attribute, self._wrap(*originals[id(value)]))

    def _wrap(self, name: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started_at, started = time.time(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.calls.append((_call_label(name, args), started_at, time.perf_counter() - started))

        return timed

    def summary(self, top: int = 15) -> list[dict[str, Any]]:
        totals: dict[str, list[float]] = {}
        for label, _, seconds in self.calls:
            totals.setdefault(label, []).append(seconds)
        ranked = sorted(totals.items(), key=lambda item: sum(item[1]), reverse=True)[:top]
        return [{"call": label, "calls": len(times), "seconds": sum(times)} for label, times in ranked]


def child_generate(spec: dict[str, Any]) -> dict[str, Any]:
    root = Path(spec["root"])
    generated, fresh = gen.ensure_generated(root, spec["rows"], spec["seed"], spec["fmt"], spec["object_rows"])
    return {**generated.to_json(), "root": str(root), "cached": not fresh}


FLOOR_SQL = """
SELECT account, region, usage_type, SUM(usage) AS usage, SUM(cost) AS cost, COUNT(*) AS line_items
FROM (
    SELECT {account} AS account,
           COALESCE(NULLIF({region_code}, ''), NULLIF({region}, ''), 'global') AS region,
           {usage_type} AS usage_type,
           TRY_CAST({amount} AS DOUBLE) AS usage,
           TRY_CAST({cost} AS DECIMAL(38, 10)) AS cost
    FROM {scan}
)
GROUP BY ALL
"""
FLOOR_COLUMNS = {
    "csv_gz": {
        "account": '"lineItem/UsageAccountId"',
        "region_code": '"product/regionCode"',
        "region": '"product/region"',
        "usage_type": '"lineItem/UsageType"',
        "amount": '"lineItem/UsageAmount"',
        "cost": '"lineItem/UnblendedCost"',
    },
    "parquet": {
        "account": "line_item_usage_account_id",
        "region_code": "product_region_code",
        "region": "product_region",
        "usage_type": "line_item_usage_type",
        "amount": "line_item_usage_amount",
        "cost": "line_item_unblended_cost",
    },
    "cur2_parquet": {
        "account": "line_item_usage_account_id",
        "region_code": "product_region_code",
        "region": "product['region']",
        "usage_type": "line_item_usage_type",
        "amount": "line_item_usage_amount",
        "cost": "line_item_unblended_cost",
    },
}


def floor_sql(fmt: str, files: list[str]) -> str:
    """The floor for ``fmt``: the same cast-and-aggregate over the same objects, read as the pipeline
    reads them (CSV all VARCHAR; Parquet typed)."""
    listed = "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"
    scan = f"read_csv({listed}, header = true, all_varchar = true)" if fmt == "csv_gz" else f"read_parquet({listed})"
    return FLOOR_SQL.format(scan=scan, **FLOOR_COLUMNS[fmt])


def child_floor(spec: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    sql = floor_sql(spec["fmt"], spec["files"])
    runs, rows = [], []
    for _ in range(spec["repeats"]):
        con = duckdb.connect()  # fresh connection each time: no cached metadata or buffers
        started = time.perf_counter()
        rows = con.execute(sql).fetchall()
        runs.append(time.perf_counter() - started)
        con.close()
    return {
        "sql": sql.strip(),
        "runs_s": runs,
        "wall_s": min(runs),
        "groups": len(rows),
        "line_items": sum(r[5] for r in rows),
        "usage": sum(r[3] or 0.0 for r in rows),
        "cost": str(sum((r[4] for r in rows if r[4] is not None), start=0)),
        "threads": duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0],
    }


def _steps_from_events(instance: Any, run_id: str) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Per step: start, end, kind (asset or check) and status, from the run's event log records."""
    steps: dict[str, dict[str, Any]] = {}
    run: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type_value
        if kind in ("RUN_START", "RUN_SUCCESS", "RUN_FAILURE"):
            run[kind] = entry.timestamp
        if not event.step_key:
            continue
        step = steps.setdefault(event.step_key, {"kind": "asset", "status": "started"})
        if kind == "STEP_START":
            step["start"] = entry.timestamp
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            step["end"] = entry.timestamp
            step["status"] = "success" if kind == "STEP_SUCCESS" else "failure"
        elif kind == "STEP_SKIPPED":
            step["status"] = "skipped"
        elif kind == "ASSET_CHECK_EVALUATION":
            step["kind"] = "check"
    return steps, run


def _ledger_totals(warehouse: Path, month: date) -> dict[str, Any]:
    """What the pipeline made of the month, to prove it did the floor's work (same line items and cost)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # line items kept in raw: the copies, or for a source referencing or archiving its objects, its groups
        raw = con.execute(
            """SELECT (SELECT COUNT(*) FROM raw.aws_cur_line_items WHERE period_month = $m)
                    + (SELECT COUNT(*) FROM raw.aws_cur2_line_items WHERE period_month = $m)
                    + (SELECT COALESCE(SUM(line_item_count), 0) FROM raw.cur_line_item_groups
                       WHERE raw_storage <> 'copied' AND period_month = $m)""",
            {"m": month},
        ).fetchall()[0]
        ledger = con.execute(
            """SELECT SUM(line_item_count), SUM(quantity), SUM(cost), COUNT(*)
               FROM ledger.activity WHERE source_kind IN ('aws_cur', 'aws_cur2') AND period_month = ?""",
            [month],
        ).fetchall()[0]
    finally:
        con.close()
    return {
        "raw_rows": raw[0],
        "ledger_line_items": int(ledger[0] or 0),
        "ledger_usage": float(ledger[1] or 0.0),
        "ledger_cost": str(ledger[2]),
        "ledger_rows": ledger[3],
    }


def child_pipeline(spec: dict[str, Any]) -> dict[str, Any]:
    imported = time.perf_counter()
    import dagster as dg

    import carbon_pipeline.definitions  # noqa: F401  (loads every module the run uses, so all get timed)
    from carbon_pipeline.quality import suite_process
    from carbon_pipeline.runner import failure_messages, run_inventory
    from carbon_pipeline.settings import Settings

    import_s = time.perf_counter() - imported
    timer = CallTimer()
    timer.install()
    work = Path(spec["work"])
    settings = Settings(
        sources_file=Path(spec["sources_file"]),
        warehouse=work / "warehouse.duckdb",
        serving=work / "serving.duckdb",
        uses_demo=False,
        staging=work / "staging",
        reports=work / "reports",
    )
    month = date.fromisoformat(spec["month"])
    with dg.DagsterInstance.ephemeral() as instance, RssSampler() as sampler:
        started_at = time.time()
        started = time.perf_counter()
        result = run_inventory(settings, month, month, instance=instance, job_name=spec["job"])
        wall = time.perf_counter() - started
        ended_at = time.time()
        steps, run = _steps_from_events(instance, result.run_id)
    for step in steps.values():
        if "start" in step and "end" in step:
            step["seconds"] = step["end"] - step["start"]
            peak = sampler.peak_between(step["start"], step["end"])
            step["peak_rss_mb"] = None if peak is None else peak / MB
    output = {
        "job": spec["job"],
        "success": bool(result.success),
        "failures": failure_messages(result),
        "import_s": import_s,
        "wall_s": wall,
        "started_at": started_at,
        "ended_at": ended_at,
        "run_events": run,
        "steps": steps,
        "calls": timer.summary(),
        "sampled_peak_rss_mb": max((rss for _, rss in sampler.samples), default=0) / MB,
        # the contract checks' great-expectations helper process (quality/suite_process.py), counted in the
        # run's peak below: the sum of both peaks, an upper bound of the process tree's
        "helper_peak_rss_mb": (suite_process.peak_rss_bytes() or 0) / MB,
        # a helper retired before a large delivery was staged (suite_process.make_room_for): its peak and this
        # process's at that moment; after it only this process counts
        "helper_retired_peaks_mb": (
            None if suite_process.retired_peaks is None else [b / MB for b in suite_process.retired_peaks]
        ),
        "warehouse_mb": settings.warehouse.stat().st_size / MB if settings.warehouse.exists() else None,
    }
    if result.success:
        output["totals"] = _ledger_totals(settings.warehouse, month)
    return output


CHILDREN = {"generate": child_generate, "floor": child_floor, "pipeline": child_pipeline}


# --------------------------------------------------------------------------------------------------
# The parent: orchestrating the measurements
# --------------------------------------------------------------------------------------------------


def consistency(rows: int, floor: dict[str, Any], pipeline: dict[str, Any]) -> dict[str, Any]:
    """The pipeline and the floor must have counted the same line items and cost, or the ratio is moot."""
    totals = pipeline.get("totals") or {}
    usage_ok = abs(totals.get("ledger_usage", 0.0) - floor["usage"]) <= 1e-6 * max(1.0, abs(floor["usage"]))
    return {
        "line_items_generated": rows,
        "floor_line_items": floor["line_items"],
        "raw_rows": totals.get("raw_rows"),
        "ledger_line_items": totals.get("ledger_line_items"),
        "floor_cost": floor["cost"],
        "ledger_cost": totals.get("ledger_cost"),
        "floor_usage": floor["usage"],
        "ledger_usage": totals.get("ledger_usage"),
        "same_work": rows == floor["line_items"] == totals.get("raw_rows") == totals.get("ledger_line_items")
        and _same_decimal(floor["cost"], totals.get("ledger_cost"))
        and usage_ok,
    }


def _same_decimal(a: str | None, b: str | None) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    except InvalidOperation:
        return False


def sources_file_for(root: Path, sources_file: str, raw_line_items: str) -> Path:
    """The generated month's sources file, or a copy beside it whose CUR source sets ``raw_line_items``
    (the setting measured: copy every line item into raw, or reference the delivered objects)."""
    original = root / sources_file
    if raw_line_items == "copy":
        return original
    text = original.read_text()
    marker = "    kind: aws_cur"
    if marker not in text:
        raise ValueError(f"{original}: no CUR source to set raw_line_items on")
    start = text.index(marker)
    end = text.index("\n", start) + 1
    variant = original.with_name(f"sources.{raw_line_items}.yaml")
    variant.write_text(text[:end] + f"    raw_line_items: {raw_line_items}\n" + text[end:])
    return variant


def measure_format(
    size: int, fmt: str, args: argparse.Namespace, logs: Path, raw_line_items: str = "copy"
) -> dict[str, Any]:
    root = gen.data_dir(args.data, fmt, size, args.seed, args.object_rows)
    label = f"{size}-{fmt}" + ("" if raw_line_items == "copy" else f"-{raw_line_items}")
    print(f"[{label}] generate (cached if present) ...", flush=True)
    generation = run_child(
        "generate",
        {"root": str(root), "rows": size, "seed": args.seed, "fmt": fmt, "object_rows": args.object_rows},
        logs / f"{label}-generate.log",
    )
    meta = generation.output
    files = [str(root / f) for f in meta["data_files"]]
    print(f"[{label}] floor x{args.floor_repeats} ...", flush=True)
    # the machine's load average beside each measurement: on a shared machine a figure taken under load is
    # only comparable with one taken at a similar load
    load = {"floor": os.getloadavg()}
    floor = run_child("floor", {"fmt": fmt, "files": files, "repeats": args.floor_repeats}, logs / f"{label}-floor.log")
    record: dict[str, Any] = {
        "size": size,
        # the setting is part of what is measured, so it is part of the label the tables show
        "format": fmt if raw_line_items == "copy" else f"{fmt}, raw_line_items: {raw_line_items}",
        "raw_line_items": raw_line_items,
        "generation": {**meta, "peak_rss_mb": generation.peak_rss_mb, "process_s": generation.process_s},
        "floor": {**floor.output, "peak_rss_mb": floor.peak_rss_mb, "process_s": floor.process_s},
        "pipeline": None,
        "resync": None,
        "pipeline_status": NOT_BUILT,
        "load_average": load,
    }
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)  # a --work folder that does not exist yet is made, not an error
    work = Path(tempfile.mkdtemp(prefix=f"carbon-bench-{label}-", dir=args.work))
    try:
        sources = sources_file_for(root, meta["sources_file"], raw_line_items)
        spec = {"sources_file": str(sources), "work": str(work), "month": meta["month"]}
        print(f"[{label}] pipeline end to end (inventory_job) ...", flush=True)
        load["pipeline"] = os.getloadavg()
        record["pipeline"] = _measure_run({**spec, "job": "inventory_job"}, logs / f"{label}-pipeline.log")
        load["after"] = os.getloadavg()
        record["pipeline_status"] = "measured" if record["pipeline"]["success"] else "failed"
        if record["pipeline"]["success"]:
            job = "aws_cur2_resync_job" if fmt.startswith("cur2") else "aws_cur_resync_job"
            print(f"[{label}] re-sync of the unchanged month ({job}) ...", flush=True)
            record["resync"] = _measure_run({**spec, "job": job}, logs / f"{label}-resync.log")
            record["consistency"] = consistency(size, record["floor"], record["pipeline"])
    finally:
        if not args.keep_warehouse:
            shutil.rmtree(work, ignore_errors=True)
    return record


def _measure_run(spec: dict[str, Any], log: Path) -> dict[str, Any]:
    """One pipeline run in its own process; a crash (e.g. out of memory) is recorded as a failed run so the
    other sizes and formats still get measured and reported."""
    try:
        child = run_child("pipeline", spec, log)
    except RuntimeError as exc:
        return {"job": spec["job"], "success": False, "failures": [str(exc)], "wall_s": None, "steps": {}}
    peak = child.peak_rss_mb + (child.output.get("helper_peak_rss_mb") or 0.0)
    retired = child.output.get("helper_retired_peaks_mb")
    if retired:  # until the helper was retired both processes at most at their peaks then; after, the run alone
        helper, run = retired
        peak = max(peak, helper + run)
    return {**child.output, "peak_rss_mb": peak, "process_s": child.process_s}


def environment() -> dict[str, Any]:
    import dagster
    import duckdb
    import numpy
    import pyarrow

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dagster": dagster.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def parse_sizes(text: str) -> list[int]:
    sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be positive integers, got {text!r}")
    return sizes


def parse_formats(text: str) -> list[str]:
    formats = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [f for f in formats if f not in gen.FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {unknown[0]!r} (known: {', '.join(gen.FORMATS)})")
    return formats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES), help="line items per month")
    parser.add_argument("--formats", type=parse_formats, default=list(gen.FORMATS))
    parser.add_argument(
        "--raw-line-items",
        type=lambda text: [m.strip() for m in text.split(",") if m.strip() in ("copy", "reference", "archive")],
        default=["copy", "reference"],
        help="the CUR source's raw_line_items settings to measure (copy,reference; or archive)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--object-rows", type=int, default=gen.OBJECT_ROWS, help="line items per data object")
    parser.add_argument("--data", type=Path, default=gen.DEFAULT_DATA, help="generated months (cached)")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--work", type=Path, default=None, help="where the temporary warehouses go")
    parser.add_argument("--floor-repeats", type=int, default=FLOOR_REPEATS, help="floor runs; the fastest counts")
    parser.add_argument("--keep-warehouse", action="store_true", help="keep the temporary warehouses")
    parser.add_argument(
        "--rerender", action="store_true", help="only rewrite RESULTS.md from results.json (no measuring)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        output = CHILDREN[args.child](json.loads(args.spec))
        Path(args.out).write_text(json.dumps(output, default=str))
        return 0
    if args.rerender:
        print(rerender(args.results))
        return 0
    started = time.perf_counter()
    logs = args.data / "logs"
    records = [
        measure_format(size, fmt, args, logs, mode)
        for size in args.sizes
        for fmt in args.formats
        for mode in args.raw_line_items
    ]
    document = {
        "environment": environment(),
        "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
        "seed": args.seed,
        "month": gen.BENCH_MONTH.isoformat(),
        "generator_version": gen.GENERATOR_VERSION,
        "floor_repeats": args.floor_repeats,
        "runs": records,
        "benchmark_s": time.perf_counter() - started,
    }
    markdown = write_reports(document, args.results)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
