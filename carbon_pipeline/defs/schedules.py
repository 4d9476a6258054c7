"""Schedules. AWS rewrites the open month's CUR at least daily and keeps amending the previous month
for a while; the carbon export for a month lands around the 21st of the next month, sometimes up to
three months late. Each schedule therefore re-syncs a trailing window, idempotently."""

from datetime import date

import dagster as dg

from carbon_pipeline.defs.jobs import CARBON_EXPORT_JOB, CUR_RESYNC_JOB
from carbon_pipeline.sources.months import next_month


def _previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def trailing_months(today: date, count: int) -> list[date]:
    """The current month and the ``count - 1`` before it, oldest first."""
    months = [date(today.year, today.month, 1)]
    while len(months) < count:
        months.insert(0, _previous_month(months[0]))
    return months


def build_schedules(first_month: date) -> list[dg.ScheduleDefinition]:
    def requests(context: dg.ScheduleEvaluationContext, count: int, include_current: bool) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.date()
        months = trailing_months(today, count + (0 if include_current else 1))
        if not include_current:
            months = months[:-1]
        return [
            dg.RunRequest(
                run_key=f"{context.scheduled_execution_time:%Y-%m-%d}:{month:%Y-%m}",
                partition_key=month.strftime("%Y-%m-%d"),
            )
            for month in months
            if first_month <= month < next_month(date(today.year, today.month, 1))
        ]

    @dg.schedule(
        job_name=CUR_RESYNC_JOB,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        description="Daily: re-sync the current and the previous month of CUR and activity data.",
    )
    def cur_daily_resync(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        return requests(context, 2, include_current=True)

    @dg.schedule(
        job_name=CARBON_EXPORT_JOB,
        cron_schedule="0 7 22 * *",
        execution_timezone="UTC",
        description="Monthly on the 22nd: re-sync the last three closed months of the provider carbon export.",
    )
    def carbon_export_monthly(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        return requests(context, 3, include_current=False)

    return [cur_daily_resync, carbon_export_monthly]
