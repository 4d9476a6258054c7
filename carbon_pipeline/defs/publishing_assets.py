"""Restatements stage: after the marts, compare the current figures of every published month with its
current snapshot and rewrite the restatement log and bridge (docs/restatements.md). Publishing itself
is `carbon-pipeline publish`, a deliberate act, never a side effect of a run.

The asset is not partitioned: the log describes every published month against now, whichever months
the run rebuilt, so it is recomputed whole (it is small: published months x bridge grain)."""

import dagster as dg

from carbon_pipeline.defs.mart_assets import CLOUD_EMISSIONS_KEY, SCOPE_SUMMARY_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.resources import SourcesResource, WarehouseResource
from carbon_pipeline.publishing.snapshots import bridge_mismatches, refresh_restatements, snapshot_problems

RESTATEMENT_LOG_KEY = dg.AssetKey(["audit", "restatement_log"])
SHOWN_ROWS = 20


@dg.asset(
    key=RESTATEMENT_LOG_KEY,
    deps=[SCOPE_SUMMARY_KEY, CLOUD_EMISSIONS_KEY],
    group_name="audit",
    description="Restatement log and bridge: for every published month, marts.scope_summary now against the "
    "month's current published snapshot (published.*), with each difference split per bridge grain into method "
    "change, activity effect, factor effect, provider revision and added/removed lines that add up to the delta. "
    "Rewritten whole in one transaction at each run; published snapshots are never touched.",
    kinds={"duckdb", "sql"},
    metadata={
        "tables": "audit.restatement_log, audit.restatement_bridge",
        "models": "dbt_like_sql/publishing/bridge_figures.sql, restatement_bridge.sql, restatement_log.sql",
    },
)
def restatement_log(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        counts = refresh_restatements(con, sources.load().settings)
        by_month = con.execute(
            """SELECT snapshot_id, strftime(period_month, '%Y-%m'), scope, method, basis,
                      round(published_tco2e, 6), round(current_tco2e, 6), round(delta_tco2e, 6), cause
               FROM audit.restatement_log ORDER BY ALL LIMIT ?""",
            [SHOWN_ROWS],
        ).fetchall()
        snapshots = con.execute(
            """SELECT snapshot_id, strftime(first_month, '%Y-%m'), strftime(last_month, '%Y-%m'), is_current,
                      CAST(published_at AS VARCHAR), note
               FROM published.snapshot_log ORDER BY publication_seq"""
        ).fetchall()
    context.log.info(
        f"restatements: {counts['log_lines']} log line(s), {counts['bridge_lines']} bridge line(s) over "
        f"{counts['published_months']} published month(s)"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["log_lines"],
            "bridge_lines": counts["bridge_lines"],
            "published_months": counts["published_months"],
            "snapshots": markdown_table(["snapshot", "from", "to", "current", "published at", "note"], snapshots),
            "restatements": markdown_table(
                ["snapshot", "month", "scope", "method", "basis", "published", "current", "delta", "cause"], by_month
            ),
        }
    )


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


def build_publishing_assets() -> list[dg.AssetsDefinition]:
    return [restatement_log]


def build_publishing_checks() -> list[dg.AssetChecksDefinition]:
    return [published_snapshots_unchanged, restatement_bridge_reconciles]
