"""Google Cloud billing export (the BigQuery "standard usage cost" and "detailed usage cost" tables), exported
as files and dropped in the source folder: CSV (also gzip), newline-delimited JSON or Parquet. Nested columns
are flattened to their dotted names (``service.description``, ``usage.amount_in_pricing_units``,
``location.region``); a flattened copy's ``service_description`` is the same column. The repeated ``credits``
field stays one JSON text value (or a number the copy already summed). The rows are mapped onto FOCUS columns
and staged like a FOCUS export of Google Cloud (sources/focus_mapped.py) into raw.focus_charges.

Like the FOCUS kind's dropped files: every file in the folder is part of the delivery, each file's SHA-256 its
version, each row in the month of its own usage_start_time (UTC), as the same rows exported as FOCUS would be.
A row with credits becomes two raw rows (its cost, and its summed credits as a Credit charge).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.names import literal
from carbon_pipeline.sources import focus_mapped
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.dropped_files import load_dropped_months
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import ROW_NUMBER, shape_columns
from carbon_pipeline.warehouse.connection import scratch_connection

KIND = "gcp_billing_export"
TABLE = focus_mapped.TABLE
REQUIRED_COLUMNS = ("cost", "currency", "usage_start_time", "service.description")
OPTIONAL_COLUMNS = (
    "billing_account_id",
    "service.id",
    "sku.id",
    "sku.description",
    "project.id",
    "location.location",
    "location.region",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "credits",
    "cost_type",
    "invoice.month",
    "resource.name",
    "resource.global_name",
)
CSV_SUFFIXES = (".csv", ".csv.gz")
JSON_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
DATA_SUFFIXES = (*CSV_SUFFIXES, *JSON_SUFFIXES, ".parquet")
NATIVE_VIEW = "gcp_billing_file"
FOCUS_TO_NATIVE = {
    "BilledCost": "cost",
    "ChargePeriodStart": "usage_start_time",
    "ConsumedQuantity": "usage.amount",
    "PricingQuantity": "usage.amount_in_pricing_units",
    "BillingCurrency": "currency",
    "SubAccountId": "project.id",
    "ProviderName": "(provider)",
}


def _string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _flat_expressions(name: str, dtype: duckdb.DuckDBPyType, expression: str) -> list[str]:
    """SELECT items giving a (nested) column as flat VARCHAR columns named by their dotted path: a STRUCT's
    fields recursively, a list or map as one JSON text, a timestamp with time zone in UTC without offset."""
    if dtype.id == "struct":
        items: list[str] = []
        for field, child in dtype.children:
            items += _flat_expressions(f"{name}.{field}", child, f"struct_extract({expression}, {_string(field)})")
        return items
    if dtype.id in ("list", "map", "array"):
        value = f"CAST(to_json({expression}) AS VARCHAR)"
    elif str(dtype) == "TIMESTAMP WITH TIME ZONE":
        value = f"CAST(timezone('UTC', {expression}) AS VARCHAR)"
    else:
        value = f"CAST({expression} AS VARCHAR)"
    return [f"{value} AS {_identifier(name)}"]


def _read_nested(con: duckdb.DuckDBPyConnection, path: Path, source: SourceConfig, key: str) -> duckdb.DuckDBPyRelation:
    """A Parquet or JSON object flattened to all-VARCHAR dotted columns, streamed by DuckDB (never a whole bill
    in Python), with DuckDB's Parquet row number where there is one."""
    lowered = key.lower()
    try:
        if lowered.endswith(".parquet"):
            relation = con.read_parquet(literal(path), file_row_number=True)
        else:
            relation = con.sql(f"SELECT * FROM read_json({_string(literal(path))}, format = 'auto', sample_size = -1)")
        items: list[str] = []
        for column, dtype in zip(relation.columns, relation.dtypes, strict=True):
            flat = [_identifier(column)] if column == ROW_NUMBER else None
            items += flat or _flat_expressions(column, dtype, _identifier(column))
        return relation.select(", ".join(items))
    except duckdb.Error as exc:
        kind = "Parquet" if lowered.endswith(".parquet") else "JSON"
        raise SourceError(
            f"cannot be read as {kind}: {str(exc).strip().splitlines()[0]}", source_id=source.id, object_key=key
        ) from exc


