"""Checks of the ledger stage: the ones each of its transforms declares (carbon_pipeline/transforms.py)."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.orchestration.sql_table_asset import transform_checks


def build_ledger_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    return transform_checks("ledger", partitions_def)
