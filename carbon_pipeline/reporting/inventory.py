"""The per-year inventory (Scope 1, 2, 3 and totals, location- and market-based), read from the
serving file as any BI tool would."""

from __future__ import annotations

from pathlib import Path

import duckdb

SCOPE3_CATEGORIES = {1: "purchased goods & services (cloud)", 6: "business travel"}


def inventory_rows(serving: Path) -> list[tuple[int, int, int | None, str, float]]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute(
            """SELECT year(period_month) AS year, scope, scope3_category, method, SUM(tco2e)
               FROM marts.scope_summary GROUP BY ALL ORDER BY 1, 2, 3, 4"""
        ).fetchall()
    finally:
        con.close()


def basis_notes(serving: Path) -> dict[int, str]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(
            """SELECT year(period_month), method, basis, COUNT(DISTINCT period_month)
               FROM marts.scope_summary WHERE scope3_category = 1 OR (scope = 2 AND basis <> 'activity')
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
    years = sorted({r[0] for r in rows})
    lines = ["GHG inventory (tCO2e), from " + str(serving)]
    width = 44
    for year in years:
        values: dict[tuple[str, str], float] = {}
        for y, scope, category, method, tco2e in rows:
            if y != year:
                continue
            for label in (
                f"Scope {scope}",
                f"  cat {category} {SCOPE3_CATEGORIES.get(category, '')}".rstrip() if category else None,
                "Total",
            ):
                if label:
                    values[(label, method)] = values.get((label, method), 0.0) + tco2e
        labels = sorted({label for label, _ in values}, key=_order)
        lines += ["", f"{year:<{width}}{'location':>14}{'market':>14}", "-" * (width + 28)]
        for label in labels:
            location = values.get((label, "location"))
            market = values.get((label, "market"))
            lines.append(f"{label:<{width}}{_fmt(location):>14}{_fmt(market):>14}")
        if year in notes:
            lines.append(f"  cloud basis by month: {notes[year]}")
    return "\n".join(lines)


def _order(label: str) -> tuple[int, str]:
    if label == "Total":
        return (99, label)
    if label.startswith("Scope"):
        return (int(label.split()[1]) * 10, label)
    return (31, label)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3f}"
