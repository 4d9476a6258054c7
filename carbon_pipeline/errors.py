"""One error type for unusable input, so every message names source, object, row and column."""

from __future__ import annotations


class SourceError(Exception):
    """Input that cannot be loaded as it is. The partition being loaded is left unchanged."""

    def __init__(
        self,
        message: str,
        *,
        source_id: str,
        object_key: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.source_id = source_id
        self.object_key = object_key
        self.row = row
        self.column = column
        self.reason = message
        where = [f"source '{source_id}'"]
        if object_key:
            where.append(f"object '{object_key}'")
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


class ConfigError(Exception):
    """The sources file is wrong; the message names the file, source and key."""
