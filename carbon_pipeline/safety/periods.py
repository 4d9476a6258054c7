"""Months read from folder names (``20251101-20251201``, ``usage_period=2025-11``, ``BILLING_PERIOD=2025-11``).

A folder named ``20251301-20260101`` crashed month discovery with a bare ``ValueError`` traceback. A folder that
has the shape of a period folder but names no real month is an error naming the source and the folder: it is
either damage or something a person put there, and silently skipping it could hide a month.
"""

from __future__ import annotations

from datetime import date

from carbon_pipeline.errors import SourceError
from carbon_pipeline.months import next_month


def folder_month(year: str, month: str, *, source_id: str, folder: str) -> date:
    """The first day of ``year``-``month`` as named by ``folder``; SourceError if it is no month."""
    try:
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise SourceError(
            f"folder name {folder[:100]!r} has the shape of a period folder but names no month", source_id=source_id
        ) from exc


def cur_period_month(folder: str, *, source_id: str) -> date | None:
    """The month of a legacy CUR period folder ``yyyymmdd-yyyymmdd`` (start on day 1, exclusive end on the first
    of the next month), None for a folder of another shape."""
    if not (len(folder) == 17 and folder[8] == "-" and folder[:8].isdigit() and folder[9:].isdigit()):
        return None
    month = folder_month(folder[:4], folder[4:6], source_id=source_id, folder=folder)
    if folder[6:8] != "01" or folder[9:] != f"{next_month(month):%Y%m%d}":
        raise SourceError(
            f"period folder {folder!r} does not span one calendar month (expected "
            f"{month:%Y%m%d}-{next_month(month):%Y%m%d})",
            source_id=source_id,
        )
    return month
