"""Marts stage: the public data contract (SPEC: Data contract), with its checks."""

import dagster as dg

from carbon_pipeline.defs.marts.assets import build_mart_assets
from carbon_pipeline.defs.marts.checks import build_marts_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(
        assets=build_mart_assets(deployment.partitions), asset_checks=build_marts_checks(deployment.partitions)
    )
