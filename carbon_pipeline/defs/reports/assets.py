"""Reports stage: the per-year inventory report written from the published serving file.

It reads the serving file, not the warehouse, on purpose: the report shows exactly what BI tools and
auditors see, and it never competes with the pipeline for the warehouse's single-writer lock.
"""

from pathlib import Path
from typing import Any

import dagster as dg

from carbon_pipeline.orchestration.automation import FOLLOW_UPSTREAM
from carbon_pipeline.orchestration.keys import INVENTORY_REPORT_KEY, SERVING_KEY
from carbon_pipeline.orchestration.metadata import OWNERS, code_references, markdown_table
from carbon_pipeline.orchestration.resources import ReportsResource, ServingResource, SourcesResource


@dg.asset(
    key=INVENTORY_REPORT_KEY,
    deps=[SERVING_KEY],
    group_name="reports",
    description="Per reporting year, a self-contained HTML inventory report (inline CSS and SVG charts, no network "
    "needed to view it) and its tables as CSV: totals by scope and category, location- and market-based; monthly "
    "trend; cloud by provider/account/region/service; data-quality tiers and the share of estimated data; factor "
    "sources and editions; methodology and policies (cloud scope policy, carbon-model version choice); restatements. "
    "Marked as a draft the organisation must verify before any submission. Read from the serving file, so it shows "
    "exactly what BI tools see.",
    kinds={"html", "csv"},
    owners=OWNERS,
    tags={"stage": "reports"},
    # follows the serving file, which follows any mart change: a marts-only backfill re-publishes and re-reports
    automation_condition=FOLLOW_UPSTREAM,
    metadata={
        "dagster/code_references": code_references(
            ["carbon_pipeline/reporting/html_report.py", "carbon_pipeline/reporting/report_sections.py"]
        )
    },
)
def inventory_report(
    context: dg.AssetExecutionContext,
    serving: ServingResource,
    sources: SourcesResource,
    reports: ReportsResource,
) -> dg.MaterializeResult:
    # the report's charts need matplotlib (2 s to import): paid when a report is written, not at code load
    from carbon_pipeline.reporting.html_report import write_reports
    from carbon_pipeline.reporting.report_data import year_totals

    settings = sources.load().settings
    written = write_reports(Path(serving.path), Path(reports.path), settings)
    totals = year_totals(Path(serving.path))
    html = [p for p in written if p.suffix == ".html"]
    context.log.info(f"wrote {len(html)} report(s) and {len(written) - len(html)} CSV table(s) to {reports.path}")
    metadata: dict[str, Any] = {
        "folder": dg.MetadataValue.path(str(Path(reports.path).resolve())),
        "files": len(written),
    }
    for path in html:
        metadata[path.stem] = dg.MetadataValue.path(str(path.resolve()))
    for year, by_method in sorted(totals.items()):
        for method, tco2e in sorted(by_method.items()):
            metadata[f"total_{year}_{method}_tco2e"] = dg.MetadataValue.float(tco2e)
    metadata["totals"] = markdown_table(
        ["year", "location tCO2e", "market tCO2e", "report"],
        [
            (year, by_method.get("location"), by_method.get("market"), f"inventory_{year}.html")
            for year, by_method in sorted(totals.items())
        ],
    )
    return dg.MaterializeResult(metadata=metadata)
