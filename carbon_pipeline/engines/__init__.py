"""Where the transform stages (ledger -> emissions -> marts) run: DuckDB, inside the warehouse (the default),
or Apache Spark over Parquet hand-overs (CARBON_ENGINE=spark, docs/spark.md), in this process or launched through
Dagster Pipes (spark-pipes). The engines themselves are in warehouse.py (and pipes.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from carbon_pipeline.engines.tables import TransformTable, transform_tables
from carbon_pipeline.engines.warehouse import DuckDBEngine, Engine, SparkWarehouseEngine

ENGINES = ("duckdb", "spark", "spark-pipes")


def engine_for(
    name: str,
    *,
    spark_master: str | None = None,
    work_dir: Path | None = None,
    context: Any = None,
) -> Engine:
    """The engine named ``name`` (the deployment's CARBON_ENGINE, read once into its settings: the Dagster
    assets get it from their ``engine`` resource, the CLI from its flag or the settings; nothing here reads the
    environment); an unknown name is an error that names the setting. ``spark-pipes`` launches Spark as an
    external process through Dagster Pipes and so needs the asset's ``context``."""
    chosen = name.strip().lower()
    if chosen == "duckdb":
        return DuckDBEngine()
    if chosen == "spark":
        return SparkWarehouseEngine(master=spark_master, work_dir=work_dir)
    if chosen == "spark-pipes":
        from carbon_pipeline.engines.pipes import PipesSparkWarehouseEngine

        if context is None:
            raise ValueError("CARBON_ENGINE=spark-pipes runs inside a Dagster asset: no execution context was given")
        return PipesSparkWarehouseEngine(context, master=spark_master, work_dir=work_dir)
    raise ValueError(f"CARBON_ENGINE={chosen!r} is not an engine: one of {', '.join(ENGINES)}")


__all__ = [
    "ENGINES",
    "DuckDBEngine",
    "Engine",
    "SparkWarehouseEngine",
    "TransformTable",
    "engine_for",
    "transform_tables",
]
