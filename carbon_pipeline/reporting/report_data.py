"""What the inventory report shows, read from the serving file as any BI tool would (read-only).

Every table comes from a plain SELECT in ``dbt_like_sql/reports/`` with the year bound as ``$year``,
so an auditor can run the same query against the same file and get the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.warehouse.connection import open_read_only
from carbon_pipeline.warehouse.sql_models import run_model

# GHG Protocol Corporate Value Chain (Scope 3) Standard, the 15 categories.
SCOPE3_CATEGORIES = {
    1: "purchased goods & services",
    2: "capital goods",
    3: "fuel- and energy-related activities",
    4: "upstream transportation & distribution",
    5: "waste generated in operations",
    6: "business travel",
    7: "employee commuting",
    8: "upstream leased assets",
    9: "downstream transportation & distribution",
    10: "processing of sold products",
    11: "use of sold products",
    12: "end-of-life treatment of sold products",
    13: "downstream leased assets",
    14: "franchises",
    15: "investments",
}
METHODS = ("location", "market")
ESTIMATED_BASES = ("estimated_usage", "estimated_spend")


@dataclass(frozen=True)
class Table:
    """Rows with their column names: what a CSV file and an HTML table are both made from."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class TotalRow:
    """One line of the totals table: a scope, a Scope 3 category within it, or the total."""

    label: str
    scope: int | None
    scope3_category: int | None
    location_tco2e: float | None
    market_tco2e: float | None


@dataclass(frozen=True)
class YearData:
    year: int
    scope_summary: Table
    previous_scope_summary: Table
    cloud: Table
    model_versions: Table
    flagged_rows: Table
    factor_sources: Table
    restatements: Table
    superseded_deliveries: Table
    published_snapshots: Table
    restatement_log: Table
    energy: Table
    unconverted_spend: Table
    # the factor_fallbacks check's own rows for the year, so the data-quality section cannot disagree with it
    factor_fallbacks: Table
    # uncertainty and data quality (issue 17, docs/uncertainty.md)
    uncertainty_totals: Table
    uncertainty_tiers: Table
    uncertainty_contributors: Table
    uncertainty_reconciliation: Table
    # tCO2e per unit of the sources file's intensity denominators (issue 15; empty when none is given)
    intensity: Table
    # tCO2 / tCH4 / tN2O where factors give gases, the rest as CO2e only (issue 15)
    emissions_by_gas: Table
    # hourly carbon (issue 16, docs/hourly.md): None unless the serving file has the hourly marts (hourly on)
    hourly_by_hour: Table | None = None
    hourly_vs_annual: Table | None = None

    @property
    def months(self) -> list[Any]:
        return sorted({row["period_month"] for row in self.scope_summary.dicts()})


REPORT_MODELS = {
    "scope_summary": "reports/scope_summary_by_month",
    "cloud": "reports/cloud_breakdown",
    "model_versions": "reports/model_versions",
    "flagged_rows": "reports/flagged_rows",
    "factor_sources": "reports/factor_sources",
    "restatements": "reports/restatements",
    "superseded_deliveries": "reports/superseded_deliveries",
    "published_snapshots": "publishing/report_snapshots",
    "restatement_log": "publishing/report_restatement_log",
    "energy": "reports/energy",
    "unconverted_spend": "reports/unconverted_spend",
    "uncertainty_totals": "reports/uncertainty_totals",
    "uncertainty_tiers": "reports/uncertainty_tiers",
    "uncertainty_contributors": "reports/uncertainty_contributors",
    "uncertainty_reconciliation": "reports/uncertainty_reconciliation",
    "intensity": "reports/intensity",
    "emissions_by_gas": "reports/emissions_by_gas",
}
FALLBACK_CHECK_MODEL = "checks/factor_fallbacks"
# read only when the serving file has the hourly marts (hourly turned on: docs/hourly.md)
HOURLY_REPORT_MODELS = {
    "hourly_by_hour": "reports/hourly_by_hour_of_day",
    "hourly_vs_annual": "reports/hourly_vs_annual",
}


