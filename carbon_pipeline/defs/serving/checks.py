"""Checks of the serving file: every served view adds up to the inventory it serves."""

from __future__ import annotations

from typing import Any

import dagster as dg

from carbon_pipeline.orchestration.checks import SHOWN_ROWS, WHOLE_TABLE
from carbon_pipeline.orchestration.keys import SERVING_KEY
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.resources import ServingResource
from carbon_pipeline.warehouse.connection import open_read_only
from carbon_pipeline.warehouse.sql_models import run_model


@dg.asset_check(
    name="served_views_reconcile",
    asset=SERVING_KEY,
    blocking=True,
    description="Every served view adds up to bi.scope_summary: audit trail (counted rows), cloud emissions "
    "(counted location and market), cloud reconciliation (inventory, reported and estimated columns).",
)
def served_views_reconcile(serving: ServingResource) -> dg.AssetCheckResult:
    # the serving file, where the bi views live, read-only as a BI tool would
    con = open_read_only(serving.path)
    try:
        result = run_model(con, "checks/served_views_reconcile", start=WHOLE_TABLE[0], end=WHOLE_TABLE[1])
        columns, rows = [d[0] for d in result.description], result.fetchall()
    finally:
        con.close()
    metadata: dict[str, Any] = {"offending_rows": len(rows), "query": "dbt_like_sql/checks/served_views_reconcile.sql"}
    if rows:
        metadata["first_offending_rows"] = markdown_table(columns, rows[:SHOWN_ROWS])
    return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)
