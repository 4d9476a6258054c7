"""The one way delivered rows are validated (docs/architecture.md, "Validating rows").

Each staging model that can meet an unusable value has a declared companion model, ``<model>__invalid.sql``
beside it in ``dbt_like_sql/staging/``: a plain SELECT over the same input (the view the reader made of one
object, or the rows just staged), with bound ``$parameters`` only, that returns one row per unusable cell, the
one to report first:

==============  =======================================================================================
``object_key``  the delivered object (``$object_key`` when the model reads one object)
``object_line`` the row as a person counts it in that object (a CSV's header is line 1)
``column_name`` the column as the model names it (the reader's ``display`` turns it into the file's
                spelling, e.g. ``line_item_usage_amount`` -> ``lineItem/UsageAmount``)
``bad_value``   the cell as delivered, text; NULL or '' when it is missing
``reason``      what is wrong, worded to follow the value: ``is not a number``, or on its own for a
                missing value: ``is empty, but required``
==============  =======================================================================================

``refuse_invalid_rows`` runs such a model and raises the one error type, SourceError, naming source, object,
row, column and value; no reader builds these messages itself, parses them out of a DuckDB error, or
assembles the validating SQL from strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.limits import truncate
from carbon_pipeline.warehouse.sql_models import run_model

INVALID_COLUMNS = ("object_key", "object_line", "column_name", "bad_value", "reason")
CELLS_COUNTED = 20  # the companion models stop at LIMIT 20: "20+ bad cells"
VALUE_SHOWN = 100  # characters of a bad value shown in a message (a cell may be megabytes)


@dataclass(frozen=True)
class InvalidCell:
    object_key: str | None
    object_line: int | None
    column_name: str | None
    bad_value: str | None
    reason: str


def invalid_cells(con: duckdb.DuckDBPyConnection, model: str, **params: Any) -> list[InvalidCell]:
    """The rows of companion model ``model`` (e.g. ``"staging/focus_charges__invalid"``), parameters bound."""
    result = run_model(con, model, **params)
    columns = tuple(d[0] for d in result.description)
    if columns != INVALID_COLUMNS:
        raise ValueError(f"{model}.sql must return {', '.join(INVALID_COLUMNS)}, not {', '.join(columns)}")
    return [InvalidCell(*row) for row in result.fetchall()]


def message(cell: InvalidCell, count: int = 1) -> str:
    """``value '1,234.5' is not a number`` (or the reason alone for a missing value), with how many bad cells
    the object has when it has more than one."""
    value = cell.bad_value
    text = cell.reason if value is None or value == "" else f"value {truncate(value, VALUE_SHOWN)!r} {cell.reason}"
    if count > 1:
        text += f" ({count}{'+' if count >= CELLS_COUNTED else ''} bad cells in this object)"
    return text


def refuse_invalid_rows(
    con: duckdb.DuckDBPyConnection,
    model: str,
    *,
    source_id: str,
    display: Callable[[str], str] | None = None,
    **params: Any,
) -> None:
    """Raise SourceError for the first row of companion model ``model``; return when it has none. ``display``
    spells a column as the delivered file does; nothing of the object has been written when this raises (the
    caller's transaction rolls back whatever was staged). ``source_id`` is bound too, for a model that names it."""
    cells = invalid_cells(con, model, source_id=source_id, **params)
    if not cells:
        return
    first = cells[0]
    column = first.column_name
    raise SourceError(
        message(first, len(cells)),
        source_id=source_id,
        object_key=first.object_key,
        row=first.object_line,
        column=display(column) if display is not None and column else column,
    )
