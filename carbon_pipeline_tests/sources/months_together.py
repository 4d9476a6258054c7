"""The shared steps of the tests that say a kind's ``load_months`` (a run's months read at once: docs/performance.md,
Profiles 27 and 32) leaves the warehouse exactly as its ``load_month`` month by month does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import ModuleType

import duckdb

from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.warehouse.connection import transaction


def load(
    reader: ModuleType,
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    months: Sequence[date],
    *,
    together: bool,
) -> list[LoadSummary]:
    """``months`` of ``source`` in one transaction: one ``load_months`` call, or one ``load_month`` call each."""
    with transaction(con):
        if together:
            return reader.load_months(con, landing, source, list(months), run_id="r")
        return [reader.load_month(con, landing, source, month, run_id="r") for month in months]


def table_rows(con: duckdb.DuckDBPyConnection, tables: Sequence[str], *, ordered: bool = False) -> list[list[tuple]]:
    """Every row of each of ``tables``, sorted, or as stored when ``ordered`` (the order rows were written in is
    then part of what must be equal)."""
    rows = [con.execute(f"SELECT * FROM {table}").fetchall() for table in tables]
    return rows if ordered else [sorted(table, key=repr) for table in rows]
