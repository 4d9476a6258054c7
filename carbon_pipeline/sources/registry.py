"""Every source kind, found by looking for a ``SOURCE_KIND`` declaration in each folder under
``carbon_pipeline/sources/``: adding a kind is adding its folder (docs/architecture.md), nothing here changes.

``load_month`` and friends hide the one difference between kinds that read a landing folder or bucket and
kinds that call an API."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary, SourceKind
from carbon_pipeline.sources.landing import open_landing


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


def load_month(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date, run_id: str | None, force: bool = False
) -> LoadSummary:
    kind = kind_of(source.kind)
    if kind.reads_objects:
        return kind.reader.load_month(con, open_landing(source), source, month, run_id=run_id, force=force)
    return kind.reader.load_month(con, source, month, run_id=run_id, force=force)


def available_months(source: SourceConfig) -> list[date]:
    kind = kind_of(source.kind)
    if kind.reads_objects:
        return kind.reader.available_months(open_landing(source), source)
    return kind.reader.available_months(source)


def delivery_identity(source: SourceConfig, month: date) -> str | None:
    kind = kind_of(source.kind)
    if kind.reads_objects:
        return kind.reader.delivery_identity(open_landing(source), source, month)
    return kind.reader.delivery_identity(source, month)


def cleanup(source: SourceConfig) -> None:
    """Drop the source's staged copies once its months are committed (an API source staged nothing)."""
    if kind_of(source.kind).reads_objects:
        open_landing(source).cleanup()
