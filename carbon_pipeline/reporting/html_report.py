"""The per-year inventory report: one self-contained HTML file and its tables as CSV.

Sustainability teams read it, auditors keep it with the submission evidence, and neither may have
network access when they open it, so the page carries its own CSS and its charts as inline SVG and
references nothing outside itself except the CSV files written beside it. It is a draft: the figures
are the pipeline's, the organisation must verify them before any submission, and the page says so.

Regenerate from the published serving file without running the pipeline::

    python -m carbon_pipeline.reporting.html_report --serving data/serving.duckdb --out data/reports
"""

from __future__ import annotations

import argparse
import csv
import io
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any

from carbon_pipeline.quality import suite_process
from carbon_pipeline.reporting import report_sections as sections
from carbon_pipeline.reporting.report_data import (
    Table,
    YearData,
    basis_shares,
    load_year,
    report_years,
    serving_connection,
    totals,
)
from carbon_pipeline.reporting.report_sections import DRAFT_STATEMENT
from carbon_pipeline.safety.names import spreadsheet_cell
from carbon_pipeline.sources.config import InventorySettings

__all__ = ["CSV_TABLES", "DRAFT_STATEMENT", "csv_tables", "render_html", "write_reports"]

# The CSV files written per year into <out_dir>/<year>/, in the order the footer lists them.
CSV_TABLES = (
    "totals",
    "scope_summary_by_month",
    "cloud_breakdown",
    "basis_shares",
    "flagged_rows",
    "factor_sources",
    "model_versions",
    "restatements",
    "superseded_deliveries",
    "energy",
    "unconverted_spend",
    "factor_fallbacks",
    "uncertainty_totals",
    "uncertainty_tiers",
    "uncertainty_contributors",
    "uncertainty_reconciliation",
    "intensity",
    "emissions_by_gas",
)

# Inline, so the page needs nothing at view time; print rules keep charts whole on paper.
CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --accent: #4e79a7; --warn: #b44d12; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       background: #f5f7fa; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
p, li { max-width: 78ch; }
.meta { color: var(--muted); margin: 0 0 12px; }
.draft { border: 2px solid var(--warn); background: #fff4ec; color: var(--warn); padding: 10px 14px;
         font-weight: 600; border-radius: 4px; }
