"""Publishing the serving file: build a complete copy beside it, then swap it in with os.replace.

DuckDB allows one writer OR many readers per file, so BI tools never open the pipeline's warehouse.
The swap is atomic on POSIX: a reader that already has the old file open keeps its snapshot (the
inode stays alive until it closes), a new reader sees the new file whole, and nothing ever sees a
half-built one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from carbon_pipeline.warehouse.sql_models import model_sql

SERVED_TABLES = (
    ("marts", "scope_summary"),
    ("marts", "cloud_emissions"),
    ("marts", "cloud_reconciliation"),
    ("ledger", "activity"),
    ("ledger", "provider_emissions"),
    ("emissions", "activity_emissions"),
    ("factors", "emission_factors"),
    ("factors", "aws_region_grid"),
    ("raw", "deliveries"),
    ("audit", "restatements"),
)


def publish_serving(warehouse: Path, serving: Path) -> dict[str, int]:
    """Copy the served tables (rows in a fixed order, so equal data gives equal files' contents)."""
    serving.parent.mkdir(parents=True, exist_ok=True)
    staging = serving.with_name(f".{serving.name}.{os.getpid()}.building")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(staging))
    try:
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
        for schema, table in SERVED_TABLES:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            con.execute(f"CREATE TABLE {schema}.{table} AS SELECT * FROM wh.{schema}.{table} ORDER BY ALL")
            counts[f"{schema}.{table}"] = con.execute(f"SELECT COUNT(*) FROM {schema}.{table}").fetchall()[0][0]
        con.execute(model_sql("serving/data_dictionary"))
        con.execute("DETACH wh")
        con.execute("CHECKPOINT")
    except BaseException:
        con.close()
        staging.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(staging, serving)
    return counts
