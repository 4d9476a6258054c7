"""The serving file: published whole and atomically; a BI process holding it open never blocks the
pipeline and keeps a consistent snapshot."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import duckdb

from carbon_pipeline.runner import failure_messages

READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    first = con.execute("SELECT COUNT(*), SUM(tco2e) FROM marts.scope_summary").fetchall()[0]
    print("open", first, flush=True)
    sys.stdin.readline()  # hold the file open until told to look again
    again = con.execute("SELECT COUNT(*), SUM(tco2e) FROM marts.scope_summary").fetchall()[0]
    print("again", again, flush=True)
    """
)


def test_a_bi_process_holding_the_serving_file_neither_blocks_a_run_nor_sees_a_half_published_state(fresh):
    assert fresh.run(date(2024, 1, 1), date(2024, 6, 1)).success
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(fresh.settings.serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        opened = reader.stdout.readline()
        assert opened.startswith("open")
        result = fresh.run(date(2024, 1, 1), date(2025, 12, 1))
        assert result.success, failure_messages(result)
        # not blocked: the run finished while the BI process still holds the file open (it waits for a line
        # on stdin). No deadline: publishing never waits for a lock, and a loaded machine is just slower.
        assert reader.poll() is None
        reader.stdin.write("\n")
        reader.stdin.flush()
        again = reader.stdout.readline()
    finally:
        reader.kill()
        reader.wait()
    # the held connection still sees its snapshot: 6 months' rows, unchanged
    assert again.replace("again", "open") == opened
    con = duckdb.connect(str(fresh.settings.serving), read_only=True)
    try:
        months = con.execute("SELECT COUNT(DISTINCT period_month) FROM marts.scope_summary").fetchall()[0][0]
    finally:
        con.close()
    assert months == 24


def test_the_serving_file_carries_the_data_dictionary_and_the_audit_tables(built):
    comments = dict(
        built.query("SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'", serving=True)
    )
    assert set(comments) == {
        "scope_summary",
        "cloud_emissions",
        "cloud_reconciliation",
        "scope_summary_uncertainty",  # issue 17
        "cloud_reconciliation_uncertainty",
        "uncertainty_ranges",  # every monthly range, computed once (issue 17)
        "uncertainty_by_year",  # each year's totals with their range, computed by the publish
        "intensity_denominators",  # issue 15: built at publish from the sources file
        "intensity_metrics",
        "emissions_by_gas",
    }
    assert all(comments.values())
    tables = {r[0] for r in built.query("SELECT schema_name || '.' || table_name FROM duckdb_tables()", serving=True)}
    assert {
        "ledger.activity",
        "emissions.activity_emissions",
        "factors.emission_factors",
        "audit.restatements",
    } <= tables


def test_no_half_built_file_is_left_beside_the_serving_file(built):
    leftovers = [p.name for p in built.settings.serving.parent.iterdir() if p.name.endswith(".building")]
    assert leftovers == []


def test_the_publish_and_the_readers_of_the_serving_file_run_under_the_memory_limit(built, tmp_path, monkeypatch):
    """Most served tables are copied in a fixed order, a sort: sorting them all on a 100M-line-item month took
    7.9 GB with DuckDB's default limit (80 % of the machine). The publish, and the checks and reports that read
    the serving file, use CARBON_DUCKDB_MEMORY_LIMIT like the warehouse (and spill beside their file)."""
    from carbon_pipeline.serving.publish import publish_serving
    from carbon_pipeline.warehouse.connection import open_read_only

    monkeypatch.setenv("CARBON_DUCKDB_MEMORY_LIMIT", "200MB")
    expected = duckdb.connect(config={"memory_limit": "200MB"}).execute("SELECT current_setting('memory_limit')")
    expected = expected.fetchone()[0]
    limits = []
    connect = duckdb.connect

    def recording_connect(*args, **kwargs):
        con = connect(*args, **kwargs)
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return con

    monkeypatch.setattr(duckdb, "connect", recording_connect)
    serving = tmp_path / "serving.duckdb"
    publish_serving(built.settings.warehouse, serving)
    open_read_only(serving).close()
    assert limits == [expected, expected]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith((".building", ".building.tmp"))]
