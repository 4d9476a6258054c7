"""Emissions stage: per-activity emissions, with their checks."""

import dagster as dg

from carbon_pipeline.defs.emissions.assets import build_emission_assets
from carbon_pipeline.defs.emissions.checks import build_emissions_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(
        assets=build_emission_assets(deployment.partitions),
        asset_checks=build_emissions_checks(deployment.partitions),
    )
