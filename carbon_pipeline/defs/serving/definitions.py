"""Serving stage: the read-only BI file."""

import dagster as dg

from carbon_pipeline.defs.serving.assets import serving_asset
from carbon_pipeline.defs.serving.checks import served_views_reconcile
from carbon_pipeline.orchestration.deployment import Deployment
from carbon_pipeline.orchestration.keys import HOURLY_MART_KEYS


def build_defs(deployment: Deployment) -> dg.Definitions:
    # with hourly on, the hourly marts are published too: the serving file (and the report) come after them
    serving = serving_asset(HOURLY_MART_KEYS if deployment.hourly else ())
    return dg.Definitions(assets=[serving], asset_checks=[served_views_reconcile])
