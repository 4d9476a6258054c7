"""CARBON_ENGINE=spark-pipes: the transform assets hand their Spark work to an external process launched
through Dagster Pipes (a subprocess here; EMR or Databricks in a cluster deployment) and land what it
wrote; the marts equal DuckDB's, and the external process's log lines reach the Dagster run."""

from __future__ import annotations

import dataclasses
from datetime import date

import dagster as dg
import duckdb
import pytest

pytest.importorskip("pyspark")

from carbon_pipeline.engines import engine_for  # noqa: E402
from carbon_pipeline.runner import failure_messages  # noqa: E402
from carbon_pipeline_tests.conftest import materialize_assets  # noqa: E402
from carbon_pipeline_tests.engines.test_spark import assert_same_marts  # noqa: E402

pytestmark = pytest.mark.spark


def test_spark_pipes_needs_the_assets_context():
    with pytest.raises(ValueError, match="spark-pipes runs inside a Dagster asset"):
        engine_for("spark-pipes")


def test_with_carbon_engine_spark_pipes_the_external_process_computes_the_asset_it_is_given(
    built_copy, built, monkeypatch
):
    """The local hand-over (Parquet in a temporary folder, messages on the subprocess's pipes) on one
    transform asset: the month's mart is first doctored, so only the external process's result can make it
    equal DuckDB's again. The S3 hand-over of three transform assets in one run is engines/test_pipes_remote.py's
    (one JVM per asset), which also holds that every transform asset reaches the engine the same way."""
    monkeypatch.delenv("CARBON_PIPES_S3_PREFIX", raising=False)
    monkeypatch.delenv("CARBON_PIPES_CLIENT", raising=False)
    month = date(2025, 2, 1)
    window = "WHERE period_month = DATE '2025-02-01'"
    con = duckdb.connect(str(built_copy.settings.warehouse))
    try:
        con.execute(f"UPDATE marts.scope_summary SET tco2e = tco2e * 2 {window}")
    finally:
        con.close()
    with pytest.raises(AssertionError):  # the doctored copy differs: the comparison below can fail
        assert_same_marts(built.settings.warehouse, built_copy.settings.warehouse, window)

    with dg.DagsterInstance.ephemeral() as instance:
        settings = dataclasses.replace(built_copy.settings, engine="spark-pipes")
        result = materialize_assets(settings, ["marts/scope_summary"], month, month, instance=instance)
        assert result.success, failure_messages(result)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    # written by the external process (carbon_pipeline.engines.pipes_process.main) and streamed back over Pipes
    assert any(m.startswith("Pipes client subprocess") and "marts.scope_summary" in m for m in messages), messages
    spark_lines = [m for m in messages if m.startswith("Spark (")]
    assert any("marts.scope_summary" in m for m in spark_lines), spark_lines
    assert_same_marts(built.settings.warehouse, built_copy.settings.warehouse, window)


def test_the_external_process_starts_without_importing_dagster():
    """The process Pipes launches for every Spark asset needs dagster-pipes, not Dagster (whose import is
    about 1.8 s of each asset's start, and which a cluster's environment should not have to load)."""
    import subprocess
    import sys

    probe = (
        "import sys, carbon_pipeline.engines.pipes_process as p; "
        "print(sorted(m for m in sys.modules if m == 'dagster' or m.startswith(('dagster.', 'dagster_aws'))))"
    )
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert found.strip() == "[]"
