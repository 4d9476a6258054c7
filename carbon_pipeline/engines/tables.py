"""The transform stages as data: which table each stage writes and from which models, in dependency order,
and the Parquet hand-over between the DuckDB warehouse and an engine that is not DuckDB."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from carbon_pipeline.engines.transpile import flat_name, model_inputs
from carbon_pipeline.transforms import TRANSFORMS


@dataclass(frozen=True)
class TransformTable:
    """What an engine computes: a table from its models (a transform without its Dagster wiring, small enough to
    hand to another process)."""

    table: str  # schema.table in the warehouse
    models: tuple[str, ...]  # dbt_like_sql/<model>.sql, their rows appended (by column name)


@cache
def transform_tables() -> tuple[TransformTable, ...]:
    """The ledger, emissions and marts tables with their models, from the one declaration of the transforms
    (carbon_pipeline/transforms.py) that the Dagster assets are built from too; ordered so that every table
    comes after the tables its models read."""
    found = {t.table: TransformTable(t.table, t.models) for t in TRANSFORMS}
    ordered: list[TransformTable] = []
    pending = dict(found)
    while pending:
        ready = [t for t in pending.values() if not (model_inputs(t.models) & (pending.keys() - {t.table}))]
        if not ready:
            raise ValueError(f"the transform tables read each other in a cycle: {sorted(pending)}")
        for t in sorted(ready, key=lambda t: list(found).index(t.table)):
            ordered.append(t)
            del pending[t.table]
    return tuple(ordered)


def transform_table(table: str) -> TransformTable:
    for candidate in transform_tables():
        if candidate.table == table:
            return candidate
    raise KeyError(f"{table} is not a transform table (one of {[t.table for t in transform_tables()]})")


def external_inputs(targets: Sequence[TransformTable]) -> list[str]:
    """The tables the targets' models read that none of the targets writes: what the warehouse hands over."""
    written = {t.table for t in targets}
    return sorted(model_inputs(m for t in targets for m in t.models) - written)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a warehouse table, in table order: the contract an engine's rows are cast to."""
    schema, name = table.split(".")
    rows = con.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position""",
        [schema, name],
    ).fetchall()
    if not rows:
        raise KeyError(f"no table {table} in the warehouse")
    return [(column, data_type) for column, data_type in rows]


def export_inputs(
    con: duckdb.DuckDBPyConnection, tables: Iterable[str], directory: Path, start: date, end: date
) -> dict[str, Path]:
    """Write each table to ``directory/<schema>__<table>.parquet``; tables outside ``factors`` that have a
    period_month keep only the months [start, end) (every model filters on them), the rest go whole."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for table in tables:
        columns = {column for column, _ in table_columns(con, table)}
        path = directory / f"{flat_name(table)}.parquet"
        if "period_month" in columns and not table.startswith("factors."):
            relation = con.sql(
                f"SELECT * FROM {table} WHERE period_month >= $start AND period_month < $end",
                params={"start": start, "end": end},
            )
        else:
            relation = con.sql(f"SELECT * FROM {table}")
        relation.write_parquet(str(path))
        written[table] = path
    return written


def land_months(con: duckdb.DuckDBPyConnection, table: str, parquet: Path, start: date, end: date) -> int:
    """Replace the months [start, end) of ``table`` with the rows an engine wrote to ``parquet`` (a file or
    a folder of part files), in the caller's transaction. Rows outside the months are an error, not
    silently kept or dropped."""
    source = str(parquet / "*.parquet") if parquet.is_dir() else str(parquet)
    outside = con.execute(
        "SELECT COUNT(*) FROM read_parquet($source) WHERE NOT (period_month >= $start AND period_month < $end)",
        {"source": source, "start": start, "end": end},
    ).fetchall()[0][0]
    if outside:
        raise ValueError(f"{table}: {outside} row(s) from {parquet} fall outside {start:%Y-%m}..{end:%Y-%m}")
    con.execute(f"DELETE FROM {table} WHERE period_month >= ? AND period_month < ?", [start, end])
    return con.execute(
        f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($source)", {"source": source}
    ).fetchall()[0][0]
