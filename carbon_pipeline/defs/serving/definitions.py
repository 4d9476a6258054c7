"""Serving stage: the read-only BI file."""

import dagster as dg

from carbon_pipeline.defs.serving.assets import serving_database
from carbon_pipeline.defs.serving.checks import served_views_reconcile
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(assets=[serving_database], asset_checks=[served_views_reconcile])
