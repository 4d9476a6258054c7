"""A content fingerprint of every table and view of a DuckDB file: what "the same outputs" means when
code is moved or rewritten (issue 12: marts and serving file identical across the refactor).

Per relation, a SHA-256 of its rows in a total order, with the deployment's own folder replaced by
``<root>`` and the columns that record *when* or *which run* left out (they differ on every run by
design). Floats are compared at their full repr, so a changed summation order shows up.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

# Columns whose value is the moment or run that wrote the row, not the inventory's content; and the
# versions of local objects, which are their size and mtime (a file generated again has a new mtime).
VOLATILE = {
    "recorded_by_run",
    "published_at",
    "loaded_at",
    "loaded_by_run",
    "run_id",
    "recorded_at",
    "built_at",
    "objects_version",
    "object_version",
}


def fingerprint(path: Path, root: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            """SELECT table_schema, table_name FROM information_schema.tables
               WHERE table_catalog = current_database() ORDER BY ALL"""
        ).fetchall()
        digests = {}
        for schema, name in relations:
            columns = [
                column
                for (column, data_type) in con.execute(
                    """SELECT column_name, data_type FROM information_schema.columns
                       WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position""",
                    [schema, name],
                ).fetchall()
                if column not in VOLATILE and not data_type.startswith("TIMESTAMP")
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {select} FROM "{schema}"."{name}" ORDER BY ALL').fetchall()
            text = repr(rows).replace(str(root.resolve()), "<root>").replace(str(root), "<root>")
            digests[f"{schema}.{name}"] = hashlib.sha256(text.encode()).hexdigest()
        return digests
    finally:
        con.close()
