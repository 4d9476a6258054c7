"""Factors stage: the catalogue and its integrity check."""

import dagster as dg

from carbon_pipeline.defs.factors.assets import factor_catalogue
from carbon_pipeline.defs.factors.checks import build_factor_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(assets=[factor_catalogue], asset_checks=build_factor_checks(deployment.partitions))
