"""Class 7 of issue 13: leftovers from a crash are cleaned by the next run. A killed publish leaves its
``.building`` copy, Parquet folder and symlink named by its process id; the next publish removes those of
dead processes and never those of a live one."""

from __future__ import annotations

import os

import duckdb

from carbon_pipeline.serving.publish import publish_serving
from carbon_pipeline.warehouse.connection import open_warehouse


def dead_pid() -> int:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_the_next_publish_removes_what_a_killed_publish_left_and_keeps_a_live_processs_files(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    open_warehouse(warehouse).close()
    serving = tmp_path / "out" / "serving.duckdb"
    serving.parent.mkdir()
    dead = dead_pid()
    left = [
        serving.parent / f".serving.duckdb.{dead}.building",
        serving.parent / f".serving.duckdb.{dead}.building.wal",
    ]
    for path in left:
        path.write_bytes(b"half a database")
    (serving.parent / f".parquet.{dead}.building").mkdir()
    (serving.parent / f".parquet.{dead}.building" / "marts.scope_summary.parquet").write_bytes(b"half")
    (serving.parent / f".parquet.{dead}.link").symlink_to("nowhere")
    alive = serving.parent / f".serving.duckdb.{os.getppid()}.building"  # our parent runs: never touched
    alive.write_bytes(b"someone else's work")
    unrelated = serving.parent / "notes.building"
    unrelated.write_text("not ours")

    publish_serving(warehouse, serving)

    remaining = sorted(p.name for p in serving.parent.iterdir())
    # the pid as a name's own dot-delimited part, as the publish names its files: as a bare substring it can also
    # occur in the digits of the published Parquet version (.parquet-<time_ns>), which failed this test once
    assert not [name for name in remaining if f".{dead}." in name], remaining
    assert alive.read_bytes() == b"someone else's work" and unrelated.exists()
    duckdb.connect(str(serving), read_only=True).execute("SELECT COUNT(*) FROM marts.scope_summary").fetchall()
