"""Resources: where the warehouse is, which sources file describes the organisation, which engine runs the
transforms and which date freshness is judged against. Each is configured once, in the definitions, from the
deployment's settings read when the code location loads (SPEC: Configuration); no step reads the environment
for them, so a run's configuration is what the UI's resources tab shows."""

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import Any

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from carbon_pipeline.engines import Engine, engine_for
from carbon_pipeline.sources.config import SourcesFile
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import kept_open, warehouse_connection


class WarehouseResource(dg.ConfigurableResource):
    """The pipeline's own DuckDB file. Only the pipeline opens it read-write; BI tools read the
    published serving copy, so they never hold this file's lock."""

    path: str
    _kept: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run keeps the file open from its first step to its last (warehouse.connection.kept_open)."""
        if context.dagster_run is not None:
            self._kept = ExitStack()
            self._kept.enter_context(kept_open(self.path))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with warehouse_connection(self.path, read_only=read_only) as con:
            yield con

    def store_months(self, table: str, start: date, end: date, con: Any = None) -> dict[str, Any]:
        """Called after a raw or ledger month range commits. Without a partition store
        (CARBON_PARTITION_STORE unset) the file is the only copy: nothing to do. See
        carbon_pipeline/storage/resource.py for the stored variant."""
        return {}


class SourcesResource(dg.ConfigurableResource):
    """The sources file. Parsed per run so an edited file takes effect without reloading code."""

    path: str

    def load(self) -> SourcesFile:
        return load_sources_file(self.path)


class ServingResource(dg.ConfigurableResource):
    """Where the read-only BI copy of the warehouse is published."""

    path: str


class ReportsResource(dg.ConfigurableResource):
    """The folder the inventory reports are written to (``inventory_<year>.html`` and ``<year>/*.csv``)."""

    path: str


class EngineResource(dg.ConfigurableResource):
    """Where the transform assets (ledger -> emissions -> marts) run their models: ``duckdb`` in the warehouse,
    ``spark`` over Parquet hand-overs, ``spark-pipes`` in a process launched through Dagster Pipes
    (docs/spark.md). Configured from CARBON_ENGINE and CARBON_SPARK_MASTER when the definitions load; an
    unknown name fails the step that asks for it, with a message naming the setting."""

    name: str = "duckdb"
    spark_master: str | None = None  # local[2] when None; or spark://host:7077

    def engine(self, context: Any = None) -> Engine:
        """The engine, built for one step (``spark-pipes`` needs the asset's ``context``)."""
        return engine_for(self.name, spark_master=self.spark_master, context=context)


class RunDateResource(dg.ConfigurableResource):
    """The run date that freshness is judged against. ``as_of`` (YYYY-MM-DD, from CARBON_AS_OF) pins it, so a
    test or a re-run of an old day gives the answer that day would have given; empty: the day the check runs
    (evaluated then, not when the definitions load)."""

    as_of: str | None = None

    def today(self) -> date:
        return date.fromisoformat(self.as_of) if self.as_of else date.today()
