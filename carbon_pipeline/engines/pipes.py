"""Spark as an external process launched through Dagster Pipes (CARBON_ENGINE=spark-pipes).

The asset keeps what only the warehouse can do (export the inputs as Parquet, land the results in one
transaction) and hands the Spark part to a Pipes client: locally a subprocess
(``PipesSubprocessClient``), on a cluster the same entry point submitted by ``PipesEMRClient``,
``PipesEMRServerlessClient`` or ``PipesDatabricksClient`` (docs/deployment.md, section 3). The external
process learns what to compute from the Pipes extras, streams its log lines back to the Dagster run, and
reports where it wrote each table as a custom message; nothing but file paths crosses the boundary.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from carbon_pipeline.engines import SparkWarehouseEngine
from carbon_pipeline.engines.tables import TransformTable

ENTRY_MODULE = "carbon_pipeline.engines.pipes"


def pipes_spec(
    targets: Sequence[TransformTable],
    inputs: Mapping[str, Path],
    columns: Mapping[str, Sequence[tuple[str, str]]],
    out_dir: Path,
    start: date,
    end: date,
    params: Mapping[str, Any],
    master: str | None,
) -> dict[str, Any]:
    """The JSON the external process receives as its only input."""
    return {
        "targets": [[t.table, list(t.models)] for t in targets],
        "inputs": {table: str(path) for table, path in inputs.items()},
        "columns": {table: [list(c) for c in cols] for table, cols in columns.items()},
        "out_dir": str(out_dir),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "params": dict(params),
        "master": master,
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
    ) -> None:
        super().__init__(master=master, work_dir=work_dir)
        self.context = context
        self.client = client or dg.PipesSubprocessClient()

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
        spec = pipes_spec(targets, inputs, columns, out_dir, start, end, params, self.master)
        invocation = self.client.run(
            context=self.context, command=[sys.executable, "-m", ENTRY_MODULE], extras={"spec": spec}
        )
        reports = [m for m in invocation.get_custom_messages() if isinstance(m, dict) and "outputs" in m]
        if not reports:
            raise RuntimeError("the Pipes Spark process ended without reporting its outputs")
        outputs = {table: Path(path) for table, path in reports[-1]["outputs"].items()}
        missing = [t.table for t in targets if t.table not in outputs]
        if missing:
            raise RuntimeError(f"the Pipes Spark process did not write {', '.join(missing)}")
        return outputs


def main() -> None:
    """The external process: everything it needs comes from the Pipes extras."""
    from dagster_pipes import open_dagster_pipes

    from carbon_pipeline.engines.spark_engine import SparkEngine, spark_session

    with open_dagster_pipes() as pipes:
        spec = pipes.get_extra("spec")
        targets = [TransformTable(table, tuple(models)) for table, models in spec["targets"]]
        pipes.log.info(f"Spark ({spec['master'] or 'local'}): {', '.join(t.table for t in targets)}")
        outputs = SparkEngine(spark_session(spec["master"])).materialise(
            targets,
            {table: Path(path) for table, path in spec["inputs"].items()},
            {table: [tuple(c) for c in cols] for table, cols in spec["columns"].items()},
            Path(spec["out_dir"]),
            date.fromisoformat(spec["start"]),
            date.fromisoformat(spec["end"]),
            spec["params"],
        )
        pipes.report_custom_message({"outputs": {table: str(path) for table, path in outputs.items()}})


if __name__ == "__main__":
    main()
