"""`carbon-pipeline`: the commands behind `make run` (SPEC: Two commands).

`run` materializes every asset for every month the configured sources deliver, as ONE Dagster run
(single-run backfill), in the Dagster instance of DAGSTER_HOME so the run shows in `make ui`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

import dagster as dg

from carbon_pipeline.demo.generator import ensure_demo, generate_demo
from carbon_pipeline.reporting.inventory import format_inventory
from carbon_pipeline.runner import delivered_months, failure_messages, run_inventory
from carbon_pipeline.secrets.cli import add_credentials_commands, run_credentials
from carbon_pipeline.settings import load_settings
from carbon_pipeline.sources.errors import ConfigError


def _month_arg(text: str) -> date:
    try:
        year, month = text.split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a month (YYYY-MM)") from exc


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.uses_demo:
        ensure_demo(settings.demo_root)
        print(f"using the bundled demo organisation ({settings.sources_file})")
    try:
        months = delivered_months(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
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
        with dg.DagsterInstance.get() as instance:
            result = run_inventory(settings, first, last, instance=instance)
    else:
        result = run_inventory(settings, first, last)
    elapsed = time.monotonic() - started
    failures = failure_messages(result)
    if not result.success or failures:
        print(f"pipeline run {result.run_id} failed after {elapsed:.1f}s:", file=sys.stderr)
        for message in failures:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print(f"pipeline run {result.run_id}: {first:%Y-%m}..{last:%Y-%m} in {elapsed:.1f}s")
    print(format_inventory(settings.serving))
    return 0


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

    from carbon_pipeline.sources.config import load_sources_file
    from carbon_pipeline.sources.iam import policies_for

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
    add_credentials_commands(commands)
    args = parser.parse_args(argv)
    handlers = {
        "run": run,
        "demo": demo,
        "inventory": inventory,
        "iam-policy": iam_policy,
        "credentials": run_credentials,
    }
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
