"""The warehouse resource when a partition store is configured: the DuckDB file becomes a per-host
cache of the store. At the start of a run it hydrates the run's months; after each raw or ledger
commit the asset calls ``store_months`` to publish them."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import PrivateAttr

from carbon_pipeline.months import months_between
from carbon_pipeline.orchestration.partitions import PARTITION_TAG, RANGE_END_TAG, RANGE_START_TAG, month_of
from carbon_pipeline.orchestration.resources import WarehouseResource
from carbon_pipeline.settings import Settings
from carbon_pipeline.storage.config import open_partition_store
from carbon_pipeline.storage.partition_store import PartitionStore
from carbon_pipeline.warehouse.connection import warehouse_connection


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def run_months(tags: dict[str, str]) -> list[date]:
    """The months a run materializes, from the tags Dagster puts on a partitioned run; none for an
    unpartitioned run (serving, reports), which reads whatever this host's file holds."""
    if RANGE_START_TAG in tags and RANGE_END_TAG in tags:
        first, last = month_of(tags[RANGE_START_TAG]), month_of(tags[RANGE_END_TAG])
    elif PARTITION_TAG in tags:
        first = last = month_of(tags[PARTITION_TAG])
    else:
        return []
    return list(months_between(first, next_month(last)))


class StoredWarehouseResource(WarehouseResource):
    """``path`` is this host's DuckDB file; ``partition_store`` a folder or ``s3://bucket/prefix``.
    ``partition_store_credentials`` names credentials (YAML, as a source's ``credentials:``), never
    holds them, so the run's recorded configuration carries no secret."""

    partition_store: str
    partition_store_region: str = ""
    partition_store_endpoint_url: str = ""
    partition_store_credentials: str = ""
    _store: PartitionStore | None = PrivateAttr(default=None)
    _run_id: str | None = PrivateAttr(default=None)

    def store(self) -> PartitionStore:
        if self._store is None:
            self._store = open_partition_store(
                self.partition_store,
                Path(self.path).parent / ".partition_store_work",
                region=self.partition_store_region or None,
                endpoint_url=self.partition_store_endpoint_url or None,
                credentials=self.partition_store_credentials or None,
            )
        return self._store

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        super().setup_for_execution(context)
        run = context.dagster_run
        if run is None:
            return
        self._run_id = run.run_id
        months = run_months(dict(run.tags))
        if not months:
            return
        with warehouse_connection(self.path) as con:
            hydrated = self.store().hydrate(con, months)
        if context.log is not None:
            context.log.info(
                f"partition store {self.partition_store}: {len(hydrated)} partition(s) hydrated for "
                f"{months[0]:%Y-%m}..{months[-1]:%Y-%m}" + "".join(f"\n  {line}" for line in hydrated)
            )

    def store_months(self, table: str, start: date, end: date, con: Any = None) -> dict[str, Any]:
        store = self.store()
        if table not in store.tables:
            return {}
        months = list(months_between(start, end))
        if con is not None:
            lines = store.publish(con, table, months, self._run_id)
        else:
            with warehouse_connection(self.path) as own:
                lines = store.publish(own, table, months, self._run_id)
        return {"partition_store": lines}


def warehouse_resource(settings: Settings) -> WarehouseResource:
    """Without CARBON_PARTITION_STORE the plain resource: the warehouse file is the only copy, as before."""
    path = str(settings.warehouse.resolve())
    store = settings.partition_store
    if not store:
        return WarehouseResource(path=path)
    if not store.startswith("s3://"):
        store = str(Path(store).resolve())
    return StoredWarehouseResource(
        path=path,
        partition_store=store,
        partition_store_region=settings.partition_store_region or "",
        partition_store_endpoint_url=settings.partition_store_endpoint_url or "",
        partition_store_credentials=settings.partition_store_credentials or "",
    )
