"""The Dagster code location: every asset, check, job, schedule and sensor, wired to one deployment's
settings (SPEC: Configuration)."""

from __future__ import annotations

import warnings
from datetime import date

import dagster as dg

from carbon_pipeline.defs.checks import build_checks
from carbon_pipeline.defs.coverage_checks import build_coverage_checks
from carbon_pipeline.defs.emission_assets import build_emission_assets
from carbon_pipeline.defs.factor_assets import factor_catalogue
from carbon_pipeline.defs.jobs import build_jobs
from carbon_pipeline.defs.ledger_assets import build_ledger_assets
from carbon_pipeline.defs.mart_assets import build_mart_assets
from carbon_pipeline.defs.partitions import monthly_partitions
from carbon_pipeline.defs.publishing_assets import build_publishing_assets, build_publishing_checks
from carbon_pipeline.defs.raw_assets import build_raw_assets
from carbon_pipeline.defs.report_assets import ReportsResource, inventory_report
from carbon_pipeline.defs.resources import ServingResource, SourcesResource
from carbon_pipeline.defs.schedules import build_schedules
from carbon_pipeline.defs.sensors import build_sensors
from carbon_pipeline.defs.serving_assets import serving_database
from carbon_pipeline.secrets import redaction
from carbon_pipeline.settings import Settings, load_settings
from carbon_pipeline.sources.config import InventorySettings, SourceConfig, load_sources_file
from carbon_pipeline.storage.resource import warehouse_resource

# Single-run backfill policies and partitioned checks are marked beta/preview by Dagster 1.13; they are
# deliberate choices here (see docs/architecture.md), so the warnings would only be noise for users.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)


redaction.install()


def _configured(settings: Settings) -> tuple[date, list[SourceConfig]]:
    """Partitions start at the sources file's start_month, and each source gets its own schedule and
    sensor. Before the demo is generated (first `make ui` on a fresh clone) the defaults apply."""
    if settings.sources_file.exists():
        config = load_sources_file(settings.sources_file)
        return config.settings.start_month, list(config.sources)
    return InventorySettings().start_month, []


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or load_settings()
    first_month, sources = _configured(settings)
    partitions = monthly_partitions(first_month)
    return dg.Definitions(
        assets=[
            factor_catalogue,
            *build_raw_assets(partitions),
            *build_ledger_assets(partitions),
            *build_emission_assets(partitions),
            *build_mart_assets(partitions),
            *build_publishing_assets(),
            serving_database,
            inventory_report,
        ],
        asset_checks=[*build_checks(partitions), *build_coverage_checks(partitions), *build_publishing_checks()],
        jobs=build_jobs(partitions),
        schedules=build_schedules(sources, first_month),
        sensors=build_sensors(sources, first_month),
        resources={
            "warehouse": warehouse_resource(settings),  # + the partition store when configured
            "sources": SourcesResource(path=str(settings.sources_file.resolve())),
            "serving": ServingResource(path=str(settings.serving.resolve())),
            "reports": ReportsResource(path=str(settings.reports.resolve())),
        },
        # Steps share one DuckDB file, which allows a single writer: run them in one process.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
