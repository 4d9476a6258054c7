"""Checks of the hourly stage: the ones each hourly transform declares (carbon_pipeline/transforms.py,
HOURLY_TRANSFORMS), beside its asset: hours that add up to the month, hours without a zone or factor, matching
that balances hour by hour, and the warning on every figure computed with the SYNTHETIC profile."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.orchestration.sql_table_asset import transform_checks


def build_hourly_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    return transform_checks("hourly", partitions_def)
