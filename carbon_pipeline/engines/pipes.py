"""Spark as an external process launched through Dagster Pipes (CARBON_ENGINE=spark-pipes).

The asset keeps what only the warehouse can do (export the inputs as Parquet, land the results in one
transaction) and hands the Spark part to a Pipes client chosen by CARBON_PIPES_CLIENT
(``carbon_pipeline.engines.pipes_clients``): a subprocess on this host (the default), or the external
process's ``main`` (``carbon_pipeline.engines.pipes_process``, which imports no Dagster) submitted to EMR
Serverless, EMR or Databricks (docs/deployment.md, section 3). The external process learns what to compute
from the Pipes extras, streams its log lines back to the Dagster run, and reports where it wrote each table
as a custom message; nothing but locations crosses the boundary.

The hand-over is a local temporary folder, or with CARBON_PIPES_S3_PREFIX an S3 prefix per run and asset
(``<prefix>/<run_id>/<asset>/inputs|outputs|context|messages``): the asset uploads the inputs, the process
reads them and writes its outputs there, and the asset downloads the outputs before landing them. The
objects stay after the run (for inspection and audit): expire them with a lifecycle rule on the prefix.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from carbon_pipeline.engines.pipes_clients import ENTRY_MODULE, PipesLaunch, PipesSettings, pipes_launch, pipes_settings
from carbon_pipeline.engines.pipes_handover import download_parquet, s3_client, upload_file
from carbon_pipeline.engines.tables import TransformTable
from carbon_pipeline.engines.transpile import flat_name
from carbon_pipeline.engines.warehouse import SparkWarehouseEngine

__all__ = ["ENTRY_MODULE", "PipesSparkWarehouseEngine", "pipes_spec"]


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
            s3 = self.s3 or s3_client(self.settings.get("CARBON_PIPES_REGION"))
            where = self.settings.s3.child(key)
            sent = {table: upload_file(s3, path, where.child("inputs"), path.name) for table, path in inputs.items()}
            self.context.log.info(f"Pipes hand-over: {len(sent)} input table(s) uploaded to {where.uri('inputs')}")
            spec = pipes_spec(
                targets,
                sent,
                columns,
                where.uri("outputs"),
                start,
                end,
                params,
                master,
                s3_io=self.settings.s3_io,
                cluster=self.settings.remote,
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
