"""Opening the warehouse and writing to it atomically.

Why not dagster-duckdb's DuckDBResource: its connection is not closed when the body raises, and its IO
manager deletes then inserts outside a transaction (a failure in between empties the partition). The
pipeline needs one transaction per partition replacement, so it owns this small piece.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
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


# The warehouse files a run keeps open (resolved path -> the run's keeper connection): see kept_open().
_KEPT: dict[str, duckdb.DuckDBPyConnection] = {}


def _key(path: Path | str) -> str:
    return str(Path(path).resolve())


def _kept(path: Path | str) -> duckdb.DuckDBPyConnection | None:
    return _KEPT.get(_key(path))


@contextmanager
def kept_open(path: Path | str) -> Iterator[None]:
    """Keep the warehouse's DuckDB database open while a run's steps open and close their connections.

    Each of a run's forty-odd steps and checks opens the warehouse and closes it again; the last connection to
    close a DuckDB file checkpoints it and drops its buffer pool, and the next open reads the catalog back:
    about a second of a one-month demo run of 6.5 s (docs/performance.md, Profile 24). While a run keeps the
    file open, every open of it in this process is a new connection to the same database (``cursor()``):
    no checkpoint between steps, the cache warm. Commits are as durable as before (DuckDB's write-ahead log);
    a killed run leaves what it committed, as before. The price: a check's connection is no longer read-only
    (one database, one configuration per process), and other processes cannot open the file until the run
    ends, where before they could between steps (BI tools read the serving file, never this one)."""
    key = _key(path)
    if key in _KEPT:  # nested (a run inside a run's process): the outer one keeps it
        yield
        return
    keeper = open_warehouse(path)
    _KEPT[key] = keeper
    try:
        yield
    finally:
        del _KEPT[key]
        keeper.close()


@contextmanager
def released(path: Path | str) -> Iterator[None]:
    """Let go of a kept warehouse for the length of the block (the serving publish attaches the file to a
    database of its own, which DuckDB refuses while this process holds it open), then keep it again."""
    key = _key(path)
    keeper = _KEPT.pop(key, None)
    if keeper is None:
        yield
        return
    keeper.close()
    try:
        yield
    finally:
        _KEPT[key] = open_warehouse(path)


def open_read_only(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a DuckDB file (the serving file, for checks and reports) under the same
    memory limit as the warehouse: a report or check over a 100M-line-item month sorts and groups more than
    fits in a default connection's 80 % of the machine (docs/performance.md, Profile 20). A warehouse kept
    open by the run gives a connection to its database instead (kept_open)."""
    kept = _kept(path)
    if kept is not None:
        return kept.cursor()
    return duckdb.connect(str(path), read_only=True, config={"memory_limit": memory_limit()})


@contextmanager
def scratch_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB for a reader's scratch work (listing the months a dropped file covers, re-reading
    one object to name its bad cell), under the warehouse's memory limit and spilling into a folder of its
    own in the system's temporary directory, removed on close. A plain ``duckdb.connect()`` takes 80 % of the
    machine and, once over it, spills into ``.tmp`` under whatever folder the process was started from:
    outside every folder the deployment configures."""
    with tempfile.TemporaryDirectory(prefix="carbon-duckdb-scratch-") as spill:
        con = duckdb.connect(config={"memory_limit": memory_limit(), "temp_directory": spill})
        try:
            yield con
        finally:
            con.close()


_SIZE_UNITS = {
    "bytes": 1,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    """The connection's memory limit in bytes, as DuckDB reports it (``953.6 MiB`` for ``1GB``); None if it
    reports none it can say in bytes."""
    text = str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]).strip()
    number, _, unit = text.partition(" ")
    try:
        return int(float(number) * _SIZE_UNITS[(unit or "bytes").lower()])
    except (KeyError, ValueError):
        return None


SCHEMA_APPLIED = "main.carbon_schema_applied"


def schema_files() -> list[tuple[str, str]]:
    """(name, text) of dbt_like_sql/schema/*.sql in the order they run."""
    return [(f.stem, model_sql(f"schema/{f.stem}")) for f in sorted((sql_root() / "schema").glob("*.sql"))]


def schema_digest(files: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{name}\n{text}" for name, text in files).encode()).hexdigest()


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Run the schema files unless this warehouse already holds exactly their current text. Every step of
    a run opens the warehouse, and running some 300 idempotent DDL statements each time cost 25-40 ms a
    step, about a second of a run (docs/performance.md); the digest of the files says when they changed."""
    files = schema_files()
    digest = schema_digest(files)
    con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_APPLIED} (digest VARCHAR NOT NULL, applied_at TIMESTAMP)")
    if con.execute(f"SELECT digest FROM {SCHEMA_APPLIED}").fetchall() == [(digest,)]:
        return
    for _, text in files:
        con.execute(text)
    con.execute(f"DELETE FROM {SCHEMA_APPLIED}")
    con.execute(f"INSERT INTO {SCHEMA_APPLIED} VALUES (?, current_timestamp)", [digest])


def open_warehouse(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only:
        return open_read_only(path)
    kept = _kept(path)
    if kept is not None:  # the run keeps it open, its schema applied (kept_open)
        return kept.cursor()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config={"memory_limit": memory_limit()})
    apply_schema(con)
    return con


@contextmanager
def warehouse_connection(path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_warehouse(path, read_only=read_only)
    try:
        yield con
        if not read_only and _kept(path) is not None:
            # what closing the file did before the run kept it open: rows written since the last checkpoint
            # stay in DuckDB's memory until one, and a 10M-line month's left the next steps (the Monte Carlo)
            # too little of the memory limit: 6 s -> 11 s (Profile 24)
            con.execute("CHECKPOINT")
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
