"""`carbon-pipeline`: the commands behind `make run` (SPEC: Two commands).

`run` materializes every asset for every month the configured sources deliver, as ONE Dagster run
(single-run backfill), in the Dagster instance of DAGSTER_HOME so the run shows in `make ui`.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import dagster as dg

from carbon_pipeline.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from carbon_pipeline.demo.generator import ensure_demo, generate_demo
from carbon_pipeline.reporting.inventory import format_inventory
from carbon_pipeline.settings import load_settings
from carbon_pipeline.sources.config import load_sources_file
from carbon_pipeline.sources.errors import ConfigError
from carbon_pipeline.sources.registry import reader_for

QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def delivered_months(sources_path) -> list[date]:
    config = load_sources_file(sources_path)
    months = {m for s in config.sources for m in reader_for(s).available_months(s)}
    return sorted(m for m in months if m >= config.settings.start_month)


def _failures(result: dg.ExecuteInProcessResult) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            user = event.step_failure_data.user_failure_data
            text = user.description if user and user.description else (error.message if error else "failed")
            messages.append(f"{event.step_key}: {text.strip()}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                messages.append(f"check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed")
    return messages


def run(_: argparse.Namespace) -> int:
    from carbon_pipeline.definitions import build_definitions

    settings = load_settings()
    if settings.uses_demo:
        ensure_demo(settings.demo_root)
        print(f"using the bundled demo organisation ({settings.sources_file})")
    try:
        months = delivered_months(settings.sources_file)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not months:
        print("no deliveries found in the configured sources", file=sys.stderr)
        return 1
    defs = build_definitions(settings)
    job = defs.resolve_job_def("inventory_job")
    started = time.monotonic()
    with dg.DagsterInstance.get() if _has_home() else dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config=QUIET_LOGS,
            tags={RANGE_START_TAG: f"{months[0]:%Y-%m-%d}", RANGE_END_TAG: f"{months[-1]:%Y-%m-%d}"},
            raise_on_error=False,
        )
    elapsed = time.monotonic() - started
    failures = _failures(result)
    if not result.success or failures:
        print(f"pipeline run {result.run_id} failed after {elapsed:.1f}s:", file=sys.stderr)
        for message in failures:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print(f"pipeline run {result.run_id}: {months[0]:%Y-%m}..{months[-1]:%Y-%m} in {elapsed:.1f}s")
    print(format_inventory(settings.serving))
    return 0


def _has_home() -> bool:
    import os

    return bool(os.environ.get("DAGSTER_HOME"))


def demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    sources = generate_demo(settings.demo_root) if args.force else ensure_demo(settings.demo_root)
    print(sources)
    return 0


def inventory(_: argparse.Namespace) -> int:
    print(format_inventory(load_settings().serving))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="carbon-pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="materialize everything, publish the serving file, print the inventory")
    demo_parser = commands.add_parser("demo", help="generate the bundled demo organisation's landing zone")
    demo_parser.add_argument("--force", action="store_true", help="regenerate even if present")
    commands.add_parser("inventory", help="print the inventory from the serving file")
    args = parser.parse_args(argv)
    return {"run": run, "demo": demo, "inventory": inventory}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
