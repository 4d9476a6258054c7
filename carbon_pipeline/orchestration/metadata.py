"""Materialization metadata: row counts and small tables a person can read in the UI."""

from collections.abc import Sequence
from typing import Any

import dagster as dg


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dg.MetadataValue:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:,.3f}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return dg.MetadataValue.md("\n".join(lines))
