"""Automation: the inventory job, one re-sync job per source kind, and each configured source's schedule and
delivery sensor."""

import dagster as dg

from carbon_pipeline.defs.automation.jobs import build_jobs
from carbon_pipeline.defs.automation.schedules import build_schedules
from carbon_pipeline.defs.automation.sensors import build_sensors
from carbon_pipeline.orchestration.deployment import Deployment


def build_defs(deployment: Deployment) -> dg.Definitions:
    sources = list(deployment.sources)
    return dg.Definitions(
        jobs=build_jobs(deployment.partitions),
        schedules=build_schedules(sources, deployment.first_month),
        sensors=build_sensors(sources, deployment.first_month),
    )
