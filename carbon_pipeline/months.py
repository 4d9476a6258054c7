"""Month arithmetic shared by readers and partitions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def months_between(start: date, end: date) -> Iterator[date]:
    """The first days of the months in [start, end)."""
    month = date(start.year, start.month, 1)
    while month < end:
        yield month
        month = next_month(month)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def trailing_months(today: date, count: int) -> list[date]:
    """The current month and the ``count - 1`` before it, oldest first."""
    months = [date(today.year, today.month, 1)]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months
