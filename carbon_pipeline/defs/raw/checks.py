"""Checks of the raw stage, per source kind, from its declaration: rows stored equal rows delivered, the
source is as fresh as its delivery calendar says (warning), and the kind's own column contracts."""

from __future__ import annotations

import dagster as dg

from carbon_pipeline.orchestration import checks
from carbon_pipeline.orchestration.keys import raw_asset_key
from carbon_pipeline.sources.kind import SourceKind
from carbon_pipeline.sources.registry import source_kinds
from carbon_pipeline.transforms import SqlCheck


def kind_checks(kind: SourceKind) -> list[SqlCheck]:
    return [
        SqlCheck(
            "rows_match_deliveries",
            "raw_rows_match_deliveries",
            "Rows stored per source and month equal the rows read from the delivery's objects.",
            params={"source_kind": kind.name},
        ),
        SqlCheck(
            "source_freshness",
            "source_freshness",
            "Warns when a source has no delivery for a month its delivery calendar says is due by the run date "
            f"(the run_date resource, CARBON_AS_OF, pins it): {kind.calendar.text}.",
            blocking=False,
            # $as_of: the run_date resource (orchestration/checks.py binds it)
            params={"source_kind": kind.name, **kind.calendar.as_params()},
        ),
    ]


def build_raw_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    return [
        checks.check_for(spec, raw_asset_key(kind.name), partitions_def)
        for kind in source_kinds().values()
        for spec in (*kind_checks(kind), *kind.contracts)
    ]
