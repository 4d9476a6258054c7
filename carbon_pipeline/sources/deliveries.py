"""Bookkeeping shared by every reader: which delivery a month was loaded from, and restatements."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date

import duckdb

from carbon_pipeline.sources.landing import Landing


def previous_identity(con: duckdb.DuckDBPyConnection, source_id: str, month: date) -> tuple[str, int] | None:
    """The identity (and row count) the month was last loaded from, before this load replaces it."""
    return previous_identities(con, source_id, [month]).get(month)


def previous_identities(
    con: duckdb.DuckDBPyConnection, source_id: str, months: Sequence[date]
) -> dict[date, tuple[str, int]]:
    """previous_identity of each of ``months`` that was loaded, in one query."""
    rows = con.execute(
        """SELECT period_month,
                  string_agg(COALESCE(model_version || '/', '') || delivery_id, ','
                             ORDER BY model_version, delivery_id),
                  SUM(row_count)
           FROM raw.deliveries WHERE source_id = ? AND list_contains(?, period_month) AND status = 'loaded'
           GROUP BY period_month""",
        [source_id, list(months)],
    ).fetchall()
    return {month: (identity, int(count or 0)) for month, identity, count in rows if identity is not None}


def forget_month(con: duckdb.DuckDBPyConnection, table: str, source_id: str, month: date) -> None:
    forget_months(con, table, source_id, [month])


def forget_months(con: duckdb.DuckDBPyConnection, table: str, source_id: str, months: Sequence[date]) -> None:
    """Delete ``months`` of the source from ``table`` and the tables that go with its rows."""
    # a CUR month's ledger-grain groups and object list go with its line items (schema/85_cur_line_item_groups.sql)
    for kept in (table, "raw.cur_line_item_groups", "raw.delivery_objects", "raw.deliveries"):
        con.execute(
            f"DELETE FROM {kept} WHERE source_id = ? AND list_contains(?, period_month)", [source_id, list(months)]
        )


def record_delivery(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    source_kind: str,
    month: date,
    delivery_id: str,
    manifest_key: str | None,
    object_count: int | None,
    row_count: int | None,
    status: str,
    model_version: str | None = None,
    objects_version: str | None = None,
) -> None:
    con.execute(
        """INSERT INTO raw.deliveries (source_id, source_kind, period_month, delivery_id, model_version,
                                       manifest_key, object_count, row_count, status, objects_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            source_id,
            source_kind,
            month,
            delivery_id,
            model_version,
            manifest_key,
            object_count,
            row_count,
            status,
            objects_version,
        ],
    )


def record_restatement_if_changed(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    month: date,
    previous: tuple[str, int] | None,
    change_kind: str,
    run_id: str | None,
) -> bool:
    """A month that was loaded before from a different delivery is a restatement: keep the record."""
    return bool(
        record_restatements_if_changed(
            con,
            source_id=source_id,
            months=[month],
            previous={month: previous} if previous is not None else {},
            change_kind=change_kind,
            run_id=run_id,
        )
    )


def record_restatements_if_changed(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    months: Sequence[date],
    previous: Mapping[date, tuple[str, int]],
    change_kind: str,
    run_id: str | None,
) -> set[date]:
    """record_restatement_if_changed for each of ``months`` (``previous``: previous_identities before the
    load), in month order; the months recorded as restated."""
    current = previous_identities(con, source_id, [m for m in months if m in previous]) if previous else {}
    restated = [
        (month, previous[month], current[month])
        for month in months
        if month in previous and month in current and previous[month][0] != current[month][0]
    ]
    if restated:
        con.executemany(
            """INSERT INTO audit.restatements (source_id, period_month, change_kind, previous_identity,
                   new_identity, previous_row_count, new_row_count, recorded_by_run)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            [[source_id, month, change_kind, old[0], new[0], old[1], new[1], run_id] for month, old, new in restated],
        )
    return {month for month, _, _ in restated}


def objects_version(landing: Landing, keys: Sequence[str]) -> str:
    """One digest of the versions of a delivery's objects (ETag, or size and mtime of a local file)."""
    return versions_digest({key: landing.version(key) for key in keys})


def versions_digest(versions: Mapping[str, str]) -> str:
    """objects_version from versions already looked up (one HEAD per object is enough)."""
    listing = "\n".join(f"{key}={version}" for key, version in versions.items())
    return hashlib.sha256(listing.encode()).hexdigest()[:32]


def unchanged_delivery(
    con: duckdb.DuckDBPyConnection, source_id: str, month: date, delivery_id: str | None, version: str | None
) -> tuple[str, int] | None:
    """The loaded (identity, rows) when the month was last loaded from exactly this delivery and these
    object versions, so that re-reading it would write the same rows; else None."""
    if delivery_id is None or version is None:
        return None
    rows = con.execute(
        """SELECT delivery_id, row_count FROM raw.deliveries
           WHERE source_id = ? AND period_month = ? AND status = 'loaded'""",
        [source_id, month],
    ).fetchall()
    if len(rows) != 1 or rows[0][0] != delivery_id:
        return None
    loaded_version = con.execute(
        """SELECT objects_version FROM raw.deliveries
           WHERE source_id = ? AND period_month = ? AND status = 'loaded'""",
        [source_id, month],
    ).fetchall()[0][0]
    return (rows[0][0], int(rows[0][1] or 0)) if loaded_version == version else None
