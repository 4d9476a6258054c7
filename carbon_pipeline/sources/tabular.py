"""Reading one delimited object with DuckDB and shaping its header for the staging models.

Everything is read as VARCHAR: casting happens in SQL, where a failed cast can be reported with its
row and column instead of aborting the scan with a message that names neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from carbon_pipeline.sources.errors import SourceError

_CAPITAL = re.compile(r"([A-Z])")


def athena_name(header: str) -> str:
    """The CUR Parquet/Athena mangling of a CSV header: ``lineItem/UsageAccountId`` ->
    ``line_item_usage_account_id``, ``resourceTags/user:Project`` -> ``resource_tags_user_project``."""
    name = _CAPITAL.sub(r"_\1", header).lower()
    name = re.sub(r"[^a-z0-9]+", "_", name)
    return name.strip("_")


def read_delimited(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    source_id: str,
    object_key: str,
    normalise: Callable[[str], str],
    required: Iterable[str],
    optional: Iterable[str],
    display: Callable[[str], str] = lambda name: name,
) -> duckdb.DuckDBPyRelation:
    """A relation over the object with columns named by ``normalise`` (required ones checked, optional
    ones added as NULL) plus ``object_line``: the 1-based line of the row, the header being line 1."""
    try:
        relation = con.read_csv(str(path), header=True, all_varchar=True, null_padding=False)
        columns = relation.columns
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot be read as CSV: {_first_line(exc)}", source_id=source_id, object_key=object_key
        ) from exc
    names = [normalise(c) for c in columns]
    seen: dict[str, str] = {}
    for original, name in zip(columns, names, strict=True):
        if name in seen:
            raise SourceError(
                f"duplicate column: '{seen[name]}' and '{original}' both mean '{name}'",
                source_id=source_id,
                object_key=object_key,
                row=1,
                column=original,
            )
        seen[name] = original
    missing = [c for c in required if c not in seen]
    if missing:
        raise SourceError(
            f"required column missing (header has {len(columns)} columns: {', '.join(columns[:8])}"
            f"{', ...' if len(columns) > 8 else ''})",
            source_id=source_id,
            object_key=object_key,
            row=1,
            column=display(missing[0]),
        )
    wanted = list(dict.fromkeys([*required, *optional]))
    expressions = [duckdb.SQLExpression("row_number() OVER () + 1").alias("object_line")]
    for name in wanted:
        if name in seen:
            expressions.append(duckdb.ColumnExpression(seen[name]).alias(name))
        else:
            expressions.append(duckdb.ConstantExpression(None).cast(duckdb.sqltype("VARCHAR")).alias(name))
    return relation.select(*expressions)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def count_rows(relation: duckdb.DuckDBPyRelation) -> int:
    return relation.aggregate("count(*)").fetchall()[0][0]
