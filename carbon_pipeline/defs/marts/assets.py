"""Marts stage: the public data contract (SPEC: Data contract)."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.plots import monthly_by_scope, png_markdown
from carbon_pipeline.orchestration.sql_table_asset import transform_asset
from carbon_pipeline.transforms import of_group


def _scope_summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT year(period_month), scope, method, basis, SUM(tco2e)
           FROM marts.scope_summary WHERE period_month >= ? AND period_month < ?
           GROUP BY ALL ORDER BY 1, 2, 3, 4""",
        [start, end],
    ).fetchall()
    total = con.execute(
        "SELECT method, SUM(tco2e) FROM marts.scope_summary WHERE period_month >= ? AND period_month < ? GROUP BY 1",
        [start, end],
    ).fetchall()
    monthly = con.execute(
        """SELECT period_month, method, scope, SUM(tco2e) FROM marts.scope_summary
           WHERE period_month >= ? AND period_month < ? GROUP BY ALL ORDER BY ALL""",
        [start, end],
    ).fetchall()
    month_table = con.execute(
        """SELECT strftime(period_month, '%Y-%m'),
                  SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 1),
                  SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 2),
                  SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 3),
                  SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 1),
                  SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 2),
                  SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 3)
           FROM marts.scope_summary WHERE period_month >= ? AND period_month < ? GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).fetchall()
    by_scope = ["month", "S1 location", "S2 location", "S3 location", "S1 market", "S2 market", "S3 market"]
    return {
        "by_year_scope": markdown_table(["year", "scope", "method", "basis", "tCO2e"], rows),
        **{f"total_tco2e_{method}": round(float(value or 0), 6) for method, value in total},
        "month_by_scope": markdown_table(by_scope, month_table),
        **(
            {"monthly_by_scope_chart": png_markdown(monthly_by_scope(monthly), "tCO2e by month and scope")}
            if monthly
            else {}
        ),
    }


def _cloud_emissions(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT basis, COUNT(*), SUM(location_tco2e), SUM(market_tco2e), SUM(energy_kwh)
           FROM marts.cloud_emissions WHERE period_month >= ? AND period_month < ? GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).fetchall()
    return {"by_basis": markdown_table(["basis", "rows", "location tCO2e", "market tCO2e", "kWh"], rows)}


def build_mart_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    summaries = {"marts.scope_summary": _scope_summary, "marts.cloud_emissions": _cloud_emissions}
    return [transform_asset(t, partitions_def, summaries.get(t.table)) for t in of_group("marts")]
