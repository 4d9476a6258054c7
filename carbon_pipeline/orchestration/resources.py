"""Resources: where the warehouse is and which sources file describes the organisation."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.sources.config import SourcesFile
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import warehouse_connection


class WarehouseResource(dg.ConfigurableResource):
    """The pipeline's own DuckDB file. Only the pipeline opens it read-write; BI tools read the
    published serving copy, so they never hold this file's lock."""

    path: str

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
