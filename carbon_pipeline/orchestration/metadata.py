"""Materialization metadata: row counts and small tables a person can read in the UI, and the definition
metadata of table assets (column schema, table name, code references) built from the same sources as the
data dictionary."""

import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.lineage import column_lineage
from carbon_pipeline.orchestration.partitions import month_of
from carbon_pipeline.warehouse.connection import schema_files
from carbon_pipeline.warehouse.sql_models import model_sql, sql_root


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dg.MetadataValue:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))


# Who answers for every asset of this code location (Dagster shows owners in the catalog and asset pages).
OWNERS = ["team:carbon-data"]


@cache
def _catalog() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """table -> (table comment, [(column, type, comment)]) for every table the warehouse schema creates, with the
    comments of the serving file (dbt_like_sql/serving/data_dictionary.sql): the same text the data dictionary
    page and BI tools show, so the Dagster catalog cannot say something else. Built once per process in an
    in-memory DuckDB from the schema files (a few hundred DDL statements, ~0.1 s)."""
    con = duckdb.connect(":memory:")
    try:
        for _, text in schema_files():
            con.execute(text)
        con.execute(model_sql("serving/data_dictionary"))
        tables = {
            f"{schema}.{name}": (comment or "", [])
            for schema, name, comment in con.execute(
                "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE NOT internal"
            ).fetchall()
        }
        for schema, name, column, data_type, comment in con.execute(
            """SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns()
               WHERE NOT internal ORDER BY schema_name, table_name, column_index"""
        ).fetchall():
            if f"{schema}.{name}" in tables:
                tables[f"{schema}.{name}"][1].append((column, data_type, comment or ""))
        return tables
    finally:
        con.close()


def column_schema(table: str) -> dg.TableSchema:
    """The columns of warehouse table ``schema.table`` with their types and data-dictionary comments."""
    _, columns = _catalog()[table]
    return dg.TableSchema(
        columns=[dg.TableColumn(name, data_type, description=comment or None) for name, data_type, comment in columns]
    )


def code_references(paths: Sequence[str]) -> dg.CodeReferencesMetadataValue:
    """Links from the asset to the files that define its rows (``dbt_like_sql/...`` or ``carbon_pipeline/...``,
    relative to the repository root), so the UI opens the SQL a table is built from."""
    root = sql_root().parent
    with warnings.catch_warnings():  # beta in 1.13, used on purpose: the UI links each asset to its SQL
        warnings.simplefilter("ignore", dg.BetaWarning)
        return dg.CodeReferencesMetadataValue(
            code_references=[dg.LocalFileCodeReference(file_path=str(root / p), line_number=1, label=p) for p in paths]
        )


def table_metadata(table: str, files: Sequence[str]) -> dict[str, Any]:
    """Definition metadata of an asset that is one warehouse table: the standard keys the Dagster UI and
    catalogues read (table name, column schema, code references), and the column lineage of its
    plain-projection columns where the table is a transform's (orchestration/lineage.py)."""
    metadata: dict[str, Any] = {
        "dagster/table_name": table,
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(table)),
        "dagster/code_references": code_references(files),
    }
    lineage = column_lineage(table)
    if lineage is not None:
        metadata["dagster/column_lineage"] = dg.MetadataValue.column_lineage(lineage)
    return metadata


def month_row_counts(
    con: duckdb.DuckDBPyConnection, sql: str, start: date, end: date, params: Sequence[Any] = ()
) -> dict[date, int]:
    """{month: rows} from ``sql``, a query returning (period_month, count) with ``?`` for start and end first."""
    return {month: int(rows or 0) for month, rows in con.execute(sql, [start, end, *params]).fetchall()}


def add_partition_row_counts(context: dg.AssetExecutionContext, counts: Mapping[date, int]) -> None:
    """``dagster/row_count`` of each partition of the run = that month's rows. Metadata of the
    MaterializeResult is copied onto every partition of a single-run backfill, so a run total there would
    be shown as each month's count; partition-scoped metadata is the way to say each month's own."""
    for key in context.partition_keys:
        context.add_asset_metadata({"dagster/row_count": counts.get(month_of(key), 0)}, partition_key=key)
