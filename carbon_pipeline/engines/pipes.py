"""Spark as an external process launched through Dagster Pipes (CARBON_ENGINE=spark-pipes).

The asset keeps what only the warehouse can do (export the inputs as Parquet, land the results in one
transaction) and hands the Spark part to a Pipes client chosen by CARBON_PIPES_CLIENT
(``carbon_pipeline.engines.pipes_clients``): a subprocess on this host (the default), or this module's
``main`` submitted to EMR Serverless, EMR or Databricks (docs/deployment.md, section 3). The external
process learns what to compute from the Pipes extras, streams its log lines back to the Dagster run, and
reports where it wrote each table as a custom message; nothing but locations crosses the boundary.

The hand-over is a local temporary folder, or with CARBON_PIPES_S3_PREFIX an S3 prefix per run and asset
(``<prefix>/<run_id>/<asset>/inputs|outputs|context|messages``): the asset uploads the inputs, the process
reads them and writes its outputs there, and the asset downloads the outputs before landing them. The
objects stay after the run (for inspection and audit): expire them with a lifecycle rule on the prefix.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from carbon_pipeline.engines.pipes_clients import (
    ENTRY_MODULE,
    PipesLaunch,
    PipesSettings,
    S3Location,
    parse_s3_uri,
    pipes_launch,
    pipes_settings,
    s3_client,
)
from carbon_pipeline.engines.tables import TransformTable
from carbon_pipeline.engines.transpile import flat_name
from carbon_pipeline.engines.warehouse import SparkWarehouseEngine

__all__ = ["ENTRY_MODULE", "PipesSparkWarehouseEngine", "main", "pipes_spec"]


def pipes_spec(
    targets: Sequence[TransformTable],
    inputs: Mapping[str, Path | str],
    columns: Mapping[str, Sequence[tuple[str, str]]],
    out_dir: Path | str,
    start: date,
    end: date,
    params: Mapping[str, Any],
    master: str | None,
    *,
    s3_io: str | None = None,
    cluster: bool = False,
) -> dict[str, Any]:
    """The JSON the external process receives as its only input. ``inputs`` and ``out_dir`` are local
    paths or s3:// URIs; ``s3_io`` says who moves s3:// data (``boto3``: the process copies it to and
    from a local folder; ``spark``: Spark reads and writes s3:// itself, as EMR and Databricks can);
    ``cluster``: the process was started by spark-submit and keeps the cluster's master."""
    return {
        "targets": [[t.table, list(t.models)] for t in targets],
        "inputs": {table: str(path) for table, path in inputs.items()},
        "columns": {table: [list(c) for c in cols] for table, cols in columns.items()},
        "out_dir": str(out_dir),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "params": dict(params),
        "master": master,
        "s3_io": s3_io,
        "cluster": cluster,
    }


def upload_file(s3: Any, path: Path, where: S3Location, name: str) -> str:
    s3.upload_file(str(path), where.bucket, where.key(name))
    return where.uri(name)


def parquet_keys(s3: Any, where: S3Location) -> list[str]:
    """The Parquet part files under ``where`` (Spark also writes _SUCCESS and .crc files: not data)."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=where.bucket, Prefix=where.key() + "/"):
        keys += [item["Key"] for item in page.get("Contents", []) if item["Key"].endswith(".parquet")]
    return sorted(keys)


def download_parquet(s3: Any, uri: str, directory: Path) -> Path:
    """Copy ``uri`` (one object, or a folder of part files) into ``directory``; nothing there is an error
    naming the URI."""
    where = parse_s3_uri(uri, "a Pipes hand-over location")
    directory.mkdir(parents=True, exist_ok=True)
    keys = parquet_keys(s3, where)
    if not keys and uri.endswith(".parquet"):
        target = directory / uri.rsplit("/", 1)[-1]
        s3.download_file(where.bucket, where.key(), str(target))
        return target
    if not keys:
        raise RuntimeError(f"no Parquet files under {uri}")
    for key in keys:
        s3.download_file(where.bucket, key, str(directory / key.rsplit("/", 1)[-1]))
    return directory


def upload_parquet_dir(s3: Any, directory: Path, uri: str) -> str:
    """Upload the Parquet part files of a Spark output folder under ``uri``."""
    where = parse_s3_uri(uri, "a Pipes hand-over location")
    files = sorted(p for p in directory.rglob("*.parquet") if p.is_file())
    if not files:
        raise RuntimeError(f"Spark wrote no Parquet files in {directory}")
    for path in files:
        upload_file(s3, path, where, path.relative_to(directory).as_posix())
    return uri


class _Uri(str):
    """An s3:// URI where SparkEngine expects a Path (it only joins names on and turns it into text):
    pathlib would collapse ``s3://`` to ``s3:/``."""

    def __truediv__(self, name: str) -> _Uri:
        return _Uri(f"{self.rstrip('/')}/{name}")


