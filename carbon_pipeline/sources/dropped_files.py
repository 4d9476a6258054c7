"""Loading a folder of dropped files whose rows each belong to the month of their own date, for all the months
of a run at once.

A provider's export copied into a folder (FOCUS from Azure, Google or OCI; Google's native billing export) holds
rows of any months, and a month rows of any files. A run loads a source month by month, so a reader that read
every file for each month read a year in one file twelve times: the raw step grew with months x file size
(docs/performance.md, Profile 32). ``load_dropped_months`` reads each file once for all the run's months: its
reader stages the file (parsed, validated, typed, each row with its ``period_month``), the rows of the run's
months are inserted, and the bookkeeping stays per month: each file is a delivery of every month it has rows
of, its SHA-256 the delivery id, and a month whose files changed is a restatement, exactly as month by month.
Files are staged one at a time, so a run holds one file's staged rows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import duckdb

from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_months,
    previous_identities,
    record_delivery,
    record_restatements_if_changed,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing


@dataclass(frozen=True)
class DroppedMonths:
    """What load_dropped_months wrote: rows per (month, file), the labels (a FOCUS version, ...) of the files
    with rows in each month, and the months recorded as restated."""

    keys: tuple[str, ...]
    rows: dict[tuple[date, str], int]
    labels: dict[date, set[str]]
    restated: set[date]

    def summaries(self, source_id: str, months: Sequence[date], *, labels_as: str) -> list[LoadSummary]:
        """One LoadSummary per month, its labels under the LoadSummary field ``labels_as``
        (``focus_versions``, ...)."""
        return [
            LoadSummary(
                source_id,
                month,
                rows=sum(self.rows.get((month, key), 0) for key in self.keys),
                delivery=f"{sum(1 for key in self.keys if self.rows.get((month, key)))} file(s)" if self.keys else None,
                objects=len(self.keys),
                restated=month in self.restated,
                **{labels_as: tuple(sorted(self.labels[month]))},
            )
            for month in months
        ]


def load_dropped_months(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    months: Sequence[date],
    *,
    kind: str,
    table: str,
    keys: Sequence[str],
    staged: str,
    stage: Callable[[str], str],
    drop_staging: Callable[[], None],
    run_id: str | None,
) -> DroppedMonths:
    """Replace ``months`` of ``source`` in ``table`` with the rows of the files ``keys``, inside the caller's
    transaction. ``stage(key)`` stages one file into the temp table ``staged`` (refusing it whole if any row is
    unusable) and returns its label; ``drop_staging()`` removes what staging left."""
    months = list(months)
    previous = previous_identities(con, source.id, months)
    forget_months(con, table, source.id, months)
    rows: dict[tuple[date, str], int] = {}
    labels: dict[date, set[str]] = {month: set() for month in months}
    for key in keys:
        label = stage(key)
        for month, count in con.execute(
            f"SELECT period_month, COUNT(*) FROM {staged} WHERE list_contains(?, period_month) GROUP BY 1", [months]
        ).fetchall():
            rows[(month, key)] = count
            labels[month].add(label)
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM {staged} WHERE list_contains(?, period_month)", [months]
        )
    drop_staging()
    for month in months:
        for key in keys:
            if rows.get((month, key)):
                record_delivery(
                    con,
                    source_id=source.id,
                    source_kind=kind,
                    month=month,
                    delivery_id=landing.sha256(key),
                    manifest_key=None,
                    object_count=1,
                    row_count=rows[(month, key)],
                    status="loaded",
                )
    restated = record_restatements_if_changed(
        con, source_id=source.id, months=months, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return DroppedMonths(tuple(keys), rows, labels, restated)
