"""Schedules, one per configured source, with a cadence per source (`schedule:` in the sources file).

AWS rewrites the open month's CUR at least daily and keeps amending the previous month for a while;
the carbon export for a month lands around the 21st of the next month, sometimes up to three months
late. Each schedule re-syncs a trailing window of months for its own source only (run tag), and every
re-sync is idempotent.
"""

from datetime import date

import dagster as dg

from carbon_pipeline.defs.jobs import resync_job_name
from carbon_pipeline.defs.partitions import SOURCES_TAG
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.months import next_month

CRON = {"daily": "0 6 * * *", "weekly": "0 6 * * 1", "monthly": "0 7 22 * *"}
DEFAULT_CADENCE = {
    "aws_carbon": "monthly",
    "aws_sustainability_api": "monthly",
    "gcp_carbon": "monthly",
    "azure_carbon": "monthly",
    "activity_csv": "weekly",
}
# Provider carbon exports: re-read the three closed months before the run; billing: previous + current.
CLOSED_MONTHS = {"aws_carbon": 3, "aws_sustainability_api": 3, "gcp_carbon": 3, "azure_carbon": 3}


def _previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def trailing_months(today: date, count: int) -> list[date]:
    """The current month and the ``count - 1`` before it, oldest first."""
    months = [date(today.year, today.month, 1)]
    while len(months) < count:
        months.insert(0, _previous_month(months[0]))
    return months


def resync_months(kind: str, today: date) -> list[date]:
    if kind in CLOSED_MONTHS:
        return trailing_months(today, CLOSED_MONTHS[kind] + 1)[:-1]
    return trailing_months(today, 2)


def cadence(source: SourceConfig) -> str:
    return str(source.options.get("schedule") or DEFAULT_CADENCE.get(source.kind, "daily"))


def definition_name(source_id: str, suffix: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in source_id) + f"_{suffix}"


def _source_schedule(source: SourceConfig, first_month: date) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=definition_name(source.id, "resync"),
        job_name=resync_job_name(source.kind),
        cron_schedule=CRON[cadence(source)],
        execution_timezone="UTC",
        description=f"{cadence(source).capitalize()} re-sync of source '{source.id}' ({source.kind}): "
        + ("the three closed months before the run" if source.kind in CLOSED_MONTHS else "previous and current month")
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
