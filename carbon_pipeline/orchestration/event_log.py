"""The Dagster instance's event log (``dagster_home/dagster.yaml``): Dagster's own SQLite event log, with one
SQLAlchemy engine and one open connection per database file instead of a new engine and connection for every
event, and the asset-key table's columns looked up once instead of at every asset event.

Dagster 1.13's ``SqliteEventLogStorage`` creates, initialises and disposes an engine for every connection, so
each stored event (a demo run stores some 850: a planned and a materialization event per asset and month, plus
every step's) pays the engine's dialect set-up and compiles its INSERT statements afresh, because SQLAlchemy
caches compiled statements per engine (about 2.8 s CPU of the demo's ``make run``, docs/performance.md,
Profile 12). Each connection was also opened and closed around every event: in WAL mode the last connection to
close a database checkpoints its log, so every event paid a checkpoint (about 3.5 s of connect, commit and
close in the demo's run, Profile 13). And every asset event reflects the asset-key table's columns to learn
whether a migration added them (0.8 s). Files, tables, layout and journal mode are Dagster's own (same folders
as the default instance): switching back is deleting the setting.

Keeping a connection open holds no lock: SQLite in WAL mode (Dagster sets it) lets the UI, the daemon and a run
read and write the files as before. Only the index database and the few most recently used run databases keep
theirs (``OPEN_SHARDS``), so a long-lived process such as the UI, which reads many runs, does not keep a file
open per run it ever read.

Overrides private methods of the Dagster version pinned in pyproject.toml; the test in
carbon_pipeline_tests/orchestration/test_instance_and_automation.py runs jobs through it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
from dagster._core.events import ASSET_CHECK_EVENTS, ASSET_EVENTS
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlalchemy_compat import db_result
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

BATCHED = ASSET_EVENTS | ASSET_CHECK_EVENTS  # the events a batch may hold to be written as one (else one by one)
# DAGSTER_EVENT_BATCH_SIZE for `carbon-pipeline run` and `make ui`: more than the planned events of the longest
# range run (assets x months), so that each batch Dagster makes is written at once
EVENT_BATCH_SIZE = "10000"
OPEN_SHARDS = 8  # run databases whose engine (and open connection) is kept, besides the index database


class ReusedEngineSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` keeping one engine and one connection per shard (run or index database file).

    ``base_dir`` defaults to ``$DAGSTER_HOME/history/runs``, where Dagster's default instance keeps its event
    log, so an existing instance's history stays visible."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._asset_key_columns: set[str] = set()
        self._tables: set[str] = set()
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
        """The shard's engine, keeping one connection open between uses (more are opened when Dagster nests
        them, as its schema set-up does, and closed after). The kept connection may serve another thread next
        time, hence ``check_same_thread`` off; Dagster's database lock serialises the uses."""
        engine = self._engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=-1,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            self._engines[shard] = engine
            self._close_run_engines(keep=OPEN_SHARDS)
        else:
            self._engines.move_to_end(shard)
        return engine

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        """Whether a migration added ``column_name`` to the asset-key table, reflected once: a column, once
        there, stays (migrations only add them), so only a missing column is looked up again."""
        if column_name in self._asset_key_columns:
            return True
        found = super()._has_asset_key_col_on_connection(conn, column_name)
        if found:
            self._asset_key_columns.add(column_name)
        return found

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has ``table_name``, asked once per table: Dagster's makes an engine and a
        connection for every question, some 370 in a demo run (for each asset check event and tagged asset
        event). A table, once there, stays (migrations only add them), so only a missing one is asked again."""
        if table_name not in self._tables:
            if not super().has_table(table_name):
                return False
            self._tables.add(table_name)
        return True

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

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """A batch of one run's asset events (Dagster batches a run's planned events, and each step's
        materializations of a range run, when ``DAGSTER_EVENT_BATCH_SIZE`` is set) in one transaction per database
        file, where Dagster's SQLite storage would store them one by one: two transactions per event, for the
        demo's 24-month run some 700 of them, 2-3 s before its first step (docs/performance.md, Profile 25).
        What is written, and where, is ``store_event``'s; any other batch is stored by it, event by event."""
        if len({e.run_id for e in events}) != 1 or not all(
            e.is_dagster_event and e.dagster_event_type in BATCHED for e in events
        ):
            super().store_event_batch(events)
            return
        statements = [self.prepare_insert_event(e) for e in events]
        with self.run_connection(events[0].run_id) as conn:
            for statement in statements:
                conn.execute(statement)
        assets = [(e, s) for e, s in zip(events, statements, strict=True) if e.dagster_event_type in ASSET_EVENTS]
        if assets:
            with self.index_transaction() as conn:  # mirrored into the index, as store_event does
                ids = []
                for _, statement in assets:
                    with db_result(conn, statement) as result:
                        ids.append(result.inserted_primary_key[0])
                self._store_asset_event_tags(conn, [e for e, _ in assets], ids)
                for (event, _), event_id in zip(assets, ids, strict=True):
                    self._store_asset_event(conn, event, event_id)
        for event, statement in zip(events, statements, strict=True):
            if event.dagster_event_type in ASSET_CHECK_EVENTS:
                with self.index_connection() as conn, db_result(conn, statement) as result:
                    event_id = result.inserted_primary_key[0]
                self.store_asset_check_event(event, event_id)

    def _close_run_engines(self, *, keep: int) -> None:
        """Dispose the run databases' engines (and their connections) but the ``keep`` most recently used."""
        runs = [name for name in self._engines if name != INDEX_SHARD_NAME]
        for name in runs[: max(0, len(runs) - keep)]:
            self._engines.pop(name).dispose()

    def wipe(self) -> None:
        """Dagster's wipe deletes the run databases: close their connections first."""
        self._close_run_engines(keep=0)
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
