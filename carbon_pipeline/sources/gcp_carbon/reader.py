"""Google Cloud Carbon Footprint export, as files (the BigQuery export table written out as CSV, JSONL
or Parquet and dropped into the source folder: provider_files.py describes the layout).

The export's nested fields are matched by their dotted names (``carbon_footprint_kgCO2e.scope2.location_based``);
a JSONL or Parquet file may keep them nested, and a CSV copy with ``_`` instead of ``.`` is accepted
too. Values are KILOGRAMS of CO2e (AWS reports metric tons): staging/gcp_carbon.sql divides by 1000.
``carbon_model_version`` (an integer) is the model version the ledger selects by, newest per month.
"""

from __future__ import annotations

from datetime import date

import duckdb

from carbon_pipeline.sources import provider_files
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing

KIND = "gcp_carbon"
# The export's own (dotted) names; the reader's names replace dots with underscores, lower case.
REQUIRED_FIELDS = (
    "usage_month",
    "project.id",
    "service.description",
    "carbon_model_version",
    "carbon_footprint_kgCO2e.scope1",
    "carbon_footprint_kgCO2e.scope2.location_based",
    "carbon_footprint_kgCO2e.scope3",
)
# Older exports have no market-based scope 2; totals are optional (the ledger adds the scopes).
OPTIONAL_FIELDS = (
    "billing_account_id",
    "project.number",
    "service.id",
    "location.location",
    "location.region",
    "carbon_footprint_kgCO2e.scope2.market_based",
    "carbon_footprint_total_kgCO2e.location_based",
    "carbon_footprint_total_kgCO2e.market_based",
)


def column_name(header: str) -> str:
    """``carbon_footprint_kgCO2e.scope2.location_based`` -> ``carbon_footprint_kgco2e_scope2_location_based``."""
    return header.strip().replace(".", "_").lower()


_FIELDS = {column_name(f): f for f in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)}

TEMPLATE = provider_files.FileTemplate(
    kind=KIND,
    required=tuple(column_name(f) for f in REQUIRED_FIELDS),
    optional=tuple(column_name(f) for f in OPTIONAL_FIELDS),
    normalise=column_name,
    display=lambda name: _FIELDS.get(name, name),
    staging_model="staging/gcp_carbon",
    invalid_model="staging/gcp_carbon__invalid",
)


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read: carbon exports are small
) -> LoadSummary:
    return provider_files.load_month(TEMPLATE, con, landing, source, month, run_id=run_id)


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    return provider_files.delivery_identity(landing)


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    return provider_files.available_months(TEMPLATE, landing, source)
