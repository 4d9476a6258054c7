"""Monthly partitions: a month is the unit AWS restates (every CUR refresh rewrites the whole billing
period) and the unit of the inventory."""

from collections.abc import Mapping
from datetime import date, datetime

import dagster as dg

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"
# Comma-separated source ids: the raw stage of a run with this tag re-reads only those sources.
SOURCES_TAG = "carbon_pipeline/sources"
# "true": re-read every delivery even when it is the one already loaded (after a reader or staging change).
FORCE_RELOAD_TAG = "carbon_pipeline/force_reload"


def monthly_partitions(start_month: date) -> dg.MonthlyPartitionsDefinition:
    # end_offset=1: the current, still open month is a partition too (AWS rewrites it daily).
    return dg.MonthlyPartitionsDefinition(start_date=start_month.strftime("%Y-%m-%d"), end_offset=1)


def month_of(partition_key: str) -> date:
    return datetime.strptime(partition_key, "%Y-%m-%d").date()


def asset_window(context: dg.AssetExecutionContext) -> tuple[date, date]:
    """[start, end) of the months this run materializes (one month or a single-run range)."""
    window = context.partition_time_window
    return window.start.date(), window.end.date()


def run_window(tags: Mapping[str, str], partitions_def: dg.MonthlyPartitionsDefinition) -> tuple[date, date] | None:
    """The months a run covered, from its tags; None when the run was not partitioned (a check then
    looks at the whole table)."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        start = tags[RANGE_START_TAG]
        end = tags[RANGE_END_TAG]
    elif PARTITION_TAG in tags:
        start = end = tags[PARTITION_TAG]
    else:
        return None
    last = partitions_def.time_window_for_partition_key(end)
    return month_of(start), last.end.date()
