"""Ledger stage: cleaned activity, one row per activity with its source object, delivery and
line-item count; and the provider-reported emissions with the model version chosen per month."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.defs.factor_assets import FACTOR_CATALOGUE_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.raw_assets import raw_asset_key
from carbon_pipeline.defs.sql_assets import sql_table_asset

ACTIVITY_LEDGER_KEY = dg.AssetKey(["ledger", "activity"])
PROVIDER_EMISSIONS_KEY = dg.AssetKey(["ledger", "provider_emissions"])


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
    return [
        sql_table_asset(
            key=ACTIVITY_LEDGER_KEY.path,
            table="ledger.activity",
            models=("ledger/activity_cloud_billing", "ledger/activity_own_operations", "ledger/activity_focus"),
            deps=(
                raw_asset_key("aws_cur"),
                raw_asset_key("aws_cur2"),
                raw_asset_key("activity_csv"),
                raw_asset_key("focus"),
                FACTOR_CATALOGUE_KEY,
            ),
            group="ledger",
            description="The activity ledger: cloud billing grouped to month x object x account x region x usage "
            "type x line-item type, and every line of the activity files; each row names its source object, "
            "delivery and line-item count, and is classified for estimation or flagged.",
            partitions_def=partitions_def,
            summary=_activity_summary,
        ),
        sql_table_asset(
            key=PROVIDER_EMISSIONS_KEY.path,
            table="ledger.provider_emissions",
            models=("ledger/provider_emissions", "ledger/provider_carbon_emissions"),
            deps=(
                raw_asset_key("aws_carbon"),
                raw_asset_key("gcp_carbon"),
                raw_asset_key("azure_carbon"),
                raw_asset_key("aws_sustainability_api"),
            ),
            group="ledger",
            description="Provider-reported cloud emissions by month x account x region x service x provider scope, "
            "every model version kept, one selected per month by policy (newest unless pinned).",
            partitions_def=partitions_def,
            summary=_provider_summary,
        ),
    ]
