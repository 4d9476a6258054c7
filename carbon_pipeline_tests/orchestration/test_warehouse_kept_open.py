"""A run keeps the warehouse open from its first step to its last (warehouse.connection.kept_open, set up by the
WarehouseResource): its steps' connections share one database, each step checkpoints what it wrote, the
serving publish can still attach the file, and at the run's end the file is let go."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.resources import WarehouseResource
from carbon_pipeline.warehouse import connection
from carbon_pipeline.warehouse.connection import kept_open, released, warehouse_connection


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def test_the_connections_of_a_kept_warehouse_share_one_database_and_each_step_checkpoints_what_it_wrote(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with kept_open(path):
        with warehouse_connection(path) as step:
            step.execute("CREATE TABLE main.t AS SELECT range AS x FROM range(1000)")
            # a check's connection beside it: the same database (a read-only open of the file beside a
            # read-write one is refused within one process)
            with warehouse_connection(path, read_only=True) as check:
                assert check.execute("SELECT COUNT(*) FROM main.t").fetchall() == [(1000,)]
        # what the step wrote is checkpointed into the file, not left in memory for the next steps
        assert not wal(path).exists()
        with released(path):
            # what the serving publish does: attach the file from a database of its own
            publish = duckdb.connect()
            publish.execute("ATTACH ? AS wh (READ_ONLY)", [str(path)])
            assert publish.execute("SELECT COUNT(*) FROM wh.main.t").fetchall() == [(1000,)]
            publish.close()
        with warehouse_connection(path) as step:  # kept again after the publish
            step.execute("INSERT INTO main.t VALUES (1000)")
        assert connection._kept(path) is not None
    assert connection._kept(path) is None
    other = duckdb.connect(str(path), read_only=True)  # let go: any process may open it now
    assert other.execute("SELECT COUNT(*) FROM main.t").fetchall() == [(1001,)]
    other.close()


def test_a_run_keeps_the_warehouse_open_and_lets_it_go_at_its_end(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    seen: dict[str, object] = {}

    @dg.asset
    def probe(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as step, warehouse.connect(read_only=True) as check:
            step.execute("CREATE TABLE main.t AS SELECT 1 AS x")
            seen["shared"] = check.execute("SELECT x FROM main.t").fetchall()
        seen["kept"] = connection._kept(path) is not None

    result = dg.materialize([probe], resources={"warehouse": WarehouseResource(path=str(path))})
    assert result.success
    assert seen == {"shared": [(1,)], "kept": True}
    assert connection._kept(path) is None
    duckdb.connect(str(path), read_only=True).close()


def test_a_failed_run_lets_the_warehouse_go_with_what_it_committed(tmp_path):
    path = tmp_path / "warehouse.duckdb"

    @dg.asset
    def fails_after_committing(warehouse: WarehouseResource) -> None:
        with warehouse.connect() as con:
            con.execute("CREATE TABLE main.t AS SELECT 1 AS x")
        with warehouse.connect() as con, connection.transaction(con):
            con.execute("INSERT INTO main.t VALUES (2)")
            raise RuntimeError("the step fails inside its transaction")

    result = dg.materialize(
        [fails_after_committing], resources={"warehouse": WarehouseResource(path=str(path))}, raise_on_error=False
    )
    assert not result.success and connection._kept(path) is None
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT x FROM main.t").fetchall() == [(1,)]
    con.close()
