"""Hourly stage (docs/hourly.md): present only when the sources file turns hourly on (`hourly: enabled: true`).
Off (the default, and the demo), it defines nothing, so the inventory job, its run and the warehouse are exactly
the annual ones."""

import dagster as dg

from carbon_pipeline.defs.hourly.assets import build_hourly_assets
from carbon_pipeline.defs.hourly.checks import build_hourly_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    if not deployment.hourly:
        return dg.Definitions()
    return dg.Definitions(
        assets=build_hourly_assets(deployment.partitions), asset_checks=build_hourly_checks(deployment.partitions)
    )
