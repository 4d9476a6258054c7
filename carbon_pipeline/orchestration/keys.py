"""Every asset key, in one place, so that a stage refers to another stage's asset without importing its
module (the stages under carbon_pipeline/defs/ never import each other)."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.sources.registry import kind_of
from carbon_pipeline.transforms import FACTOR_CATALOGUE

FACTOR_CATALOGUE_KEY = dg.AssetKey.from_user_string(FACTOR_CATALOGUE)
ACTIVITY_LEDGER_KEY = dg.AssetKey(["ledger", "activity"])
PROVIDER_EMISSIONS_KEY = dg.AssetKey(["ledger", "provider_emissions"])
ACTIVITY_EMISSIONS_KEY = dg.AssetKey(["emissions", "activity_emissions"])
SCOPE_SUMMARY_KEY = dg.AssetKey(["marts", "scope_summary"])
CLOUD_EMISSIONS_KEY = dg.AssetKey(["marts", "cloud_emissions"])
CLOUD_RECONCILIATION_KEY = dg.AssetKey(["marts", "cloud_reconciliation"])
RESTATEMENT_LOG_KEY = dg.AssetKey(["audit", "restatement_log"])
SERVING_KEY = dg.AssetKey(["serving", "serving_database"])
INVENTORY_REPORT_KEY = dg.AssetKey(["reports", "inventory_report"])
# the hourly stage's marts (docs/hourly.md), defined only when the sources file turns hourly on
HOURLY_MART_KEYS = (
    dg.AssetKey(["marts", "hourly_vs_annual"]),
    dg.AssetKey(["marts", "hourly_market_scope2"]),
    dg.AssetKey(["marts", "hourly_intensity"]),
)


def raw_asset_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", kind_of(kind).asset_name])


def transform_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))
