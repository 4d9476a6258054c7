"""The line items behind one ledger activity: where an auditor's walk from a total ends.

A CUR activity is a group of line items of one delivered object. With ``raw_line_items: copy`` they are in the
warehouse; with ``reference`` only their groups are, so they are read again from the delivered object, after
checking that the object is still the version the month was read from (a rewritten object would show other
rows: that is an error, never a silent answer); with ``archive`` they are read again from the pipeline's own
copy of the object, after checking its SHA-256 (sources/archive.py). Either way the rows are matched to the
activity by its ledger keys (dbt_like_sql/serving/activity_line_items.sql) and their count and cost are compared
with the ledger's.
The warehouse is opened read-only, so this can run beside a pipeline run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.archive import archive_folder, archived_copy
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.aws_cur2 import reader as aws_cur2
from carbon_pipeline.sources.config import SourcesFile
from carbon_pipeline.sources.landing import open_landing
from carbon_pipeline.warehouse.connection import warehouse_connection
from carbon_pipeline.warehouse.sql_models import insert_model, run_model

RAW_TABLES = {"aws_cur": aws_cur.TABLE, "aws_cur2": aws_cur2.TABLE}


class TraceError(Exception):
    """The activity cannot be traced to its line items, with the reason."""


@dataclass(frozen=True)
class ActivityLineItems:
    activity_id: str
    source_id: str
    source_object: str
    raw_storage: str  # copied | referenced | archived
    object_uri: str | None
    object_version: str | None
    columns: list[str]
    rows: list[tuple]
    ledger_line_items: int
    ledger_cost: Decimal
    archived_as: str | None = None  # archived objects: the copy read, under <warehouse>.archive/

    @property
    def cost(self) -> Decimal:
        index = self.columns.index("unblended_cost")
        return sum((row[index] or Decimal(0) for row in self.rows), Decimal(0))

    @property
    def reconciles(self) -> bool:
        """The line items found are exactly the activity's: as many, costing the same to the last digit."""
        return len(self.rows) == self.ledger_line_items and self.cost == self.ledger_cost


def _activity(con: duckdb.DuckDBPyConnection, activity_id: str) -> tuple:
    rows = con.execute(
        """SELECT source_id, source_kind, period_month, source_object, source_version, line_item_count, cost
           FROM ledger.activity WHERE activity_id = ?""",
        [activity_id],
    ).fetchall()
    if not rows:
        raise TraceError(f"no activity {activity_id!r} in ledger.activity")
    return rows[0]


def _stage_delivered_object(
    con: duckdb.DuckDBPyConnection,
    sources: SourcesFile,
    kind: str,
    source_id: str,
    month: date,
    key: str,
    delivery: str,
    recorded_version: str | None,
) -> None:
    """Read the object again, as the raw stage did, into trace_rows."""
    source = next((s for s in sources.sources if s.id == source_id), None)
    if source is None:
        raise TraceError(f"source '{source_id}' is not in {sources.path}: its objects cannot be found")
    landing = open_landing(source)
    try:
        current = landing.version(key)
        if current != recorded_version:
            raise TraceError(
                f"source '{source_id}', object '{key}': it is version {current}, but {month:%Y-%m} was read from "
                f"version {recorded_version}: it no longer holds exactly the line items the ledger was built from "
                "(keep noncurrent object versions: docs/sources.md)"
            )
        _stage_rows(con, kind, landing.local_path(key), source_id, month, key, delivery)
    finally:
        landing.cleanup()


def _stage_archived_object(
    con: duckdb.DuckDBPyConnection,
    warehouse: Path,
    kind: str,
    source_id: str,
    month: date,
    key: str,
    delivery: str,
    archived: tuple[str, str],
) -> None:
    """Read the pipeline's copy of the object again, as the raw stage did, into trace_rows."""
    relative, sha256 = archived
    try:
        path = archived_copy(archive_folder(warehouse), relative, sha256, source_id=source_id, object_key=key)
    except SourceError as exc:
        raise TraceError(str(exc)) from None
    _stage_rows(con, kind, path, source_id, month, key, delivery)


def _stage_rows(
    con: duckdb.DuckDBPyConnection, kind: str, path: Path, source_id: str, month: date, key: str, delivery: str
) -> None:
    """The object at ``path`` through the staging model, into trace_rows."""
    with _object_rows(con, kind, path, source_id, key) as relation:
        # a TEMP view (the warehouse is attached read-only); DuckDB writes the relation's SQL itself
        con.execute(f"CREATE OR REPLACE TEMP VIEW cur_file AS {relation.sql_query()}")
        insert_model(
            con,
            "trace_rows",
            "staging/aws_cur_line_items",
            source_id=source_id,
            period_month=month,
            assembly_id=delivery,
            object_key=key,
        )


@contextmanager
def _object_rows(
    con: duckdb.DuckDBPyConnection, kind: str, path: Path, source_id: str, key: str
) -> Iterator[duckdb.DuckDBPyRelation]:
    """The object as the raw stage's reader shapes it for the staging model (a ZIP member extracted meanwhile)."""
    if kind == "aws_cur":
        with aws_cur.open_object(con, path, source_id=source_id, object_key=key) as (relation, _):
            yield relation
    else:
        yield aws_cur2.read_object(con, path, source_id=source_id, object_key=key)


def trace_activity(warehouse: Path, sources: SourcesFile, activity_id: str) -> ActivityLineItems:
    """The line items of ``activity_id`` (a CUR activity of ledger.activity), checked against the ledger."""
    with warehouse_connection(warehouse, read_only=True) as con:
        source_id, kind, month, key, delivery, line_items, cost = _activity(con, activity_id)
        if kind not in RAW_TABLES:
            raise TraceError(
                f"activity {activity_id} is a {kind} activity: its rows are in raw (source_object {key!r}, "
                "first_line); this command traces CUR activities"
            )
        found = con.execute(
            """SELECT raw_storage, object_uri, object_version, archived_as, archived_sha256 FROM raw.delivery_objects
               WHERE source_id = ? AND period_month = ? AND object_key = ?""",
            [source_id, month, key],
        ).fetchall()
        storage, uri, version, archived_as, archived_sha256 = found[0] if found else ("copied", None, None, None, None)
        table = RAW_TABLES[kind]
        con.execute(f"CREATE TEMP TABLE trace_rows AS SELECT * FROM {table} LIMIT 0")
        if storage == "referenced":
            _stage_delivered_object(con, sources, kind, source_id, month, key, delivery, version)
        elif storage == "archived":
            archived = (archived_as, archived_sha256)
            _stage_archived_object(con, warehouse, kind, source_id, month, key, delivery, archived)
        else:
            con.execute(
                f"""INSERT INTO trace_rows SELECT * FROM {table}
                    WHERE source_id = ? AND period_month = ? AND object_key = ?""",
                [source_id, month, key],
            )
        result = run_model(con, "serving/activity_line_items", activity_id=activity_id)
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    return ActivityLineItems(
        activity_id, source_id, key, storage, uri, version, columns, rows, int(line_items), Decimal(cost), archived_as
    )
