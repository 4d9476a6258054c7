"""Checks of the restatement stage: published snapshots are never altered, and the bridge adds up."""

import dagster as dg

from carbon_pipeline.orchestration.keys import RESTATEMENT_LOG_KEY
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.resources import WarehouseResource
from carbon_pipeline.publishing.snapshots import bridge_mismatches, snapshot_problems

SHOWN_ROWS = 20


def _result(problems: list[tuple], columns: list[str], *, passed_text: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=dg.AssetCheckSeverity.ERROR,
        description=passed_text if not problems else f"{len(problems)} problem(s)",
        metadata={
            "problems": len(problems),
            "first_problems": markdown_table(columns, problems[:SHOWN_ROWS]),
        },
    )


@dg.asset_check(
    asset=RESTATEMENT_LOG_KEY,
    name="published_snapshots_unchanged",
    blocking=True,
    description="Every published snapshot is exactly as published: the SHA-256 of its rows and of its header are "
    "recomputed (dbt_like_sql/publishing/snapshot_hashes.sql, published_snapshots_unchanged.sql) and must match.",
)
def published_snapshots_unchanged(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        problems = snapshot_problems(con)
    return _result(
        problems, ["snapshot", "problem", "expected", "found"], passed_text="every published snapshot unchanged"
    )


@dg.asset_check(
    asset=RESTATEMENT_LOG_KEY,
    name="restatement_bridge_reconciles",
    blocking=True,
    description="The bridge's parts (method, activity, factor, provider revision, added/removed) add up to each "
    "bridge line's and each log line's delta within 1e-9 tCO2e.",
)
def restatement_bridge_reconciles(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        problems = bridge_mismatches(con)
    return _result(
        problems,
        ["relation", "snapshot", "month", "scope", "category", "method", "basis", "delta", "parts"],
        passed_text="every delta equals the sum of its parts",
    )


def build_publishing_checks() -> list[dg.AssetChecksDefinition]:
    return [published_snapshots_unchanged, restatement_bridge_reconciles]
