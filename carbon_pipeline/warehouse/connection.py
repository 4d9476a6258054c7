"""Opening the warehouse and writing to it atomically.

Why not dagster-duckdb's DuckDBResource: its connection is not closed when the body raises, and its IO
manager deletes then inserts outside a transaction (a failure in between empties the partition). The
pipeline needs one transaction per partition replacement, so it owns this small piece.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.sql_models import insert_model, model_sql, sql_root

DEFAULT_MEMORY_LIMIT = "1GB"


def memory_limit() -> str:
    """DuckDB's buffer-pool cap (CARBON_DUCKDB_MEMORY_LIMIT, default 1GB). DuckDB's own default is 80 % of
    the machine, so a bigger month simply used more memory; capped, it spills to ``<warehouse>.tmp``
    and peak RSS stays flat as months grow (docs/performance.md)."""
    return os.environ.get("CARBON_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)


def open_warehouse(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit()}, read_only=read_only)
    if not read_only:
        for schema_file in sorted((sql_root() / "schema").glob("*.sql")):
            con.execute(model_sql(f"schema/{schema_file.stem}"))
    return con


@contextmanager
def warehouse_connection(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_warehouse(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure anywhere inside leaves the tables as they were."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def replace_months(
    con: duckdb.DuckDBPyConnection,
    table: str,
    models: Sequence[str],
    start: date,
    end: date,
    **params: object,
) -> int:
    """Replace the months [start, end) of ``table`` with the rows of ``models``, in the caller's
    transaction. Returns the number of rows written."""
    con.execute(f"DELETE FROM {table} WHERE period_month >= ? AND period_month < ?", [start, end])
    return sum(insert_model(con, table, model, start=start, end=end, **params) for model in models)