.draft span { display: block; font-weight: 400; color: var(--ink); margin-top: 2px; }
.warning { border-left: 4px solid var(--warn); background: #fff4ec; padding: 6px 12px; }
.note { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.scope td { font-weight: 600; }
tr.category td:first-child { padding-left: 26px; }
tr.total td { font-weight: 700; border-top: 2px solid var(--ink); }
.wide { width: 100%; }
.scroll { overflow-x: auto; max-width: 100%; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; }
.grid table { width: 100%; }
.chart svg { width: 100%; height: auto; display: block; }
code { font-size: 12px; background: #f0f4f8; padding: 0 3px; border-radius: 2px; }
nav { font-size: 13px; margin: 8px 0 0; }
nav a { margin-right: 12px; color: var(--accent); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } main { padding: 0; } .chart { break-inside: avoid; } }
"""


def write_reports(
    serving: Path,
    out_dir: Path,
    settings: InventorySettings | None = None,
    *,
    generated_at: datetime | None = None,
) -> list[Path]:
    """Write ``inventory_<year>.html`` and ``<year>/*.csv`` into ``out_dir`` for every year the serving
    file has, and return the paths written. Each file is replaced atomically, so a reader never sees a
    half-written report.

    A year's page is mostly its charts, pure Python that holds the interpreter: in a run that started the helper
    process (quality/suite_process.py, on the other core) the helper writes the first half of the years while
    this process writes the rest (docs/performance.md, Profile 36); without one, this process writes them all."""
    settings = settings or InventorySettings()
    generated_at = generated_at or datetime.now(UTC)
    serving, out_dir = Path(serving).resolve(), Path(out_dir).resolve()  # the helper may run in another folder
    with serving_connection(serving) as con:
        years = report_years(con)
    return suite_process.in_two_halves(write_year_reports, serving, out_dir, settings, generated_at, years)


def write_year_reports(
    serving: Path, out_dir: Path, settings: InventorySettings, generated_at: datetime, years: Sequence[int]
) -> list[Path]:
    """The report and CSV tables of each of ``years``: ``write_reports``' work for those years."""
    written: list[Path] = []
    if not years:
        return written
    with serving_connection(serving) as con:
        loaded = [load_year(con, year) for year in years]
    for data in loaded:
        csv_paths = write_csv_tables(data, out_dir / str(data.year))
        page = render_html(data, settings, generated_at=generated_at, serving_name=serving.name)
        html_path = out_dir / f"inventory_{data.year}.html"
        _write_atomic(html_path, page)
        written += [html_path, *csv_paths]
    return written


def csv_tables(data: YearData) -> dict[str, Table]:
    """The report's tables at full precision: the HTML rounds, these do not."""
    total_rows = [
        (t.label, t.scope, t.scope3_category, t.location_tco2e, t.market_tco2e) for t in totals(data.scope_summary)
    ]
    return {
        "totals": Table(("label", "scope", "scope3_category", "location_tco2e", "market_tco2e"), total_rows),
        "scope_summary_by_month": data.scope_summary,
        "cloud_breakdown": data.cloud,
        "basis_shares": basis_shares(data.scope_summary),
        "flagged_rows": data.flagged_rows,
        "factor_sources": data.factor_sources,
        "model_versions": data.model_versions,
        "restatements": data.restatements,
        "superseded_deliveries": data.superseded_deliveries,
        "energy": data.energy,
        "unconverted_spend": data.unconverted_spend,
        "factor_fallbacks": data.factor_fallbacks,
        "uncertainty_totals": data.uncertainty_totals,
        "uncertainty_tiers": data.uncertainty_tiers,
        "uncertainty_contributors": data.uncertainty_contributors,
        "uncertainty_reconciliation": data.uncertainty_reconciliation,
        "intensity": data.intensity,
        "emissions_by_gas": data.emissions_by_gas,
    }


def write_csv_tables(data: YearData, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in csv_tables(data).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(table.columns)
        writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
        path = folder / f"{name}.csv"
        _write_atomic(path, buffer.getvalue())
        paths.append(path)
    return paths


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    # a service or account named '=HYPERLINK(...)' must stay text in a spreadsheet (safety/names.py)
    return value.isoformat() if isinstance(value, date) else spreadsheet_cell(value)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)


# --- HTML ------------------------------------------------------------------------------------------


def render_html(data: YearData, settings: InventorySettings, *, generated_at: datetime, serving_name: str) -> str:
    """The whole page: head with inline CSS, then the sections in reading order."""
    body = [
        sections.header(data, generated_at, serving_name),
        sections.totals_section(data),
        sections.boundary_section(data, settings),
        sections.intensity_section(data, settings),
        sections.gas_section(data),
        sections.trend_section(data),
        sections.cloud_section(data),
        sections.quality_section(data),
        sections.uncertainty_section(data),
        sections.hourly_section(data),  # empty unless hourly is on (docs/hourly.md)
        sections.factor_section(data),
        sections.methodology_section(data, settings),
        sections.restatement_section(data),
        sections.footer(data, CSV_TABLES),
    ]
    title = f"Greenhouse gas inventory {data.year} (draft)"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="carbon_pipeline {escape(sections.package_version())}">'
        f"<style>{CSS}</style></head>\n<body><main>\n" + "\n".join(body) + "\n</main></body></html>\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    from carbon_pipeline.settings import load_settings
    from carbon_pipeline.sources.sources_file import load_sources_file

    parser = argparse.ArgumentParser(description="Write the per-year inventory reports from the serving file.")
    parser.add_argument("--serving", type=Path, help="serving DuckDB file [CARBON_SERVING]")
    parser.add_argument("--out", type=Path, help="output folder [CARBON_REPORTS or data/reports]")
    args = parser.parse_args(argv)
    deployment = load_settings()
    serving = args.serving or deployment.serving
    out = args.out or Path(os.environ.get("CARBON_REPORTS") or Path("data") / "reports")
    settings = (
        load_sources_file(deployment.sources_file).settings if deployment.sources_file.exists() else InventorySettings()
    )
    for path in write_reports(serving, out, settings):
        if path.suffix == ".html":
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