@contextmanager
def serving_connection(serving: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only, like a BI tool: never takes the writer's lock, sees one consistent snapshot."""
    if not Path(serving).is_file():
        raise FileNotFoundError(f"serving file {serving} does not exist: materialize serving/serving_database first")
    con = open_read_only(serving)
    try:
        yield con
    finally:
        con.close()


def report_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every calendar year the published inventory has a month of."""
    rows = con.execute("SELECT DISTINCT year(period_month) FROM marts.scope_summary ORDER BY 1").fetchall()
    return [int(r[0]) for r in rows]


def query(con: duckdb.DuckDBPyConnection, model: str, year: int) -> Table:
    result = run_model(con, model, year=year)
    return Table(tuple(d[0] for d in result.description), result.fetchall())


def load_year(con: duckdb.DuckDBPyConnection, year: int) -> YearData:
    tables = {name: query(con, model, year) for name, model in REPORT_MODELS.items()}
    previous = query(con, REPORT_MODELS["scope_summary"], year - 1)
    result = run_model(con, FALLBACK_CHECK_MODEL, start=date(year, 1, 1), end=date(year + 1, 1, 1))
    fallbacks = Table(tuple(d[0] for d in result.description), result.fetchall())
    hourly = {}
    if has_hourly(con):
        hourly = {name: query(con, model, year) for name, model in HOURLY_REPORT_MODELS.items()}
    return YearData(year=year, previous_scope_summary=previous, factor_fallbacks=fallbacks, **tables, **hourly)


def has_hourly(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the serving file carries the hourly marts (published only when hourly is on)."""
    return bool(
        con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_name IN ('hourly_vs_annual', 'hourly_intensity_by_hour_of_day') HAVING count(*) = 2"
        ).fetchall()
    )


def totals(scope_summary: Table) -> list[TotalRow]:
    """Scope 1, 2, 3 (with its categories) and the total, per method, summed from the month rows."""
    sums: dict[tuple[str, int | None, int | None], dict[str, float]] = {}
    for row in scope_summary.dicts():
        scope, category, method = row["scope"], row["scope3_category"], row["method"]
        keys = [(f"Scope {scope}", scope, None), ("Total", None, None)]
        if category is not None:
            name = SCOPE3_CATEGORIES.get(category, "")
            keys.append((f"cat {category} {name}".rstrip(), scope, category))
        for key in keys:
            by_method = sums.setdefault(key, {})
            by_method[method] = by_method.get(method, 0.0) + row["tco2e"]
    ordered = sorted(sums, key=lambda k: (k[1] is None, k[1] or 0, k[2] or 0))
    rows = []
    for key in ordered:
        label, scope, category = key
        rows.append(TotalRow(label, scope, category, sums[key].get("location"), sums[key].get("market")))
    return rows


def year_totals(serving: Path) -> dict[int, dict[str, float]]:
    """Total tCO2e per reporting year and method: the headline figures of each report."""
    with serving_connection(serving) as con:
        rows = con.execute(
            "SELECT year(period_month), method, SUM(tco2e) FROM marts.scope_summary GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    result: dict[int, dict[str, float]] = {}
    for year, method, tco2e in rows:
        result.setdefault(int(year), {})[method] = float(tco2e)
    return result


def basis_shares(scope_summary: Table) -> Table:
    """tCO2e and share of the method's total by basis: the data-quality tiers (reported by a supplier
    or provider, estimated from usage or spend, or own activity x factor)."""
    sums: dict[tuple[str, str], float] = {}
    for row in scope_summary.dicts():
        key = (row["method"], row["basis"])
        sums[key] = sums.get(key, 0.0) + row["tco2e"]
    method_total = {m: sum(v for (mm, _), v in sums.items() if mm == m) for m in METHODS}
    rows = [
        (method, basis, value, value / method_total[method] if method_total.get(method) else None)
        for (method, basis), value in sorted(sums.items())
    ]
    return Table(("method", "basis", "tco2e", "share"), rows)


def non_activity_basis_months(scope_summary: Table) -> dict[str, dict[str, int]]:
    """Per method, how many months each reported/estimated basis covers (e.g. location: estimated_usage
    12): which months the cloud figure is the provider's and which the usage estimate's."""
    months: dict[tuple[str, str], set[Any]] = {}
    for row in scope_summary.dicts():
        if row["basis"] != "activity":
            months.setdefault((row["method"], row["basis"]), set()).add(row["period_month"])
    result: dict[str, dict[str, int]] = {}
    for (method, basis), seen in sorted(months.items()):
        result.setdefault(method, {})[basis] = len(seen)
    return result
