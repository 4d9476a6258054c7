"""Marts stage: the public data contract (SPEC: Data contract)."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.defs.emission_assets import ACTIVITY_EMISSIONS_KEY
from carbon_pipeline.defs.ledger_assets import PROVIDER_EMISSIONS_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.plots import monthly_by_scope, png_markdown
from carbon_pipeline.defs.sql_assets import sql_table_asset

SCOPE_SUMMARY_KEY = dg.AssetKey(["marts", "scope_summary"])
CLOUD_EMISSIONS_KEY = dg.AssetKey(["marts", "cloud_emissions"])
CLOUD_RECONCILIATION_KEY = dg.AssetKey(["marts", "cloud_reconciliation"])


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
    return [
        sql_table_asset(
            key=CLOUD_EMISSIONS_KEY.path,
            table="marts.cloud_emissions",
            models=("marts/cloud_emissions",),
            deps=(ACTIVITY_EMISSIONS_KEY, PROVIDER_EMISSIONS_KEY),
            group="marts",
            description="Cloud emissions by month x provider x account x region x service x basis x provider scope: "
            "provider-reported (selected model version) beside the usage-based estimate.",
            partitions_def=partitions_def,
            summary=_cloud_emissions,
        ),
        sql_table_asset(
            key=CLOUD_RECONCILIATION_KEY.path,
            table="marts.cloud_reconciliation",
            models=("marts/cloud_reconciliation",),
            deps=(CLOUD_EMISSIONS_KEY,),
            group="marts",
            description="Reported vs usage-estimated location-based cloud tCO2e side by side, with their ratio.",
            partitions_def=partitions_def,
        ),
        sql_table_asset(
            key=SCOPE_SUMMARY_KEY.path,
            table="marts.scope_summary",
            models=("marts/scope_summary",),
            deps=(ACTIVITY_EMISSIONS_KEY, PROVIDER_EMISSIONS_KEY),
            group="marts",
            description="The GHG inventory: month x scope x Scope 3 category x method x basis, tCO2e. Cloud is "
            "Scope 3 category 1 (provider-reported where available, else estimated); never both summed.",
            partitions_def=partitions_def,
            summary=_scope_summary,
        ),
    ]
