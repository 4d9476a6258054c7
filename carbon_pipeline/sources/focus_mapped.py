"""Staging a provider's native billing export through the FOCUS path (issue 14): the kinds
``azure_cost_details`` and ``gcp_billing_export`` read their own files, and one SQL model per kind renames and
reshapes the native columns into the FOCUS columns the ``focus`` kind reads (view ``focus_file``). From there the
rows take the FOCUS staging unchanged (``staging/focus_parsed``, ``staging/focus_charges``) into the same raw table,
``raw.focus_charges``, and so the same ledger model, classification, coverage table and checks as a FOCUS export of
the same provider: one bill gives one number whichever way it is exported.

What stays kind-specific is which files make up a month, how a native header is spelled and what a native column
means. A value FOCUS staging cannot use is reported under the native column it came from (``display``), so the
user reads ``CostInBillingCurrency``, not ``BilledCost``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.names import literal
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.tabular import read_delimited, read_parquet_varchar
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.sql_models import stage_model, view_model

TABLE = "raw.focus_charges"
STAGED = "staged_focus"


def match_key(header: str) -> str:
    """How native headers are compared: ``CostInBillingCurrency``, ``costInBillingCurrency`` and
    ``cost_in_billing_currency`` are the same column (Azure's EA and MCA spellings, snake_case copies), and so are
    Google's nested ``service.description`` and a flattened copy's ``service_description``."""
    return header.strip().lstrip("\ufeff").replace("_", "").replace(" ", "").replace(".", "").lower()


def header_normaliser(header: Sequence[str], known: Iterable[str], aliases: Mapping[str, str]) -> Callable[[str], str]:
    """The name each header column is read as: its canonical spelling among ``known`` (directly, or through an
    older name in ``aliases``), else its own name. Where several headers would take the same name, the exactly
    spelled one wins, then a direct match before an alias; the others keep their own names (as FOCUS headers:
    sources/focus/versions.py)."""
    canonical = {match_key(name): name for name in known}
    alias_of = {match_key(old): new for old, new in aliases.items()}

    def candidate(name: str) -> tuple[str | None, int]:
        key = match_key(name)
        if key in canonical:
            return canonical[key], 0 if name.strip().lstrip("\ufeff") == canonical[key] else 1
        if key in alias_of:
            return alias_of[key], 2
        return None, 3

    best: dict[str, tuple[int, int]] = {}
    for position, name in enumerate(header):
        target, rank = candidate(name)
        if target is not None and (target not in best or (rank, position) < best[target]):
            best[target] = (rank, position)
    winners = {position: target for target, (_, position) in best.items()}
    by_name = {name: winners.get(position) for position, name in enumerate(header)}
    return lambda name: by_name.get(name) or name.strip()


def read_native_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    source: SourceConfig,
    key: str,
    required: Sequence[str],
    optional: Sequence[str],
    aliases: Mapping[str, str],
) -> tuple[duckdb.DuckDBPyRelation, dict[str, str]]:
    """A CSV (also gzip) or Parquet object as an all-VARCHAR relation with canonical column names and
    ``object_line``, and the header each canonical name was read from (for messages)."""
    parquet = key.lower().endswith(".parquet")
    try:
        header = (
            con.read_parquet(literal(path)).columns
            if parquet
            else con.read_csv(literal(path), header=True, all_varchar=True).columns
        )
    except duckdb.Error:
        header = []  # the reader below fails on it with the object's name
    normalise = header_normaliser(header, (*required, *optional), aliases)
    display = {normalise(h): h.strip().lstrip("\ufeff") for h in header}
    reader = read_parquet_varchar if parquet else read_delimited
    relation = reader(
        con,
        path,
        source_id=source.id,
        object_key=key,
        normalise=normalise,
        required=required,
        optional=optional,
    )
    return relation, display


def stage_as_focus(
    con: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    *,
    source: SourceConfig,
    key: str,
    native_view: str,
    invalid_model: str,
    mapping_model: str,
    mapping_params: Mapping[str, Any],
    label: str,
    delivery_id: str,
    period_month: date | None,
    display: Mapping[str, str],
) -> int:
    """Stage every row of one native object into the temp table ``staged_focus`` (raw.focus_charges columns),
    refusing the object whole if any value is unusable. ``relation`` is the object, all VARCHAR, with the kind's
    canonical column names and ``object_line``; it becomes view ``native_view``, which ``invalid_model`` checks
    and ``mapping_model`` turns into FOCUS columns. ``label`` is recorded as the row's focus_version (the native
    format and dataset, e.g. ``azure_cost_details:actual``). Returns the number of rows staged, which may exceed
    the object's rows where the mapping books one native row as two (Google's credits)."""
    relation.create_view(native_view, replace=True)

    def spelled(column: str) -> str:
        return display.get(column, column)

    refuse_invalid_rows(con, invalid_model, source_id=source.id, display=spelled, object_key=key, **mapping_params)
    stage_model(con, "native_as_focus", mapping_model, **mapping_params)
    con.execute("CREATE OR REPLACE TEMP VIEW focus_file AS SELECT * FROM native_as_focus")
    view_model(con, "focus_parsed", "staging/focus_parsed")
    refuse_invalid_rows(con, "staging/focus_charges__invalid", source_id=source.id, display=spelled, object_key=key)
    staged = stage_model(
        con,
        STAGED,
        "staging/focus_charges",
        source_id=source.id,
        period_month=period_month,
        focus_version=label,
        delivery_id=delivery_id,
        object_key=key,
    )
    expected = con.execute("SELECT COUNT(*) FROM native_as_focus").fetchall()[0][0]
    if staged != expected:
        raise SourceError(f"mapped {expected} rows but staged {staged}", source_id=source.id, object_key=key)
    return staged


def drop_staging(con: duckdb.DuckDBPyConnection, native_view: str) -> None:
    for statement in (
        f"DROP TABLE IF EXISTS {STAGED}",
        "DROP VIEW IF EXISTS focus_parsed",
        "DROP VIEW IF EXISTS focus_file",
        "DROP TABLE IF EXISTS native_as_focus",
        f"DROP VIEW IF EXISTS {native_view}",
    ):
        con.execute(statement)


def refuse_broken_contract(
    con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date, *, provider: str, display: Mapping[str, str]
) -> None:
    """The month's rows, before the raw stage commits: every row is the kind's provider, has a three-letter
    currency and, where it is usage, an account to book it on. The first offence is named by object, row and
    native column; nothing of the delivery is kept."""
    refuse_invalid_rows(
        con,
        "staging/focus_charges_contract__invalid",
        source_id=source.id,
        display=lambda column: display.get(column, column),
        month=month,
        provider=provider,
    )
