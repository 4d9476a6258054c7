"""Column lineage (``dagster/column_lineage``) of the transform assets, derived from their SQL with sqlglot.

Only plain projections are claimed: an output column whose value is an input column carried through unchanged
(renamed, grouped by, passed through CTEs, joins and UNION ALL branches), never one computed by an expression,
an aggregate or a CASE, since "depends on" would then say too little to be useful and too much to be true.
Dependencies are on the transform tables (ledger, emissions, marts); a raw table is shared by several source
kinds' assets, so a column read from raw names no single upstream asset and is left out.

Deriving takes sqlglot ~40 s for all models (the ledger and emissions models are long), too slow for every
code-location load, so the result is kept in ``column_lineage.json`` beside this file with the SHA-256 of each
transform's SQL; a test fails when a model changes without it being regenerated:

    .venv/bin/python -m carbon_pipeline.orchestration.lineage
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.lineage import Node, lineage

from carbon_pipeline.transforms import TRANSFORMS, Transform
from carbon_pipeline.warehouse.connection import schema_files
from carbon_pipeline.warehouse.sql_models import model_sql

LINEAGE_FILE = Path(__file__).with_name("column_lineage.json")
_PARAMETER = re.compile(r"\$(\w+)")


def models_sha256(transform: Transform) -> str:
    """Checksum of the SQL text of a transform's models, in order: what the stored lineage was derived from."""
    digest = hashlib.sha256()
    for model in transform.models:
        digest.update(model_sql(model).encode("utf-8"))
    return digest.hexdigest()


def _schema() -> dict[str, dict[str, dict[str, str]]]:
    """{schema: {table: {column: type}}} of every table the warehouse schema files create (an in-memory DuckDB),
    so sqlglot can expand ``SELECT *`` and resolve each column to its table."""
    con = duckdb.connect(":memory:")
    try:
        for _, text in schema_files():
            con.execute(text)
        schema: dict[str, dict[str, dict[str, str]]] = {}
        for db, name, column, data_type in con.execute(
            """SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns()
               WHERE NOT internal ORDER BY schema_name, table_name, column_index"""
        ).fetchall():
            schema.setdefault(db, {}).setdefault(name, {})[column] = data_type
        return schema
    finally:
        con.close()


def _plain(expression: exp.Expression) -> bool:
    return isinstance(expression.this if isinstance(expression, exp.Alias) else expression, exp.Column)


def _sources(node: Node) -> set[tuple[str, str]] | None:
    """The (table, column) pairs an output column is a plain projection of, or None when any step computes."""
    found: set[tuple[str, str]] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current.expression, exp.Table):
            found.add((f"{current.expression.db}.{current.expression.name}", current.name.split(".")[-1]))
            continue
        if not _plain(current.expression) or not current.downstream:
            return None
        stack.extend(current.downstream)
    return found


def model_lineage(model: str, schema: dict | None = None) -> dict[str, set[tuple[str, str]] | None]:
    """{output column: its source (table, column) pairs, or None when not a plain projection} of one model.
    Bound parameters ($start, ...) are replaced by NULL: they are values, never columns."""
    sql = _PARAMETER.sub("NULL", model_sql(model))
    nodes = lineage(None, sqlglot.parse_one(sql, read="duckdb"), schema=schema or _schema(), dialect="duckdb")
    return {column: _sources(node) for column, node in nodes.items()}


def derive(transform: Transform, schema: dict | None = None) -> dict[str, list[list[str]]]:
    """The plain-projection columns of a transform's table: a column counts only when it is a plain projection
    in every model that writes the table, of transform tables only."""
    schema = schema or _schema()
    transform_tables = {t.table for t in TRANSFORMS}
    per_model = [model_lineage(model, schema) for model in transform.models]
    result: dict[str, list[list[str]]] = {}
    for column in per_model[0]:
        sources: set[tuple[str, str]] = set()
        for lineage_of in per_model:
            found = lineage_of.get(column)
            if not found or any(table not in transform_tables for table, _ in found):
                break
            sources |= found
        else:
            result[column] = sorted([table, source] for table, source in sources)
    return result


def regenerate() -> dict[str, dict]:
    schema = _schema()
    stored = {t.table: {"models_sha256": models_sha256(t), "columns": derive(t, schema)} for t in TRANSFORMS}
    LINEAGE_FILE.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return stored


@cache
def _stored() -> dict[str, dict]:
    return json.loads(LINEAGE_FILE.read_text(encoding="utf-8")) if LINEAGE_FILE.exists() else {}


def column_lineage(table: str) -> dg.TableColumnLineage | None:
    """``dagster/column_lineage`` of a transform table from the stored derivation, or None when none of its
    columns is a plain projection of another transform table."""
    columns = _stored().get(table, {}).get("columns") or {}
    if not columns:
        return None
    return dg.TableColumnLineage(
        deps_by_column={
            column: [
                dg.TableColumnDep(asset_key=dg.AssetKey(source_table.split(".")), column_name=source_column)
                for source_table, source_column in sources
            ]
            for column, sources in sorted(columns.items())
        }
    )


if __name__ == "__main__":  # pragma: no cover - regenerates the stored lineage
    for table, entry in regenerate().items():
        print(f"{table}: {len(entry['columns'])} plain-projection columns")
