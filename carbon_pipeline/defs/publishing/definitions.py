"""Restatement stage: the restatement log and bridge against published snapshots, with their checks."""

import dagster as dg

from carbon_pipeline.defs.publishing.assets import build_publishing_assets
from carbon_pipeline.defs.publishing.checks import build_publishing_checks
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(assets=build_publishing_assets(), asset_checks=build_publishing_checks())
