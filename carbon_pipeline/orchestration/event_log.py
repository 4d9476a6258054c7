"""The Dagster instance's event log (``dagster_home/dagster.yaml``): Dagster's own SQLite event log, with one
SQLAlchemy engine per database file instead of a new one for every event.

Dagster 1.13's ``SqliteEventLogStorage`` creates, initialises and disposes an engine for every connection, so
each stored event (a demo run stores some 800: a planned and a materialization event per asset and month, plus
every step's) pays the engine's dialect set-up and compiles its INSERT statements afresh, because SQLAlchemy
caches compiled statements per engine. That was about 2.8 s CPU of the demo's ``make run`` (docs/performance.md,
Profile 12). Keeping the engine keeps that cache; the pool stays ``NullPool``, so no connection is held open
between events and the UI, the daemon and a run still share the files exactly as before. Files, tables and
layout are Dagster's own (same folders as the default instance): switching back is deleting the setting.

Overrides a private method of the Dagster version pinned in pyproject.toml; the test in
carbon_pipeline_tests/orchestration/test_instance_and_automation.py runs a job through it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool


class ReusedEngineSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` keeping one engine per shard (run or index database file).

    ``base_dir`` defaults to ``$DAGSTER_HOME/history/runs``, where Dagster's default instance keeps its event
    log, so an existing instance's history stays visible."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: dict[str, Engine] = {}
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Any]:
        return {"base_dir": dg.Field(dg.StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> ReusedEngineSqliteEventLogStorage:
        base_dir = config_value.get("base_dir")
        if not base_dir:
            home = os.environ.get("DAGSTER_HOME")
            if not home:
                raise dg.DagsterInvariantViolationError(
                    "ReusedEngineSqliteEventLogStorage keeps its files in $DAGSTER_HOME/history/runs: set "
                    "DAGSTER_HOME (make run and make ui do) or give event_log_storage.config.base_dir"
                )
            base_dir = os.path.join(home, "history", "runs")
        return cls(base_dir=base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=NullPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            self._engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        # the parent's body, with the engine kept instead of created and disposed each time
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
