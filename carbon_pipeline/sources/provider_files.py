"""The dropped-files layout shared by the providers' own carbon exports (gcp_carbon, azure_carbon).

The source folder holds the exported files directly (``*.csv``, ``*.csv.gz``, ``*.json``, ``*.jsonl``,
``*.ndjson``, ``*.parquet``). Every file is part of the delivery, each file's SHA-256 is its version,
and each row belongs to the month of its own date column, so a file may cover several months and a
month several files (as FOCUS's dropped files: focus.py).

CSV is read by DuckDB as VARCHAR (tabular.read_delimited). JSON, JSONL and Parquet are read as records
and nested objects flattened into dotted names (``{"project": {"id": ..}}`` -> ``project.id``): a
BigQuery export keeps its STRUCT columns nested in JSON and Parquet, while a CSV copy can only carry
them flattened. Every value is then text, cast in the kind's staging SQL, so an unusable value is
reported with its object, row and column before anything is written.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.names import literal
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import count_rows, read_delimited, shape_columns, stage_text
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.connection import scratch_connection
from carbon_pipeline.warehouse.sql_models import stage_model

TABLE = "raw.provider_carbon_emissions"
DATA_SUFFIXES = (".csv", ".csv.gz", ".json", ".jsonl", ".ndjson", ".parquet")


@dataclass(frozen=True)
class FileTemplate:
    """What a provider's export must look like: its columns (by their normalised names) and the staging
    models that check and type them."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    normalise: Callable[[str], str]
    display: Callable[[str], str]
    staging_model: str  # reads view provider_file, writes the raw table's columns
    invalid_model: str  # the staging model's companion: its unusable cells (sources/validation.py)
    # a month must hold rows of one aggregation level only (Azure: categoryType), else they double count
    single_level_column: str | None = None


def dropped_files(landing: Landing) -> list[str]:
    return [k for k in landing.list_files("") if k.lower().endswith(DATA_SUFFIXES)]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int | Decimal):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return json.dumps(value, default=str)
    return str(value)


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str | None]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": "1"}``; lists stay one JSON text value."""
    flat: dict[str, str | None] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = _text(value)
    return flat


def _json_records(path: Path, source_id: str, key: str) -> list[dict[str, Any]]:
    opener = gzip.open if key.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8-sig") as handle:
        text = handle.read()
    if key.lower().endswith((".jsonl", ".ndjson")):
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SourceError(
                    f"not valid JSON ({exc.msg})", source_id=source_id, object_key=key, row=number
                ) from exc
        return records
    if not text.strip():
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"not valid JSON ({exc.msg})", source_id=source_id, object_key=key) from exc
    # a saved API response: {"value": [...]} (Azure REST) or {"data": [...]}; or a plain array of rows
    if isinstance(document, dict):
        document = next((document[k] for k in ("value", "data") if isinstance(document.get(k), list)), None)
    if not isinstance(document, list):
        raise SourceError(
            "expected a JSON array of rows (or an object with a 'value' or 'data' array)",
            source_id=source_id,
            object_key=key,
        )
    return document


def _parquet_records(con: duckdb.DuckDBPyConnection, path: Path, source_id: str, key: str) -> list[dict[str, Any]]:
    try:
        relation = con.read_parquet(literal(path))
        columns = relation.columns
        return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]
    except duckdb.Error as exc:
        raise SourceError(f"cannot be read as Parquet: {exc}", source_id=source_id, object_key=key) from exc


def _records_relation(
    con: duckdb.DuckDBPyConnection, records: list[Any], source_id: str, key: str
) -> duckdb.DuckDBPyRelation:
    """The records as an all-VARCHAR temp table with one column per (flattened) name, in record order."""
    rows = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise SourceError("a row is not a JSON object", source_id=source_id, object_key=key, row=number)
        rows.append(flatten(record))
    names = list(dict.fromkeys(name for row in rows for name in row)) or ["__empty"]
    quoted = ", ".join('"' + name.replace('"', '""') + '" VARCHAR' for name in names)
    con.execute("DROP TABLE IF EXISTS provider_records")
    con.execute(f"CREATE TEMP TABLE provider_records ({quoted})")
    if rows:
        placeholders = ", ".join("?" for _ in names)
        con.executemany(
            f"INSERT INTO provider_records VALUES ({placeholders})", [[row.get(n) for n in names] for row in rows]
        )
    return con.table("provider_records")