class PipesSparkWarehouseEngine(SparkWarehouseEngine):
    """SparkWarehouseEngine whose Spark session lives in a process Dagster launched through Pipes."""

    name = "spark-pipes"

    def __init__(
        self,
        context: dg.AssetExecutionContext,
        client: dg.PipesClient | None = None,
        master: str | None = None,
        work_dir: Path | None = None,
        settings: PipesSettings | None = None,
        s3: Any = None,
    ) -> None:
        """``settings`` default to the environment's, read now so that a missing variable fails before any
        export; a ``client`` given here replaces the configured one and runs this module as a command."""
        super().__init__(master=master, work_dir=work_dir)
        self.context = context
        self.settings = settings if settings is not None else pipes_settings()
        self.client = client
        self.s3 = s3

    def _handover_key(self, targets: Sequence[TransformTable]) -> str:
        """``<run_id>/<asset>``: one place per asset of a run."""
        try:
            asset = self.context.asset_key.to_python_identifier()
        except Exception:  # no single asset (an op, or a multi-asset): name the tables instead
            asset = "+".join(flat_name(t.table) for t in targets)
        return f"{self.context.run_id}/{asset}"

    def launch(self, key: str, s3: Any = None) -> PipesLaunch:
        if self.client is not None:
            return PipesLaunch("given", self.client, {"command": [sys.executable, "-m", ENTRY_MODULE]})
        return pipes_launch(self.settings, key_prefix=key, s3=s3)

    def _materialise(
        self,
        targets: Sequence[TransformTable],
        inputs: Mapping[str, Path],
        columns: Mapping[str, Sequence[tuple[str, str]]],
        out_dir: Path,
        start: date,
        end: date,
        params: Mapping[str, Any],
    ) -> dict[str, Path]:
        key = self._handover_key(targets)
        master = None if self.settings.remote else self.master
        s3 = None
        if self.settings.s3 is None:
            spec = pipes_spec(targets, inputs, columns, out_dir, start, end, params, master)
        else:
            s3 = self.s3 or s3_client(self.settings)
            where = self.settings.s3.child(key)
            sent = {table: upload_file(s3, path, where.child("inputs"), path.name) for table, path in inputs.items()}
            self.context.log.info(f"Pipes hand-over: {len(sent)} input table(s) uploaded to {where.uri('inputs')}")
            spec = pipes_spec(
                targets, sent, columns, where.uri("outputs"), start, end, params, master,
                s3_io=self.settings.s3_io, cluster=self.settings.remote,
            )
        launch = self.launch(key, s3)
        self.context.log.info(f"Pipes client {launch.client_name}: Spark for {', '.join(t.table for t in targets)}")
        invocation = launch.run(self.context, {"spec": spec})
        reports = [m for m in invocation.get_custom_messages() if isinstance(m, dict) and "outputs" in m]
        if not reports:
            raise RuntimeError(
                f"the Pipes Spark process ({launch.client_name}) ended without reporting its outputs for "
                f"{', '.join(t.table for t in targets)}"
            )
        reported: dict[str, str] = reports[-1]["outputs"]
        missing = [t.table for t in targets if t.table not in reported]
        if missing:
            raise RuntimeError(f"the Pipes Spark process did not write {', '.join(missing)}")
        if s3 is None:
            return {table: Path(path) for table, path in reported.items()}
        expected = spec["out_dir"] + "/"
        outputs: dict[str, Path] = {}
        for target in targets:
            uri = reported[target.table]
            if not uri.startswith(expected):
                raise RuntimeError(f"the Pipes Spark process reported {target.table} at {uri}, outside {expected}")
            outputs[target.table] = download_parquet(s3, uri, out_dir / flat_name(target.table))
        return outputs


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
    log.info(f"Spark ({spec['master'] or ('cluster' if spec.get('cluster') else 'local')}): "
             f"{', '.join(t.table for t in targets)}")
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
