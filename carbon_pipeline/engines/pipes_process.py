"""The external process of CARBON_ENGINE=spark-pipes: what Dagster Pipes launches (``python -m
carbon_pipeline.engines.pipes_process`` on this host, or ``main`` from a two-line entry point on EMR or
Databricks). It reads its spec from the Pipes extras, runs the transforms on Spark and reports where it wrote
each table; the Dagster side is ``carbon_pipeline.engines.pipes``.

It imports dagster-pipes, pyspark and boto3, not Dagster: a Spark asset's process starts about 1.8 s sooner,
and a cluster's environment needs no Dagster import to work (a test holds this).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from carbon_pipeline.engines.pipes_handover import download_parquet, s3_client, upload_parquet_dir
from carbon_pipeline.engines.tables import TransformTable
from carbon_pipeline.engines.transpile import flat_name

__all__ = ["main", "run_spec"]


class _Uri(str):
    """An s3:// URI where SparkEngine expects a Path (it only joins names on and turns it into text):
    pathlib would collapse ``s3://`` to ``s3:/``."""

    def __truediv__(self, name: str) -> _Uri:
        return _Uri(f"{self.rstrip('/')}/{name}")


def _session(spec: Mapping[str, Any]) -> Any:
    """The Spark session: on a cluster, spark-submit's (its master, resources and s3:// access), with the
    project's SQL settings on top; otherwise a local one as CARBON_ENGINE=spark makes."""
    from carbon_pipeline.engines.spark_engine import spark_session

    if not spec.get("cluster"):
        return spark_session(spec["master"])
    from pyspark.sql import SparkSession

    SparkSession.builder.appName("carbon_pipeline").getOrCreate()  # before spark_session: keep the cluster master
    session = spark_session(None)
    session.conf.unset("spark.sql.shuffle.partitions")  # the cluster's default, not the local mode's 2
    return session


def run_spec(spec: Mapping[str, Any], log: Any) -> dict[str, str]:
    """Compute the spec's targets; returns where each was written (paths or s3:// URIs, like the spec)."""
    from carbon_pipeline.engines.spark_engine import SparkEngine

    targets = [TransformTable(table, tuple(models)) for table, models in spec["targets"]]
    columns = {table: [tuple(c) for c in cols] for table, cols in spec["columns"].items()}
    window = (date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"]), spec["params"])
    remote = str(spec["out_dir"]).startswith("s3://")
    log.info(
        f"Spark ({spec['master'] or ('cluster' if spec.get('cluster') else 'local')}): "
        f"{', '.join(t.table for t in targets)}"
    )
    engine = SparkEngine(_session(spec))
    if not remote:
        inputs = {table: Path(path) for table, path in spec["inputs"].items()}
        written = engine.materialise(targets, inputs, columns, Path(spec["out_dir"]), *window)
        return {table: str(path) for table, path in written.items()}
    if spec.get("s3_io") == "spark":
        inputs = {table: _Uri(uri) for table, uri in spec["inputs"].items()}
        written = engine.materialise(targets, inputs, columns, _Uri(spec["out_dir"]), *window)  # type: ignore[arg-type]
        return {table: str(uri) for table, uri in written.items()}
    s3 = s3_client()
    with tempfile.TemporaryDirectory(prefix="carbon-pipes-") as tmp:
        local = Path(tmp)
        inputs = {
            table: download_parquet(s3, uri, local / "inputs" / flat_name(table))
            for table, uri in spec["inputs"].items()
        }
        log.info(f"read {len(inputs)} input table(s) from S3 with boto3")
        written = engine.materialise(targets, inputs, columns, local / "outputs", *window)
        return {
            table: upload_parquet_dir(s3, path, f"{spec['out_dir']}/{flat_name(table)}")
            for table, path in written.items()
        }


def main() -> None:
    """The external process: everything it needs comes from the Pipes extras. The bootstrap parameters
    arrive as environment variables (subprocess, EMR Serverless, EMR configurations) or as
    ``--dagster-pipes-*`` arguments (an EMR step); when they name a bucket, the context is read from and the
    messages written to S3."""
    from dagster_pipes import (
        PipesCliArgsParamsLoader,
        PipesEnvVarParamsLoader,
        PipesS3ContextLoader,
        PipesS3MessageWriter,
        open_dagster_pipes,
    )

    cli = PipesCliArgsParamsLoader()
    params_loader = cli if cli.is_dagster_pipes_process() else PipesEnvVarParamsLoader()
    context_loader = message_writer = None
    context_at = None
    if params_loader.is_dagster_pipes_process():
        context_params = params_loader.load_context_params()
        if "bucket" in context_params:
            context_loader = PipesS3ContextLoader(s3_client())
            context_at = f"s3://{context_params['bucket']}/{context_params['key']}"
        if "bucket" in params_loader.load_messages_params():
            message_writer = PipesS3MessageWriter(s3_client(), interval=1)
    with open_dagster_pipes(
        context_loader=context_loader, message_writer=message_writer, params_loader=params_loader
    ) as pipes:
        if context_at:
            pipes.log.info(f"Pipes context read from {context_at}")
        outputs = run_spec(pipes.get_extra("spec"), pipes.log)
        pipes.report_custom_message({"outputs": outputs})


if __name__ == "__main__":
    main()