def read_file(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str, template: FileTemplate
) -> duckdb.DuckDBPyRelation:
    """One exported file as an all-VARCHAR relation with the template's columns and ``object_line``."""
    path = landing.local_path(key)
    shape = {
        "source_id": source.id,
        "object_key": key,
        "normalise": template.normalise,
        "required": template.required,
        "optional": template.optional,
        "display": template.display,
    }
    lowered = key.lower()
    if lowered.endswith((".csv", ".csv.gz")):
        return read_delimited(con, path, **shape)
    if lowered.endswith(".parquet"):
        records = _parquet_records(con, path, source.id, key)
    elif lowered.endswith((".json", ".jsonl", ".ndjson")):
        records = _json_records(path, source.id, key)
    else:
        raise SourceError(
            f"unsupported file type (expected one of {', '.join(DATA_SUFFIXES)})", source_id=source.id, object_key=key
        )
    relation = _records_relation(con, records, source.id, key)
    if not records:
        # an empty export: nothing to check the columns of, nothing to load
        return relation.select(duckdb.ConstantExpression(0).alias("object_line")).limit(0)
    return shape_columns(relation, first_line=1, **shape)


def stage_file(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str, template: FileTemplate
) -> int:
    """Every row of one file, typed, in the temp table ``staged_provider_carbon``; the file is refused
    whole if any cell is unusable. Returns the number of rows staged."""
    relation = read_file(con, landing, source, key, template)
    con.execute("DROP TABLE IF EXISTS staged_provider_carbon")
    if relation.columns == ["object_line"]:
        return 0  # an empty export: no table staged
    text = stage_text(con, relation, "provider_file")
    refuse_invalid_rows(con, template.invalid_model, source_id=source.id, object_key=key)
    staged = stage_model(
        con,
        "staged_provider_carbon",
        template.staging_model,
        source_id=source.id,
        delivery_id=landing.sha256(key),
        object_key=key,
    )
    expected = count_rows(con.table(text))
    con.execute(f"DROP TABLE {text}")  # the text is not needed once typed
    if staged != expected:
        raise SourceError(f"read {expected} rows but staged {staged}", source_id=source.id, object_key=key)
    return staged


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    for statement in (
        "DROP TABLE IF EXISTS staged_provider_carbon",
        "DROP VIEW IF EXISTS provider_file",
        "DROP TABLE IF EXISTS provider_records",
    ):
        con.execute(statement)


def _check_single_level(con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date, column: str) -> None:
    levels = con.execute(
        f"SELECT DISTINCT COALESCE({column}, '(none)') FROM {TABLE} "
        "WHERE source_id = ? AND period_month = ? ORDER BY 1",
        [source.id, month],
    ).fetchall()
    if len(levels) > 1:
        raise SourceError(
            f"rows of {month:%Y-%m} mix aggregation levels {[v for (v,) in levels]}: each level is a complete "
            "breakdown of the same emissions, so they would be counted more than once; keep one level per month",
            source_id=source.id,
            column=column,
        )


def load_month(
    template: FileTemplate,
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.provider_carbon_emissions; run inside the caller's transaction."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, TABLE, source.id, month)
    keys = dropped_files(landing)
    rows_by_file: dict[str, int] = {}
    versions: set[str] = set()
    for key in keys:
        if not stage_file(con, landing, source, key, template):
            rows_by_file[key] = 0
            continue
        written = con.execute(
            f"INSERT INTO {TABLE} BY NAME SELECT * FROM staged_provider_carbon WHERE period_month = ?", [month]
        ).fetchall()[0][0]
        rows_by_file[key] = written
        if written:
            versions.update(
                v
                for (v,) in con.execute(
                    "SELECT DISTINCT model_version FROM staged_provider_carbon WHERE period_month = ?", [month]
                ).fetchall()
            )
            record_delivery(
                con,
                source_id=source.id,
                source_kind=template.kind,
                month=month,
                delivery_id=landing.sha256(key),
                manifest_key=None,
                object_count=1,
                row_count=written,
                status="loaded",
            )
    _drop_staging(con)
    if template.single_level_column:
        _check_single_level(con, source, month, template.single_level_column)
    restated = record_restatement_if_changed(
        con, source_id=source.id, month=month, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return LoadSummary(
        source.id,
        month,
        rows=sum(rows_by_file.values()),
        delivery=f"{sum(1 for n in rows_by_file.values() if n)} file(s)" if keys else None,
        objects=len(keys),
        model_versions=tuple(sorted(versions)),
        restated=restated,
    )


def delivery_identity(landing: Landing) -> str | None:
    """The files' SHA-256s: any change to any file re-reads every month it covers."""
    return ",".join(landing.sha256(k) for k in dropped_files(landing)) or None


def available_months(template: FileTemplate, landing: Landing, source: SourceConfig) -> list[date]:
    """The months the files' rows fall in, read with the loader's own staging (a file whose rows cannot
    be dated fails here, loudly, too)."""
    months: set[date] = set()
    with scratch_connection() as con:
        for key in dropped_files(landing):
            if stage_file(con, landing, source, key, template):
                staged = con.execute("SELECT DISTINCT period_month FROM staged_provider_carbon").fetchall()
                months.update(m for (m,) in staged)
    return sorted(months)
