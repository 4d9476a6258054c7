"""Raw stage: one asset per source kind, and each kind's checks."""

import dagster as dg

from carbon_pipeline.defs.raw.assets import build_raw_assets
from carbon_pipeline.defs.raw.checks import build_raw_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(
        assets=build_raw_assets(deployment.partitions), asset_checks=build_raw_checks(deployment.partitions)
    )
