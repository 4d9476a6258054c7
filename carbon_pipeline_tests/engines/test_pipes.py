"""CARBON_ENGINE=spark-pipes: the transform assets hand their Spark work to an external process launched
through Dagster Pipes (a subprocess here; EMR or Databricks in a cluster deployment) and land what it
wrote; the marts equal DuckDB's, and the external process's log lines reach the Dagster run."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest

pytest.importorskip("pyspark")

from carbon_pipeline.engines import engine_for  # noqa: E402
from carbon_pipeline.runner import failure_messages  # noqa: E402
from carbon_pipeline_tests.conftest import make_deployment  # noqa: E402
from carbon_pipeline_tests.engines.test_spark import assert_same_marts  # noqa: E402

pytestmark = pytest.mark.spark


def test_spark_pipes_needs_the_assets_context():
    with pytest.raises(ValueError, match="spark-pipes runs inside a Dagster asset"):
        engine_for("spark-pipes")


def test_with_carbon_engine_spark_pipes_the_external_process_computes_the_marts(built, tmp_path, demo_files):
    month = date(2025, 2, 1)
    deployment = make_deployment(tmp_path / "pipes-deployment", demo_files, engine="spark-pipes")
    with dg.DagsterInstance.ephemeral() as instance:
        result = deployment.run(month, month, instance=instance)
        assert result.success, failure_messages(result)
        messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    # written by the external process (carbon_pipeline.engines.pipes.main) and streamed back over Pipes
    spark_lines = [m for m in messages if m.startswith("Spark (")]
    assert any("marts.scope_summary" in m for m in spark_lines), spark_lines
    assert any("ledger.activity" in m for m in spark_lines), spark_lines
    window = "WHERE period_month = DATE '2025-02-01'"
    assert_same_marts(built.settings.warehouse, deployment.settings.warehouse, window)
