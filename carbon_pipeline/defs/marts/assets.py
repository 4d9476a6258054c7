"""Marts stage: the public data contract (SPEC: Data contract)."""

from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.sql_table_asset import transform_asset
from carbon_pipeline.transforms import of_group


def _scope_summary(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    """One month's inventory (attached to its partition): totals per method and the scope x basis split. The
    whole-inventory tables and chart are the serving asset's, once per run."""
    rows = con.execute(
        """SELECT scope, method, basis, SUM(tco2e)
           FROM marts.scope_summary WHERE period_month >= ? AND period_month < ?
           GROUP BY ALL ORDER BY 1, 2, 3""",
        [start, end],
    ).fetchall()
    totals: dict[str, float] = {}
    for _, method, _, tco2e in rows:
        totals[method] = totals.get(method, 0.0) + float(tco2e or 0)
    return {
        "by_scope_basis": markdown_table(["scope", "method", "basis", "tCO2e"], rows),
        **{f"total_tco2e_{method}": round(value, 6) for method, value in sorted(totals.items())},
    }


def _cloud_emissions(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT basis, COUNT(*), SUM(location_tco2e), SUM(market_tco2e), SUM(energy_kwh)
           FROM marts.cloud_emissions WHERE period_month >= ? AND period_month < ? GROUP BY 1 ORDER BY 1""",
        [start, end],
    ).fetchall()
    return {"by_basis": markdown_table(["basis", "rows", "location tCO2e", "market tCO2e", "kWh"], rows)}


def _scope_summary_uncertainty(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    """One month's rows with their 95 % range and primary-data share (docs/uncertainty.md). Per row, not summed:
    ranges do not add; the year's ranges are bi.inventory_uncertainty's."""
    rows = con.execute(
        """SELECT scope, scope3_category, method, basis, round(tco2e, 6), round(tco2e_low, 6), round(tco2e_high, 6),
                  round(primary_data_share, 4)
           FROM marts.scope_summary_uncertainty WHERE period_month >= ? AND period_month < ?
           ORDER BY 1, 2 NULLS FIRST, 3, 4""",
        [start, end],
    ).fetchall()
    columns = ["scope", "category", "method", "basis", "tCO2e", "low (95 %)", "high (95 %)", "primary data share"]
    tiers = con.execute(
        """SELECT method, activity_tier, factor_tier, round(SUM(tco2e), 6),
                  round(SUM(tco2e) / SUM(SUM(tco2e)) OVER (PARTITION BY method), 4)
           FROM emissions.emission_uncertainty
           WHERE period_month >= ? AND period_month < ? AND counts_in_inventory AND tco2e IS NOT NULL
           GROUP BY method, activity_tier, factor_tier ORDER BY 1, 4 DESC, 2, 3""",
        [start, end],
    ).fetchall()
    return {
        "ranges": markdown_table(columns, rows),
        "tier_shares": markdown_table(["method", "activity tier", "factor tier", "tCO2e", "share"], tiers),
        "top_contributors": markdown_table(
            ["method", "rank", "activity", "tCO2e", "share of variance"], _top_contributors(con, start, end)
        ),
    }


def _top_contributors(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[tuple]:
    """The month's ten activities contributing most to its total's variance, per method, by the rule of
    bi.uncertainty_contributors (a figure's term in each of its error groups times that group's half-width)."""
    return con.execute(
        """WITH counted AS (
               SELECT method, activity_label, tco2e, activity_u95, factor_u95, activity_error_key, factor_error_key
               FROM emissions.emission_uncertainty
               WHERE period_month >= ? AND period_month < ? AND counts_in_inventory AND tco2e IS NOT NULL
           ),
           a AS (SELECT method, activity_error_key, SUM(tco2e * activity_u95) AS hw FROM counted GROUP BY 1, 2),
           f AS (SELECT method, factor_error_key, SUM(tco2e * factor_u95) AS hw FROM counted GROUP BY 1, 2),
           parts AS (
               SELECT c.method, c.activity_label, SUM(c.tco2e) AS tco2e,
                      SUM(c.tco2e * c.activity_u95 * a.hw + c.tco2e * c.factor_u95 * f.hw) AS variance
               FROM counted AS c
               JOIN a ON a.method = c.method AND a.activity_error_key = c.activity_error_key
               JOIN f ON f.method = c.method AND f.factor_error_key = c.factor_error_key
               GROUP BY c.method, c.activity_label
           ),
           ranked AS (
               SELECT *, ROW_NUMBER() OVER (PARTITION BY method ORDER BY variance DESC, activity_label) AS rank,
                      variance / NULLIF(SUM(variance) OVER (PARTITION BY method), 0) AS share
               FROM parts
           )
           SELECT method, rank, activity_label, round(tco2e, 6), round(share, 4)
           FROM ranked WHERE rank <= 10 ORDER BY method, rank""",
        [start, end],
    ).fetchall()


def _cloud_reconciliation_uncertainty(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    """How many reported lines fall below, within or above the usage estimate's range this month."""
    rows = con.execute(
        """SELECT provider, reported_position, COUNT(*), SUM(reported_location_tco2e), SUM(estimated_location_tco2e)
           FROM marts.cloud_reconciliation_uncertainty WHERE period_month >= ? AND period_month < ?
           GROUP BY ALL ORDER BY 1, 2""",
        [start, end],
    ).fetchall()
    columns = ["provider", "reported figure", "lines", "reported tCO2e", "estimated tCO2e"]
    return {"reported_vs_estimate_range": markdown_table(columns, rows)}


def build_mart_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    summaries = {
        "marts.scope_summary": _scope_summary,
        "marts.cloud_emissions": _cloud_emissions,
        "marts.scope_summary_uncertainty": _scope_summary_uncertainty,
        "marts.cloud_reconciliation_uncertainty": _cloud_reconciliation_uncertainty,
    }
    return [transform_asset(t, partitions_def, summaries.get(t.table)) for t in of_group("marts")]
