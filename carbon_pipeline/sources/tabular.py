"""Reading one delimited object with DuckDB and shaping its header for the staging models.

Everything is read as VARCHAR: casting happens in SQL, where a failed cast can be reported with its
row and column instead of aborting the scan with a message that names neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.names import literal

_CAPITAL = re.compile(r"([A-Z])")


ROW_NUMBER = "file_row_number"  # what DuckDB's Parquet reader calls a row's 0-based position in its file


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
    header: Sequence[str] | None = None,
) -> duckdb.DuckDBPyRelation:
    """A relation over the object with columns named by ``normalise`` (required ones checked, optional
    ones added as NULL) plus ``object_line``: the 1-based line of the row, the header being line 1.

    ``header``: the names on line 1 as the caller already read them, for a format whose dialect is fixed
    (RFC 4180: comma, double quotes; AWS's legacy CUR). Given, DuckDB's dialect sniffer does not run: it
    decompresses and parses a sample of every object (0.65 s CPU per gzip CUR object, more than reading
    250,000 of its rows), and a fixed dialect refuses a ragged row instead of guessing another delimiter."""
    try:
        if header:
            relation = con.read_csv(
                literal(path),
                header=True,
                auto_detect=False,
                columns={name: "VARCHAR" for name in header},
                sep=",",
                quotechar='"',
                escapechar='"',
                null_padding=False,
                skiprows=0,
            )
        else:
            # skiprows=0: the header is line 1. Left to the sniffer, a header with fewer names than the rows
            # have values is skipped as junk and the first data line becomes the header, silently losing a row.
            relation = con.read_csv(literal(path), header=True, all_varchar=True, null_padding=False, skiprows=0)
        _ = relation.columns  # the sniffer runs here: an unreadable file fails inside the try
        _refuse_duplicate_header(con, path, relation.columns, source_id=source_id, object_key=object_key)
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot be read as CSV: {_first_line(exc)}", source_id=source_id, object_key=object_key
        ) from exc
    return shape_columns(
        relation,
        source_id=source_id,
        object_key=object_key,
        normalise=normalise,
        required=required,
        optional=optional,
        display=display,
    )


def _refuse_duplicate_header(
    con: duckdb.DuckDBPyConnection, path: Path, columns: list[str], *, source_id: str, object_key: str
) -> None:
    """DuckDB renames a repeated header name ``cost`` to ``cost_1``, so the second column would be silently
    ignored: when a ``<name>_<n>`` sits beside ``<name>``, the header line itself is read to tell a real
    duplicate from a column that is just named that way."""
    suspects = [c for c in columns if re.fullmatch(r".+_\d+", c) and c.rsplit("_", 1)[0] in columns]
    if not suspects:
        return
    header = [
        str(v) for v in con.read_csv(literal(path), header=False, all_varchar=True, skiprows=0).limit(1).fetchall()[0]
    ]
    for index, name in enumerate(header):
        if name in header[:index]:
            raise SourceError(
                "duplicate column name in the header", source_id=source_id, object_key=object_key, row=1, column=name
            )


def shape_columns(
    relation: duckdb.DuckDBPyRelation,
    *,
    source_id: str,
    object_key: str,
    normalise: Callable[[str], str],
    required: Iterable[str],
    optional: Iterable[str],
    display: Callable[[str], str] = lambda name: name,
    first_line: int = 2,
) -> duckdb.DuckDBPyRelation:
    """The shaping of read_delimited for any all-VARCHAR relation: ``object_line`` numbers the rows from
    ``first_line`` (2 for a file with a header line, 1 for Parquet, which has none). A relation carrying
    DuckDB's Parquet ``file_row_number`` is numbered by it: the row's own position in the object, streamed,
    where ``row_number() OVER ()`` is a window that gathers the whole object first (it made validating a
    2M-row object 4x slower)."""
    columns = [c for c in relation.columns if c != ROW_NUMBER]
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
    if ROW_NUMBER in relation.columns:
        line = duckdb.ColumnExpression(ROW_NUMBER) + duckdb.ConstantExpression(first_line)
    else:
        line = duckdb.SQLExpression("row_number() OVER ()") + duckdb.ConstantExpression(first_line - 1)
    expressions = [line.alias("object_line")]
    for name in wanted:
        if name in seen:
            expressions.append(duckdb.ColumnExpression(seen[name]).alias(name))
        else:
            expressions.append(duckdb.ConstantExpression(None).cast(duckdb.sqltype("VARCHAR")).alias(name))
    return relation.select(*expressions)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def varchar_expression(name: str, dtype: duckdb.DuckDBPyType) -> duckdb.Expression:
    """A typed column as the text the staging models cast. A TIMESTAMP WITH TIME ZONE is written in UTC
    without an offset: cast as it is, DuckDB writes it in the session's time zone with an offset, which a
    later cast to TIMESTAMP drops, shifting every value by the session's UTC offset."""
    column = duckdb.ColumnExpression(name)
    if str(dtype) == "TIMESTAMP WITH TIME ZONE":
        column = duckdb.FunctionExpression("timezone", duckdb.ConstantExpression("UTC"), column)
    return column.cast(duckdb.sqltype("VARCHAR")).alias(name)


def stage_text(con: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, view: str) -> str:
    """The object's rows as read (text, with ``object_line``) staged once in a temp table, and the view
    ``view`` (the name the reader's models read) pointed at it: a reader whose companion checks, staging model
    and row count each scan the object then parses it once instead of once per scan (docs/performance.md,
    Profiles 31 and 32). A damaged object fails here, at its one read. Returns the table's name, for the
    reader to drop once the rows are typed; ``view`` stays a view, as the readers' clean-up expects."""
    table, scan = f"{view}_text", f"{view}_object"
    relation.create_view(scan, replace=True)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS FROM {scan}")  # a failure aborts the caller's transaction
    con.execute(f"DROP VIEW {scan}")
    con.table(table).create_view(view, replace=True)  # the same kind of view the reader made of the object
    return table


def count_rows(relation: duckdb.DuckDBPyRelation) -> int:
    return relation.aggregate("count(*)").fetchall()[0][0]


def read_parquet_varchar(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    source_id: str,
    object_key: str,
    normalise: Callable[[str], str],
    required: Iterable[str],
    optional: Iterable[str],
    display: Callable[[str], str] = lambda name: name,
    cast: Callable[[str, duckdb.DuckDBPyType], duckdb.Expression] | None = None,
) -> duckdb.DuckDBPyRelation:
    """read_delimited for a Parquet object: every column cast to VARCHAR (by ``cast``, default
    varchar_expression) so that the same staging models cast (and report) as for CSV; ``object_line`` is
    the 1-based row number."""
    cast = cast or varchar_expression
    try:
        relation = con.read_parquet(literal(path), file_row_number=True)
        relation = relation.select(
            *(
                duckdb.ColumnExpression(c) if c == ROW_NUMBER else cast(c, t)
                for c, t in zip(relation.columns, relation.dtypes, strict=True)
            )
        )
    except duckdb.Error as exc:
        raise SourceError(
            f"cannot be read as Parquet: {_first_line(exc)}", source_id=source_id, object_key=object_key
        ) from exc
    return shape_columns(
        relation,
        source_id=source_id,
        object_key=object_key,
        normalise=normalise,
        required=required,
        optional=optional,
        display=display,
        first_line=1,
    )
