"""The engines the transform stages (ledger -> emissions -> marts) run on: DuckDB, inside the warehouse (the
default), or Apache Spark over Parquet hand-overs (CARBON_ENGINE=spark, docs/spark.md). Either way the rows end up in
the DuckDB warehouse, which the serving file is published from.

Both engines offer the same two calls: ``replace_months`` (one table, in the caller's transaction: what a
Dagster asset does) and ``transform`` (every transform table for a month range, in one transaction).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import duckdb

from carbon_pipeline.built_from import record_built_from
from carbon_pipeline.engines.tables import (
    TransformTable,
    export_inputs,
    external_inputs,
    land_months,
    table_columns,
    transform_tables,
)
from carbon_pipeline.warehouse.connection import replace_months as duckdb_replace_months
from carbon_pipeline.warehouse.connection import transaction


class Engine(Protocol):
    name: str

    def replace_months(
        self, con: duckdb.DuckDBPyConnection, table: str, models: Sequence[str], start: date, end: date, **params: Any
    ) -> int: ...

    def transform(
        self,
        con: duckdb.DuckDBPyConnection,
        start: date,
        end: date,
        params: Mapping[str, Any],
        targets: Sequence[TransformTable] | None = None,
    ) -> dict[str, int]: ...


class DuckDBEngine:
    """The models run as written, inside the warehouse."""

    name = "duckdb"

    def replace_months(
        self, con: duckdb.DuckDBPyConnection, table: str, models: Sequence[str], start: date, end: date, **params: Any
    ) -> int:
        return duckdb_replace_months(con, table, models, start, end, **params)

    def transform(
        self,
        con: duckdb.DuckDBPyConnection,
        start: date,
        end: date,
        params: Mapping[str, Any],
        targets: Sequence[TransformTable] | None = None,
    ) -> dict[str, int]:
        written: dict[str, int] = {}
        with transaction(con):
            for target in targets or transform_tables():
                written[target.table] = self.replace_months(con, target.table, target.models, start, end, **params)
                record_built_from(con, target.table, start, end)
        return written


class SparkWarehouseEngine:
    """The models transpiled to Spark SQL and run by a Spark session over Parquet exported from the
    warehouse; the results land back in the warehouse. ``work_dir`` holds the hand-over files while a call
    runs (a temporary folder under it, removed afterwards); with a cluster master it must be a path the
    driver and every executor see."""

    name = "spark"

    def __init__(self, master: str | None = None, work_dir: Path | None = None) -> None:
        self.master = master
        self.work_dir = work_dir

    def _run(
        self,
        con: duckdb.DuckDBPyConnection,
        targets: Sequence[TransformTable],
        start: date,
        end: date,
        params: Mapping[str, Any],
        land: bool,
    ) -> dict[str, int]:
        if self.work_dir is not None:
            self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="carbon-spark-", dir=self.work_dir) as tmp:
            work = Path(tmp)
            inputs = export_inputs(con, external_inputs(targets), work / "inputs", start, end)
            columns = {t.table: table_columns(con, t.table) for t in targets}
            outputs = self._materialise(targets, inputs, columns, work / "outputs", start, end, params)
            if not land:
                return {}
            return {t.table: land_months(con, t.table, outputs[t.table], start, end) for t in targets}

    def _materialise(
        self,
        targets: Sequence[TransformTable],
        inputs: Mapping[str, Path],
        columns: Mapping[str, Sequence[tuple[str, str]]],
        out_dir: Path,
        start: date,
        end: date,
        params: Mapping[str, Any],
    ) -> dict[str, Path]:
        """Where Spark runs: a session in this process (overridden by the Pipes engine, which launches it)."""
        from carbon_pipeline.engines.spark_engine import SparkEngine, spark_session

        session = spark_session(self.master)
        return SparkEngine(session).materialise(targets, inputs, columns, out_dir, start, end, params)

    def replace_months(
        self, con: duckdb.DuckDBPyConnection, table: str, models: Sequence[str], start: date, end: date, **params: Any
    ) -> int:
        """As warehouse.connection.replace_months, in the caller's transaction, with the rows computed by Spark."""
        target = TransformTable(table, tuple(models))
        return self._run(con, [target], start, end, params, land=True)[table]

    def transform(
        self,
        con: duckdb.DuckDBPyConnection,
        start: date,
        end: date,
        params: Mapping[str, Any],
        targets: Sequence[TransformTable] | None = None,
    ) -> dict[str, int]:
        """Every target computed by Spark in one go (the inputs exported once, each table read back by the
        next from Spark's own output), then all landed in one warehouse transaction."""
        targets = list(targets or transform_tables())
        with transaction(con):
            written = self._run(con, targets, start, end, params, land=True)
            for target in targets:
                record_built_from(con, target.table, start, end)
            return written
