"""Every source kind, found by looking for a ``SOURCE_KIND`` declaration in each folder under
``carbon_pipeline/sources/``: adding a kind is adding its folder (docs/architecture.md), nothing here changes.

``OpenedSource`` hides the one difference between kinds that read a landing folder or bucket and kinds that call
an API."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary, SourceKind
from carbon_pipeline.sources.landing import Landing, open_landing


@cache
def source_kinds() -> dict[str, SourceKind]:
    """name -> declaration, in folder order."""
    found: dict[str, SourceKind] = {}
    folder = Path(__file__).parent
    for module in sorted(pkgutil.iter_modules([str(folder)]), key=lambda m: m.name):
        if not module.ispkg:
            continue
        declared = getattr(importlib.import_module(f"{__name__.rsplit('.', 1)[0]}.{module.name}"), "SOURCE_KIND", None)
        if isinstance(declared, SourceKind):
            if declared.name != module.name:
                raise ValueError(f"sources/{module.name}/ declares kind '{declared.name}': a kind's folder is its name")
            found[declared.name] = declared
    return found


def kind_of(name: str) -> SourceKind:
    return source_kinds()[name]


@dataclass(frozen=True)
class OpenedSource:
    """A configured source with its landing (folder or bucket) opened once, for the many months a sensor tick
    or a raw step asks about. Opening an S3 landing makes a boto3 session and client, each client with its own
    connection pool: opened per month, a sensor tick over two years of a bucket made 24 sessions, 24 clients
    and 24 new connections, and spent most of its time there (docs/performance.md, Profile 22)."""

    source: SourceConfig
    landing: Landing | None  # None for a kind that calls an API instead of reading objects

    @property
    def kind(self) -> SourceKind:
        return kind_of(self.source.kind)

    def load_month(
        self, con: duckdb.DuckDBPyConnection, month: date, run_id: str | None, force: bool = False
    ) -> LoadSummary:
        if self.landing is not None:
            return self.kind.reader.load_month(con, self.landing, self.source, month, run_id=run_id, force=force)
        return self.kind.reader.load_month(con, self.source, month, run_id=run_id, force=force)

    def load_months(
        self, con: duckdb.DuckDBPyConnection, months: list[date], run_id: str | None, force: bool = False
    ) -> list[LoadSummary]:
        """Replace ``months`` of the source, each checked by the kind's ``before_commit``; inside the caller's
        transaction. A reader with ``load_months`` (its objects cover many months) reads them at once, others
        month by month, each month checked before the next is read."""
        batch = getattr(self.kind.reader, "load_months", None)
        if batch is not None and self.landing is not None:
            summaries = batch(con, self.landing, self.source, months, run_id=run_id, force=force)
            for month in months:
                self._before_commit(con, month)
            return summaries
        summaries = []
        for month in months:
            summaries.append(self.load_month(con, month, run_id, force=force))
            self._before_commit(con, month)
        return summaries

    def _before_commit(self, con: duckdb.DuckDBPyConnection, month: date) -> None:
        if self.kind.before_commit is not None:  # a delivery it refuses is never loaded
            self.kind.before_commit(con, self.source, month)

    def available_months(self) -> list[date]:
        if self.landing is not None:
            return self.kind.reader.available_months(self.landing, self.source)
        return self.kind.reader.available_months(self.source)

    def delivery_identity(self, month: date) -> str | None:
        if self.landing is not None:
            return self.kind.reader.delivery_identity(self.landing, self.source, month)
        return self.kind.reader.delivery_identity(self.source, month)

    def cleanup(self) -> None:
        """Drop the source's staged copies once its months are committed (an API source staged nothing)."""
        if self.landing is not None:
            self.landing.cleanup()


def opened(source: SourceConfig) -> OpenedSource:
    """``source`` with its landing opened (a ConfigError or SourceError here names what cannot be opened)."""
    return OpenedSource(source, open_landing(source) if kind_of(source.kind).reads_objects else None)
