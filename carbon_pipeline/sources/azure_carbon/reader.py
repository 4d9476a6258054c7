"""Azure Carbon Optimization exports: report rows of the Carbon Optimization API (ItemDetails or
MonthlySummary) saved as CSV or JSON files in the source folder (provider_files.py: the layout).

The template (docs/sources.md, azure_carbon): ``date`` (the month) and ``latestMonthEmissions`` are
required; ``categoryType``, ``itemName``, ``subscriptionId``, ``resourceGroup``, ``location``,
``resourceType``, ``resourceId``, ``previousMonthEmissions``, ``unit``, and either a ``scope`` column
(the row's value is that scope's) or per-scope ``Scope1``/``Scope2``/``Scope3`` columns are optional.
Headers match case-insensitively, ignoring spaces and underscores.

Values are KILOGRAMS of CO2e: staging/azure_carbon.sql divides by 1000. Azure reports location-based
figures only, so the market-based columns stay NULL (never copied from location: that would present a
location figure as a market one). A month may hold one ``categoryType`` only: each level (Subscription,
ResourceGroup, Location, Resource, ResourceType) is a complete breakdown of the same emissions, so two
levels in one month would count them twice.
"""

from __future__ import annotations

from datetime import date

import duckdb

from carbon_pipeline.sources import provider_files
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing

KIND = "azure_carbon"
REQUIRED_FIELDS = ("date", "latestMonthEmissions")
OPTIONAL_FIELDS = (
    "categoryType",
    "itemName",
    "subscriptionId",
    "resourceGroup",
    "location",
    "resourceType",
    "resourceId",
    "previousMonthEmissions",
    "unit",
    "scope",
    "Scope1",
    "Scope2",
    "Scope3",
)


def column_name(header: str) -> str:
    """``latestMonthEmissions``, ``latest_month_emissions``, ``Latest Month Emissions`` -> ``latestmonthemissions``."""
    return header.strip().replace("_", "").replace(" ", "").lower()


_FIELDS = {column_name(f): f for f in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)}

TEMPLATE = provider_files.FileTemplate(
    kind=KIND,
    required=tuple(column_name(f) for f in REQUIRED_FIELDS),
    optional=tuple(column_name(f) for f in OPTIONAL_FIELDS),
    normalise=column_name,
    display=lambda name: _FIELDS.get(name, name),
    staging_model="staging/azure_carbon",
    invalid_model="staging/azure_carbon__invalid",
    single_level_column="category_type",
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
