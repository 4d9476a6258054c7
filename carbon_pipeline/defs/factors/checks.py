"""Checks of the factor catalogue."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.orchestration.checks import sql_check
from carbon_pipeline.orchestration.keys import FACTOR_CATALOGUE_KEY
from carbon_pipeline.transforms import SqlCheck

CATALOGUE_INTEGRITY = SqlCheck(
    "catalogue_integrity",
    "factor_catalogue_integrity",
    "Unique ids, non-negative values, provenance present, every AWS region has a grid factor.",
)


def build_factor_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    return [sql_check(CATALOGUE_INTEGRITY, FACTOR_CATALOGUE_KEY, partitions_def)]
