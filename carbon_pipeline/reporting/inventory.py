"""The per-year inventory (Scope 1, 2, 3 and totals, location- and market-based), read from the
serving file as any BI tool would."""

from __future__ import annotations

from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.connection import open_read_only

SCOPE3_CATEGORIES = {1: "purchased goods & services", 6: "business travel"}
# Category 1 holds two kinds of figure that are never both counted for the same spend (spend with a cloud
# provider whose emissions the inventory has is excluded from the spend-based part): shown apart.
CATEGORY1_PARTS = {
    "reported": "of which cloud",
    "estimated_usage": "of which cloud",
    "estimated_spend": "of which spend-based",
}


def inventory_rows(serving: Path) -> list[tuple[int, int, int | None, str, str, float]]:
    con = open_read_only(serving)
    try:
        return con.execute(
            """SELECT year(period_month) AS year, scope, scope3_category, method, basis, SUM(tco2e)
               FROM marts.scope_summary GROUP BY ALL ORDER BY 1, 2, 3, 4, 5"""
        ).fetchall()
    finally:
        con.close()


def basis_notes(serving: Path) -> dict[int, str]:
    con = open_read_only(serving)
    try:
        rows = con.execute(
            """SELECT year(period_month), method, basis, COUNT(DISTINCT period_month)
               FROM marts.scope_summary
               WHERE (scope3_category = 1 AND basis IN ('reported', 'estimated_usage'))
                  OR (scope = 2 AND basis NOT IN ('activity', 'estimated_spend'))
               GROUP BY ALL ORDER BY 1, 2, 3"""
        ).fetchall()
    finally:
        con.close()
    notes: dict[int, list[str]] = {}
    for year, method, basis, months in rows:
        notes.setdefault(year, []).append(f"{method}: {basis} {months} mo")
    return {year: "; ".join(parts) for year, parts in notes.items()}


def format_inventory(serving: Path) -> str:
    rows = inventory_rows(serving)
    notes = basis_notes(serving)
    ranges = uncertainty_ranges(serving)
    years = sorted({r[0] for r in rows})
    lines = ["GHG inventory (tCO2e), from " + str(serving)]
    width = 44
    for year in years:
        values: dict[tuple[str, str], float] = {}
        for y, scope, category, method, basis, tco2e in rows:
            if y != year:
                continue
            category_label = f"  cat {category} {SCOPE3_CATEGORIES.get(category, '')}".rstrip() if category else None
            part = CATEGORY1_PARTS.get(basis, "of which other") if category == 1 and scope == 3 else None
            for label in (
                f"Scope {scope}",
                category_label,
                f"{category_label}|    {part}" if part else None,
                "Total",
            ):
                if label:
                    values[(label, method)] = values.get((label, method), 0.0) + tco2e
        labels = sorted({label for label, _ in values}, key=_order)
        lines += ["", f"{year:<{width}}{'location':>14}{'market':>14}", "-" * (width + 28)]
        for label in labels:
            location = values.get((label, "location"))
            market = values.get((label, "market"))
            shown = label.split("|")[-1]
            lines.append(f"{shown:<{width}}{_fmt(location):>14}{_fmt(market):>14}")
        if year in notes:
            lines.append(f"  cloud basis by month: {notes[year]}")
        lines += _range_lines(ranges.get(year, {}), width)
    return "\n".join(lines)


def uncertainty_ranges(serving: Path) -> dict[int, dict[tuple[str, str], tuple[float, float]]]:
    """(low, high) of the 95 % range per year, scope label and method (bi.inventory_uncertainty); empty for a
    serving file published before the view existed, so the inventory still prints."""
    con = open_read_only(serving)
    try:
        rows = con.execute(
            """SELECT reporting_year, scope_label, method, tco2e_low, tco2e_high FROM bi.inventory_uncertainty"""
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    ranges: dict[int, dict[tuple[str, str], tuple[float, float]]] = {}
    for year, label, method, low, high in rows:
        ranges.setdefault(year, {})[(label, method)] = (low, high)
    return ranges


def _range_lines(ranges: dict[tuple[str, str], tuple[float, float]], width: int) -> list[str]:
    """The scopes' and the total's 95 % ranges under the year's table (docs/uncertainty.md)."""
    if not ranges:
        return []
    lines = [f"{'95 % range (docs/uncertainty.md)':<{width}}{'location':>14}{'market':>14}"]
    for label in sorted({label for label, _ in ranges}, key=_order):
        cells = []
        for method in ("location", "market"):
            low_high = ranges.get((label, method))
            cells.append("-" if low_high is None else f"{low_high[0]:,.1f}-{low_high[1]:,.1f}")
        lines.append(f"{'  ' + label:<{width}}{cells[0]:>14}{cells[1]:>14}")
    return lines


def _order(label: str) -> tuple[int, str]:
    if label == "Total":
        return (99, label)
    if label.startswith("Scope"):
        return (int(label.split()[1]) * 10, label)
    return (31, label)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3f}"
