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
