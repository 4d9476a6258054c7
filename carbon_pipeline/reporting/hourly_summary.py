"""What `carbon-pipeline run` prints about hourly carbon (docs/hourly.md) after the inventory, read from the
serving file like the inventory: per year, the hourly location figure beside the annual one for sites and cloud
regions, and hourly-matched Scope 2 with its 24x7 CFE score. Nothing when the serving file has no hourly marts
(hourly off), so the annual run prints what it always printed. A synthetic grid profile is named first."""

from __future__ import annotations

from pathlib import Path

from carbon_pipeline.warehouse.connection import open_read_only


def format_hourly(serving: Path) -> str | None:
    con = open_read_only(serving)
    try:
        present = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' "
            "AND table_name IN ('hourly_vs_annual', 'hourly_market_scope2')"
        ).fetchone()[0]
        if present < 2:
            return None
        location = con.execute(
            """SELECT year(period_month), entity_kind, SUM(annual_tco2e), SUM(hourly_tco2e),
                      bool_or(contains(COALESCE(note, ''), 'SYNTHETIC'))
               FROM marts.hourly_vs_annual GROUP BY 1, 2 ORDER BY 1, 2"""
        ).fetchall()
        market = con.execute(
            """SELECT year(period_month), SUM(hourly_market_tco2e), SUM(annual_market_tco2e),
                      SUM(matched_kwh) / NULLIF(SUM(consumption_kwh), 0)
               FROM marts.hourly_market_scope2 GROUP BY 1 ORDER BY 1"""
        ).fetchall()
    finally:
        con.close()
    if not location and not market:
        return None
    lines = ["Hourly carbon, beside the inventory (tCO2e; docs/hourly.md)"]
    if any(row[4] for row in location):
        lines.append("  NOTE: a SYNTHETIC hourly grid profile is in use (invented shape, not measured data)")
    kinds = {"site": "sites", "cloud_region": "cloud regions (no embodied)"}
    for year, kind, annual, hourly, _ in location:
        lines.append(f"  {year} location, {kinds.get(kind, kind)}: annual {_t(annual)}, hourly {_t(hourly)}")
    for year, hourly, annual, cfe in market:
        share = "-" if cfe is None else f"{100 * cfe:.1f} %"
        lines.append(
            f"  {year} market Scope 2: hourly-matched {_t(hourly)}, annual matching {_t(annual)}, CFE score {share}"
        )
    return "\n".join(lines)


def _t(value: float | None) -> str:
    return "-" if value is None else f"{value:,.3f}"
