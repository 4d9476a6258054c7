"""`carbon-pipeline`: the commands behind `make run` (SPEC: Two commands).

`run` materializes every asset for every month the configured sources deliver, as ONE Dagster run
(single-run backfill), in the Dagster instance of DAGSTER_HOME so the run shows in `make ui`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import date

import dagster as dg

from carbon_pipeline.demo.generator import ensure_demo, generate_demo
from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.orchestration.event_log import EVENT_BATCH_SIZE
from carbon_pipeline.reporting.cloud_coverage import format_coverage
from carbon_pipeline.reporting.hourly_summary import format_hourly
from carbon_pipeline.reporting.inventory import format_inventory
from carbon_pipeline.runner import (
    CLI_LOGS,
    delivered_months,
    failed_warning_checks,
    failure_messages,
    pinned_version_problem,
    run_inventory,
)
from carbon_pipeline.secrets.cli import add_credentials_commands, run_credentials
from carbon_pipeline.settings import Settings, load_settings
from carbon_pipeline.sources.sources_file import load_sources_file


def _month_arg(text: str) -> date:
    """YYYY-MM exactly: ``2025-01-garbage`` once ran as January."""
    shown = text if len(text) <= 40 else text[:40] + "..."
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{shown}' is not a month (YYYY-MM)") from exc


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.uses_demo:
        ensure_demo(settings.demo_root)
        print(f"using the bundled demo organisation ({settings.sources_file})")
    early: list[tuple[str, date]] = []
    try:
        months = delivered_months(settings, early)
        start_month = load_sources_file(settings.sources_file).settings.start_month
        pin_problem = pinned_version_problem(settings)
    except (ConfigError, SourceError) as exc:  # e.g. an S3 403 or a dead endpoint: a message, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if pin_problem:
        print(f"error: {pin_problem}", file=sys.stderr)
        return 2
    for source_id in sorted({source_id for source_id, _ in early}):
        listed = ", ".join(f"{m:%Y-%m}" for sid, m in early if sid == source_id)
        print(
            f"warning: source '{source_id}' has data for {listed}, before settings.start_month "
            f"{start_month:%Y-%m}: not in the inventory",
            file=sys.stderr,
        )
    current = date.today().replace(day=1)
    requested = [m for m in (getattr(args, "first", None), getattr(args, "last", None)) if m is not None]
    if any(m < start_month or m > current for m in requested):  # would run unpartitioned, empty months
        shown = "..".join(f"{m:%Y-%m}" for m in requested)
        print(
            f"error: --from/--to {shown} lies outside the months the pipeline has partitions for "
            f"({start_month:%Y-%m}..{current:%Y-%m}: settings.start_month to the current month)",
            file=sys.stderr,
        )
        return 2
    if not months:
        print("no deliveries found in the configured sources", file=sys.stderr)
        return 1
    first = getattr(args, "first", None) or months[0]
    last = getattr(args, "last", None) or months[-1]
    if last < first:
        print(f"error: --to {last:%Y-%m} is before --from {first:%Y-%m}", file=sys.stderr)
        return 2
    started = time.monotonic()
    if os.environ.get("DAGSTER_HOME"):
        # a range run's planned events and materializations stored in batches (docs/performance.md, Profile 25)
        os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", EVENT_BATCH_SIZE)
        with dg.DagsterInstance.get() as instance:
            result = run_inventory(settings, first, last, instance=instance, run_config=CLI_LOGS)
    else:
        result = run_inventory(settings, first, last, run_config=CLI_LOGS)
    elapsed = time.monotonic() - started
    failures = failure_messages(result)
    if not result.success or failures:
        print(f"pipeline run {result.run_id} failed after {elapsed:.1f}s:", file=sys.stderr)
        for message in failures:
            print(f"  - {message}", file=sys.stderr)
        for warning in failed_warning_checks(result):
            print(f"  - warning: {warning}", file=sys.stderr)
        # what the coverage check saw, with the services on the last fallback (issue 14: never a silent zero)
        coverage = format_coverage(settings.warehouse, _max_share(settings))
        if coverage:
            print(coverage, file=sys.stderr)
        return 1
    print(f"pipeline run {result.run_id}: {first:%Y-%m}..{last:%Y-%m} in {elapsed:.1f}s")
    for warning in failed_warning_checks(result):
        print(f"  warning: {warning}")
    print(format_inventory(settings.serving))
    hourly = format_hourly(settings.serving)  # None unless hourly is on (docs/hourly.md)
    if hourly:
        print(hourly)
    coverage = format_coverage(settings.serving, _max_share(settings))
    if coverage:
        print(coverage)
    return 0


def _max_share(settings: Settings) -> float:
    return load_sources_file(settings.sources_file).settings.max_spend_fallback_share


def demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.uses_demo:
        print(f"CARBON_SOURCES is set ({settings.sources_file}): no demo generated")
        return 0
    sources = generate_demo(settings.demo_root) if args.force else ensure_demo(settings.demo_root)
    print(sources)
    return 0


def iam_policy(args: argparse.Namespace) -> int:
    import json

    from carbon_pipeline.sources.iam import policies_for
    from carbon_pipeline.sources.sources_file import load_sources_file

    try:
        config = load_sources_file(load_settings().sources_file)
        source = next((s for s in config.sources if s.id == args.source_id), None)
        if source is None:
            raise ConfigError(f"no source '{args.source_id}' in {config.path}")
        print(json.dumps(policies_for(source, args.principal), indent=2))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def publish(args: argparse.Namespace) -> int:
    """Freeze the current figures of a month range as an immutable snapshot (docs/restatements.md), then
    refresh the restatement log and the serving file so BI tools see the new snapshot."""
    from carbon_pipeline.publishing import PublishError, publish_period, refresh_restatements
    from carbon_pipeline.serving.publish import publish_serving
    from carbon_pipeline.sources.sources_file import load_sources_file
    from carbon_pipeline.warehouse.connection import warehouse_connection

    settings = load_settings()
    try:
        inventory_settings = load_sources_file(settings.sources_file).settings
        with warehouse_connection(settings.warehouse) as con:
            snapshot = publish_period(
                con, args.first, args.last, inventory_settings, note=args.note, republish=args.republish
            )
            refresh_restatements(con, inventory_settings)
    except (ConfigError, PublishError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    publish_serving(settings.warehouse, settings.serving, inventory_settings.intensity_denominators)
    replaced = f", supersedes {snapshot.supersedes}" if snapshot.supersedes else ""
    print(
        f"published {snapshot.snapshot_id}: {snapshot.figure_rows} figures, {snapshot.summary_rows} inventory rows"
        f"{replaced}; sha256 {snapshot.content_sha256}"
    )
    return 0


def transform(args: argparse.Namespace) -> int:
    """Re-run ledger -> emissions -> marts for a month range over the raw tables already in the warehouse, on
    the engine asked for (default CARBON_ENGINE), land the rows in the warehouse and republish the serving
    file (docs/spark.md)."""
    from carbon_pipeline.engines import engine_for
    from carbon_pipeline.serving.publish import publish_serving
    from carbon_pipeline.sources.sources_file import load_sources_file
    from carbon_pipeline.transforms import policy_parameters
    from carbon_pipeline.warehouse.connection import warehouse_connection

    settings = load_settings()
    if args.last < args.first:
        print(f"error: --to {args.last:%Y-%m} is before --from {args.first:%Y-%m}", file=sys.stderr)
        return 2
    end = date(args.last.year + args.last.month // 12, args.last.month % 12 + 1, 1)
    try:
        engine = engine_for(args.engine or settings.engine, spark_master=settings.spark_master)
        inventory_settings = load_sources_file(settings.sources_file).settings
        params = policy_parameters(inventory_settings)
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    with warehouse_connection(settings.warehouse) as con:
        written = engine.transform(con, args.first, end, params)
    publish_serving(settings.warehouse, settings.serving, inventory_settings.intensity_denominators)
    for table, rows in written.items():
        print(f"{table}: {rows} rows")
    elapsed = time.monotonic() - started
    print(f"{engine.name}: {args.first:%Y-%m}..{args.last:%Y-%m} in {elapsed:.1f}s; serving republished")
    return 0


SHOWN_COLUMNS = (
    "object_line",
    "line_item_id",
    "usage_start",
    "usage_amount",
    "pricing_unit",
    "unblended_cost",
    "currency",
)


def line_items(args: argparse.Namespace) -> int:
    """Print the line items behind one CUR activity of the ledger, re-read from the delivered object when the
    source references its objects (from the pipeline's copy when it archives them), and say whether they add up
    to the ledger's count and cost."""
    from carbon_pipeline.errors import SourceError
    from carbon_pipeline.serving.line_items import TraceError, trace_activity
    from carbon_pipeline.sources.sources_file import load_sources_file

    settings = load_settings()
    try:
        found = trace_activity(settings.warehouse, load_sources_file(settings.sources_file), args.activity_id)
    except (ConfigError, SourceError, TraceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = found.object_uri or found.source_object
    version = f" (version {found.object_version})" if found.object_version else ""
    print(f"activity {found.activity_id}: source {found.source_id}, {found.raw_storage} line items of {where}{version}")
    if found.archived_as:
        print(f"read from the archived copy {found.archived_as} (its SHA-256 checked)")
    indexes = [found.columns.index(c) for c in SHOWN_COLUMNS]
    print("\t".join(SHOWN_COLUMNS))
    for row in found.rows[: args.limit]:
        print("\t".join("" if row[i] is None else str(row[i]) for i in indexes))
    if len(found.rows) > args.limit:
        print(f"... {len(found.rows) - args.limit} more (--limit)")
    verdict = "matches the ledger" if found.reconciles else "DOES NOT match the ledger"
    print(
        f"{len(found.rows)} line items, cost {found.cost}: {verdict} "
        f"({found.ledger_line_items} line items, cost {found.ledger_cost})"
    )
    return 0 if found.reconciles else 1


def archive_unreferenced(args: argparse.Namespace) -> int:
    """List (or with --delete remove) the archived objects no month of the warehouse was read from any more. The
    warehouse is opened for writing meanwhile, so no run can start and reuse a copy while it is deleted."""
    from pathlib import Path

    import duckdb

    from carbon_pipeline.sources.archive import archive_folder, remove_unreferenced, unreferenced
    from carbon_pipeline.warehouse.connection import warehouse_connection

    settings = load_settings()
    root = archive_folder(settings.warehouse)
    if not Path(settings.warehouse).is_file():  # opening it would create an empty one
        print(f"error: no warehouse at {settings.warehouse}", file=sys.stderr)
        return 2
    try:
        with warehouse_connection(settings.warehouse) as con:
            referenced = {
                row[0]
                for row in con.execute(
                    "SELECT DISTINCT archived_as FROM raw.delivery_objects WHERE archived_as IS NOT NULL"
                ).fetchall()
            }
            found = [(path, path.stat().st_size) for path in unreferenced(root, referenced)]
            for path, size in found:
                print(f"{path.relative_to(root).as_posix()}\t{size}")
            if args.delete:
                remove_unreferenced(root, [path for path, _ in found])
    except duckdb.IOException as exc:
        print(f"error: {settings.warehouse} cannot be opened ({exc}); is a run using it?", file=sys.stderr)
        return 2
    what = "deleted" if args.delete else "no month was read from (delete them with --delete)"
    print(f"{len(found)} archived object(s), {sum(size for _, size in found):,} bytes, {what}")
    return 0


def inventory(_: argparse.Namespace) -> int:
    print(format_inventory(load_settings().serving))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="carbon-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser(
        "run", help="materialize every delivered month (or a range, as one backfill run), publish, print the inventory"
    )
    run_parser.add_argument("--from", dest="first", type=_month_arg, help="first month, YYYY-MM")
    run_parser.add_argument("--to", dest="last", type=_month_arg, help="last month, YYYY-MM (inclusive)")
    demo_parser = commands.add_parser("demo", help="generate the bundled demo organisation's landing zone")
    demo_parser.add_argument("--force", action="store_true", help="regenerate even if present")
    commands.add_parser("inventory", help="print the inventory from the serving file")
    policy = commands.add_parser("iam-policy", help="print the least-privilege IAM policies for a source")
    policy.add_argument("source_id")
    policy.add_argument("--principal", help="ARN of the role or user the pipeline runs as (for the trust policy)")
    publish_parser = commands.add_parser(
        "publish", help="freeze the current figures of a month range as an immutable published snapshot"
    )
    publish_parser.add_argument("--from", dest="first", type=_month_arg, required=True, help="first month, YYYY-MM")
    publish_parser.add_argument("--to", dest="last", type=_month_arg, required=True, help="last month, YYYY-MM")
    publish_parser.add_argument("--note", help="why / for what the period is published (kept with the snapshot)")
    publish_parser.add_argument(
        "--republish", action="store_true", help="publish months already published as a new version (made current)"
    )
    transform_parser = commands.add_parser(
        "transform", help="re-run ledger -> emissions -> marts for a month range on DuckDB or Spark (docs/spark.md)"
    )
    transform_parser.add_argument("--from", dest="first", type=_month_arg, required=True, help="first month, YYYY-MM")
    transform_parser.add_argument("--to", dest="last", type=_month_arg, required=True, help="last month, YYYY-MM")
    transform_parser.add_argument("--engine", choices=("duckdb", "spark"), help="default: CARBON_ENGINE, else duckdb")
    trace_parser = commands.add_parser(
        "line-items", help="the line items behind one CUR activity of the ledger, checked against its count and cost"
    )
    trace_parser.add_argument("activity_id", help="ledger.activity.activity_id (also in marts and the report's tables)")
    trace_parser.add_argument("--limit", type=int, default=50, help="line items to print (all are counted)")
    archive_parser = commands.add_parser(
        "archive-unreferenced",
        help="the archived CUR objects (raw_line_items: archive) no month of the warehouse was read from any more",
    )
    archive_parser.add_argument("--delete", action="store_true", help="delete them (the warehouse is locked meanwhile)")
    add_credentials_commands(commands)
    args = parser.parse_args(argv)
    handlers = {
        "run": run,
        "demo": demo,
        "inventory": inventory,
        "iam-policy": iam_policy,
        "credentials": run_credentials,
        "publish": publish,
        "transform": transform,
        "line-items": line_items,
        "archive-unreferenced": archive_unreferenced,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
