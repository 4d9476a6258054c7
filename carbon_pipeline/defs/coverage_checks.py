"""The "no silent zero" check of issue 14: how much of each provider-month's cloud usage cost rests on the
last fallback of the usage estimate (spend-based, or no figure at all).

Its own module because it needs the sources file's settings (``max_spend_fallback_share``), which the
generic SQL checks in checks.py do not read. Blocking: a month whose cloud bill cannot be classified must
fail the run, naming the services, rather than print an inventory that looks complete.
"""

from typing import Any

import dagster as dg

from carbon_pipeline.defs.checks import OVERVIEW_ROWS, SHOWN_ROWS, WHOLE_TABLE
from carbon_pipeline.defs.emission_assets import ACTIVITY_EMISSIONS_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.partitions import run_window
from carbon_pipeline.defs.resources import SourcesResource, WarehouseResource
from carbon_pipeline.warehouse.sql_models import run_model

MODEL = "checks/cloud_spend_fallback_share"


def build_coverage_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """The blocking spend-fallback check on the emissions asset, with the coverage per provider-month in
    its metadata (what the UI shows whether it passes or not)."""

    @dg.asset_check(
        name="cloud_usage_mostly_estimated_from_usage",
        asset=ACTIVITY_EMISSIONS_KEY,
        blocking=True,
        description="Fails when more than settings.max_spend_fallback_share (default 20 %) of a provider-month's "
        "cloud usage cost has only the spend-based fallback or no figure, naming the top services; the metadata "
        "shows the coverage (share of usage cost classified) of every provider-month.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> dg.AssetCheckResult:
        start, end = run_window(context.run.tags, partitions_def) or WHOLE_TABLE
        max_share = sources.load().settings.max_spend_fallback_share
        with warehouse.connect() as con:
            offending = run_model(con, MODEL, start=start, end=end, max_share=max_share, all_rows=False)
            columns = [d[0] for d in offending.description]
            rows = offending.fetchall()
            every = run_model(con, MODEL, start=start, end=end, max_share=max_share, all_rows=True).fetchall()
        metadata: dict[str, Any] = {
            "offending_rows": len(rows),
            "max_spend_fallback_share": max_share,
            "query": f"dbt_like_sql/{MODEL}.sql with $start={start}, $end={end}, $max_share={max_share}",
            "coverage": markdown_table(columns, every[:OVERVIEW_ROWS]),
        }
        if rows:
            metadata["first_offending_rows"] = markdown_table(columns, rows[:SHOWN_ROWS])
        return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)

    return [_check]
