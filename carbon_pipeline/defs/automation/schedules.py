"""Schedules, one per configured source, with a cadence per source (`schedule:` in the sources file).

AWS rewrites the open month's CUR at least daily and keeps amending the previous month for a while;
the carbon export for a month lands around the 21st of the next month, sometimes up to three months
late. Each schedule re-syncs a trailing window of months for its own source only (run tag), and every
re-sync is idempotent.
"""

from datetime import date

import dagster as dg

from carbon_pipeline.defs.automation.jobs import resync_job_name
from carbon_pipeline.months import next_month, trailing_months
from carbon_pipeline.orchestration.partitions import SOURCES_TAG
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.registry import kind_of

CRON = {"daily": "0 6 * * *", "weekly": "0 6 * * 1", "monthly": "0 7 22 * *"}


def resync_months(kind: str, today: date) -> list[date]:
    """The months a scheduled re-sync of ``kind`` reads on ``today`` (its declaration's Resync)."""
    closed = kind_of(kind).resync.closed_months
    if closed:
        return trailing_months(today, closed + 1)[:-1]
    return trailing_months(today, 2)


def cadence(source: SourceConfig) -> str:
    return str(source.options.get("schedule") or kind_of(source.kind).resync.cadence)


def definition_name(source_id: str, suffix: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in source_id) + f"_{suffix}"


def _source_schedule(source: SourceConfig, first_month: date) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=definition_name(source.id, "resync"),
        job_name=resync_job_name(source.kind),
        cron_schedule=CRON[cadence(source)],
        execution_timezone="UTC",
        description=f"{cadence(source).capitalize()} re-sync of source '{source.id}' ({source.kind}): "
        + kind_of(source.kind).resync.window
        + ", then everything downstream.",
        tags={SOURCES_TAG: source.id},
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.date()
        return [
            dg.RunRequest(
                run_key=f"{source.id}:{context.scheduled_execution_time:%Y-%m-%dT%H}:{month:%Y-%m}",
                partition_key=month.strftime("%Y-%m-%d"),
                tags={SOURCES_TAG: source.id},
            )
            for month in resync_months(source.kind, today)
            if first_month <= month < next_month(date(today.year, today.month, 1))
        ]

    return _schedule


def build_schedules(sources: list[SourceConfig], first_month: date) -> list[dg.ScheduleDefinition]:
    return [_source_schedule(s, first_month) for s in sources if cadence(s) != "none"]
