"""Emissions stage: every ledger activity x its factor, location- and market-based, with the factor's
id, data year and how it was resolved, and the formula used."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.sql_table_asset import transform_asset
from carbon_pipeline.transforms import of_group


def _summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT method, basis, factor_resolution, COUNT(*), COUNT(flag), SUM(tco2e)
           FROM emissions.activity_emissions WHERE period_month >= ? AND period_month < ?
           GROUP BY ALL ORDER BY 1, 2, 3""",
        [start, end],
    ).fetchall()
    return {"by_resolution": markdown_table(["method", "basis", "factor resolution", "rows", "flagged", "tCO2e"], rows)}


def build_emission_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    # the summary describes emissions.activity_emissions; the other emission tables show their row counts only
    return [
        transform_asset(t, partitions_def, _summary if t.table == "emissions.activity_emissions" else None)
        for t in of_group("emissions")
    ]
