"""Ledger stage: cleaned activity, one row per activity with its source object, delivery and
line-item count; and the provider-reported emissions with the model version chosen per month."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.sql_table_asset import transform_asset
from carbon_pipeline.transforms import of_group


def _activity_summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT activity_type, estimation_class, COUNT(*), SUM(line_item_count), COUNT(flag),
                  CAST(SUM(cost) AS DOUBLE)
           FROM ledger.activity WHERE period_month >= ? AND period_month < ? GROUP BY ALL ORDER BY 1, 2""",
        [start, end],
    ).fetchall()
    # Costs in different currencies never add up: one total per currency, exact (DECIMAL) in the table.
    costs = con.execute(
        """SELECT COALESCE(currency, '(none)'), COUNT(*), SUM(line_item_count), SUM(cost)
           FROM ledger.activity WHERE period_month >= ? AND period_month < ? AND cost IS NOT NULL
           GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).fetchall()
    return {
        "by_class": markdown_table(["activity", "class", "rows", "line items", "flagged", "cost"], rows),
        "flagged_rows": sum(r[4] for r in rows),
        "cost_by_currency": markdown_table(["currency", "rows", "line items", "cost"], costs),
        **{f"total_cost_{currency}": round(float(cost), 2) for currency, _, _, cost in costs},
    }


def _provider_summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT strftime(period_month, '%Y-%m'), string_agg(DISTINCT model_version, ', ' ORDER BY model_version),
                  MAX(CASE WHEN is_selected THEN model_version END),
                  ANY_VALUE(selection_note) FILTER (WHERE is_selected)
           FROM ledger.provider_emissions WHERE period_month >= ? AND period_month < ?
           GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).fetchall()
    return {"model_versions": markdown_table(["month", "delivered", "selected", "why"], rows)}


def build_ledger_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    summaries = {"ledger.activity": _activity_summary, "ledger.provider_emissions": _provider_summary}
    return [transform_asset(t, partitions_def, summaries[t.table]) for t in of_group("ledger")]
