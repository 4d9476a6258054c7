"""Emissions stage: every ledger activity x its factor, location- and market-based, with the factor's
id, data year and how it was resolved, and the formula used."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.defs.factor_assets import FACTOR_CATALOGUE_KEY
from carbon_pipeline.defs.ledger_assets import ACTIVITY_LEDGER_KEY, PROVIDER_EMISSIONS_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.sql_assets import sql_table_asset

ACTIVITY_EMISSIONS_KEY = dg.AssetKey(["emissions", "activity_emissions"])


def _summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT method, basis, factor_resolution, COUNT(*), COUNT(flag), SUM(tco2e)
           FROM emissions.activity_emissions WHERE period_month >= ? AND period_month < ?
           GROUP BY ALL ORDER BY 1, 2, 3""",
        [start, end],
    ).fetchall()
    return {"by_resolution": markdown_table(["method", "basis", "factor resolution", "rows", "flagged", "tCO2e"], rows)}


def build_emission_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [
        sql_table_asset(
            key=ACTIVITY_EMISSIONS_KEY.path,
            table="emissions.activity_emissions",
            # own operations second: its spend exclusion reads the months' cloud figures written first
            models=("emissions/activity_emissions", "emissions/own_operations_emissions"),
            deps=(ACTIVITY_LEDGER_KEY, PROVIDER_EMISSIONS_KEY, FACTOR_CATALOGUE_KEY),
            group="emissions",
            description="Per-activity emissions: cloud usage estimated from billing rows (energy coefficients x "
            "grid factor); electricity, fuel, vehicles, travel and spend as activity x factor, the factor chosen "
            "as of the activity's date, geography and boundary (fallbacks recorded); location and market rows, "
            "each with factor id, data year, resolution and formula, or a flag saying why there is no figure.",
            partitions_def=partitions_def,
            summary=_summary,
        )
    ]
