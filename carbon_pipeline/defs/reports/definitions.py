"""Reports stage: the per-year HTML inventory report and its CSV tables."""

import dagster as dg

from carbon_pipeline.defs.reports.assets import inventory_report
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    return dg.Definitions(assets=[inventory_report])
