"""The Dagster code location: the definitions of every stage folder under carbon_pipeline/defs/, merged and
wired to one deployment's settings (SPEC: Configuration). Each stage keeps its assets and checks side by side
in its folder; nothing here knows what a stage contains."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg

from carbon_pipeline.defs.automation import definitions as automation
from carbon_pipeline.defs.emissions import definitions as emissions
from carbon_pipeline.defs.factors import definitions as factors
from carbon_pipeline.defs.hourly import definitions as hourly
from carbon_pipeline.defs.ledger import definitions as ledger
from carbon_pipeline.defs.marts import definitions as marts
from carbon_pipeline.defs.publishing import definitions as publishing
from carbon_pipeline.defs.raw import definitions as raw
from carbon_pipeline.defs.reports import definitions as reports
from carbon_pipeline.defs.serving import definitions as serving
from carbon_pipeline.orchestration.deployment import Deployment
from carbon_pipeline.orchestration.resources import (
    EngineResource,
    ReportsResource,
    RunDateResource,
    ServingResource,
    SourcesResource,
)
from carbon_pipeline.secrets import redaction
from carbon_pipeline.settings import Settings, load_settings
from carbon_pipeline.storage.resource import warehouse_resource

# Single-run backfill policies and partitioned checks are marked beta/preview by Dagster 1.13; they are
# deliberate choices here (see docs/architecture.md), so the warnings would only be noise for users.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

# raw -> ledger -> emissions -> marts -> restatements -> serving -> reports, then what runs them; hourly (an option,
# empty unless the sources file turns it on) beside the marts
STAGES = (factors, raw, ledger, emissions, marts, hourly, publishing, serving, reports, automation)


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or load_settings()
    deployment = Deployment.of(settings)
    resources = dg.Definitions(
        resources={
            "warehouse": warehouse_resource(settings),  # + the partition store when configured
            "sources": SourcesResource(path=str(settings.sources_file.resolve())),
            "serving": ServingResource(path=str(settings.serving.resolve())),
            "reports": ReportsResource(path=str(settings.reports.resolve())),
            # read from CARBON_ENGINE / CARBON_SPARK_MASTER / CARBON_AS_OF once, here: steps never read them
            "engine": EngineResource(name=settings.engine, spark_master=settings.spark_master),
            "run_date": RunDateResource(as_of=settings.as_of),
        },
        # Steps share one DuckDB file, which allows a single writer: run them in one process.
        executor=dg.in_process_executor,
    )
    return dg.Definitions.merge(*(stage.build_defs(deployment) for stage in STAGES), resources)


def definitions_for(settings: Settings) -> dg.Definitions:
    """The definitions a run over ``settings`` uses: the code location's own ``defs`` when they were built from the
    same deployment (settings, the sources file's start month, sources and options) in the same working folder
    (the resources hold resolved paths): the CLI's case, where a second build cost `make run` 0.2 s. Anything
    else (other settings, a sources file written or changed since the import) gets definitions built anew."""
    if (Deployment.of(settings), Path.cwd()) == _BUILT_FROM:
        return defs
    return build_definitions(settings)


redaction.install()
_SETTINGS = load_settings()  # the environment's (CARBON_* variables)
_BUILT_FROM = (Deployment.of(_SETTINGS), Path.cwd())
defs = build_definitions(_SETTINGS)