def read_object(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str
) -> tuple[duckdb.DuckDBPyRelation, dict[str, str]]:
    """One exported file as an all-VARCHAR relation with the canonical (dotted) names and ``object_line``."""
    lowered = key.lower()
    if not lowered.endswith(DATA_SUFFIXES):
        raise SourceError(
            f"unsupported file type (expected one of {', '.join(DATA_SUFFIXES)})", source_id=source.id, object_key=key
        )
    path = landing.local_path(key)
    if lowered.endswith(CSV_SUFFIXES):
        return focus_mapped.read_native_table(
            con, path, source=source, key=key, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, aliases={}
        )
    flat = _read_nested(con, path, source, key)
    header = [c for c in flat.columns if c != ROW_NUMBER]
    normalise = focus_mapped.header_normaliser(header, (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS), {})
    display = {normalise(h): h for h in header}
    relation = shape_columns(
        flat,
        source_id=source.id,
        object_key=key,
        normalise=normalise,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        first_line=1,
    )
    return relation, display


def _dropped_files(landing: Landing) -> list[str]:
    return [k for k in landing.list_files("") if k.lower().endswith(DATA_SUFFIXES)]


def _stage_object(con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str) -> int:
    relation, display = read_object(con, landing, source, key)
    names = {focus: display.get(native, native) for focus, native in FOCUS_TO_NATIVE.items()}
    return focus_mapped.stage_as_focus(
        con,
        relation,
        source=source,
        key=key,
        native_view=NATIVE_VIEW,
        invalid_model="staging/gcp_billing_export_as_focus__invalid",
        mapping_model="staging/gcp_billing_export_as_focus",
        mapping_params={},
        label=KIND,
        delivery_id=landing.sha256(key),
        period_month=None,
        display={**names, "credits": display.get("credits", "credits"),
                 "invoice.month": display.get("invoice.month", "invoice.month")},
    )  # fmt: skip


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read, like the FOCUS kind's dropped files
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.focus_charges; run inside the caller's transaction."""
    return load_months(con, landing, source, [month], run_id=run_id, force=force)[0]


def load_months(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    months: Sequence[date],
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read (see load_month)
) -> list[LoadSummary]:
    """Replace ``months`` of ``source`` in raw.focus_charges at once, each file read once for all of them
    (sources/dropped_files.py; registry.OpenedSource.load_months calls it for a run's months); inside the
    caller's transaction."""
    keys = tuple(_dropped_files(landing))

    def stage(key: str) -> str:
        _stage_object(con, landing, source, key)
        return KIND

    loaded = load_dropped_months(
        con,
        landing,
        source,
        months,
        kind=KIND,
        table=TABLE,
        keys=keys,
        staged=focus_mapped.STAGED,
        stage=stage,
        drop_staging=lambda: focus_mapped.drop_staging(con, NATIVE_VIEW),
        run_id=run_id,
    )
    return loaded.summaries(source.id, months, labels_as="focus_versions")


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """The files' SHA-256s: any change to any file re-reads every month it covers."""
    return ",".join(landing.sha256(k) for k in _dropped_files(landing)) or None


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    """The months the files' rows fall in, read with the loader's own staging."""
    months: set[date] = set()
    with scratch_connection() as con:
        for key in _dropped_files(landing):
            _stage_object(con, landing, source, key)
            months.update(
                m for (m,) in con.execute(f"SELECT DISTINCT period_month FROM {focus_mapped.STAGED}").fetchall()
            )
    return sorted(months)


def refuse_before_commit(con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date) -> None:
    """The month just read, before the raw stage commits (SourceKind.before_commit)."""
    focus_mapped.refuse_broken_contract(
        con, source, month, provider="gcp", display={"BillingCurrency": "currency", "SubAccountId": "project.id"}
    )
