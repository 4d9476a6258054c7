"""Ledger stage: the activity ledger and the provider-reported emissions, with their checks."""

import dagster as dg

from carbon_pipeline.defs.ledger.assets import build_ledger_assets
from carbon_pipeline.defs.ledger.checks import build_ledger_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(
        assets=build_ledger_assets(deployment.partitions), asset_checks=build_ledger_checks(deployment.partitions)
    )
