"""Restatements stage: after the marts, compare the current figures of every published month with its
current snapshot and rewrite the restatement log and bridge (docs/restatements.md). Publishing itself
is `carbon-pipeline publish`, a deliberate act, never a side effect of a run.

The asset is not partitioned: the log describes every published month against now, whichever months
the run rebuilt, so it is recomputed whole (it is small: published months x bridge grain)."""

import dagster as dg

from carbon_pipeline.orchestration.keys import CLOUD_EMISSIONS_KEY, RESTATEMENT_LOG_KEY, SCOPE_SUMMARY_KEY
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.resources import SourcesResource, WarehouseResource
from carbon_pipeline.publishing.snapshots import refresh_restatements

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


def build_publishing_assets() -> list[dg.AssetsDefinition]:
    return [restatement_log]
