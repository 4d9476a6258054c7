"""AWS Data Exports CUR 2.0 (table COST_AND_USAGE_REPORT), Parquet or gzip CSV.

Layout (docs/sources.md, ``aws_cur2``): ``uri`` is the export's folder. Per month,
``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` (overwritten by every refresh; lower-case
``billing_period=`` accepted) lists the month's objects in ``dataFiles``, full ``s3://`` URIs whose part
from ``data/`` on is the key under the folder: ``data/BILLING_PERIOD=YYYY-MM/<export>-0000N.snappy.parquet``
(or ``.csv.gz``) in overwrite mode, ``data/BILLING_PERIOD=YYYY-MM/<timestamp>-<executionId>/...`` in
create-new mode. Only listed objects are read: when a refresh needs fewer chunks, AWS leaves the
leftover chunks of the previous one behind, overwritten with EMPTY data. The delivery is the manifest's
``executionId``; the per-execution manifest copies of other executions (create-new mode) are recorded
as superseded, never read.

Where the rows go, and why: CUR 2.0 columns are the legacy CUR's Athena snake_case names, except that
product attributes outside the fixed schema live in the ``product`` map (``product['region']``,
``product['vcpu']``). Flattening those two into ``product_region`` and ``product_vcpu`` makes an object
look exactly like a legacy Parquet object, so the same staging models (staging/aws_cur_line_items*.sql:
same casts, same unusable-value report, same out-of-period flag) fill ``raw.aws_cur2_line_items``, a
table with the same columns as ``raw.aws_cur_line_items``. It is a table of its own because the raw
stage has one Dagster asset per source kind, each owning its table (``raw/aws_cur2_line_items``); the
ledger reads both tables as one union, with ``source_kind`` telling them apart.

Map columns come in two forms, told apart by the column's type: native ``MAP(VARCHAR, VARCHAR)``, as a
real export writes them (read with ``element_at``), and JSON text, as in CSV exports and in copies such
as the public sample (read with ``json_extract_string``; text that is not JSON, the sample's ``"EC2"``,
yields no attributes rather than an error). ``resource_tags`` and ``cost_category`` are kept on every row as
JSON objects, the columns legacy CUR's per-tag and per-category columns are folded into (aws_cur.tag_maps).
Account ids typed as integers are zero-padded back to 12 digits (aws_cur.cur_varchar says why).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.names import literal
from carbon_pipeline.sources.aws_cur.reader import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    DeliveryToLoad,
    cur_varchar,
    load_delivery,
)
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import ROW_NUMBER, athena_name, shape_columns

KIND = "aws_cur2"
TABLE = "raw.aws_cur2_line_items"
PARQUET_SUFFIX = ".parquet"
CSV_SUFFIXES = (".csv.gz", ".csv")
# Legacy-named columns taken from a map column when the object has no column of that name.
MAP_ATTRIBUTES = (("product_region", "product", "region"), ("product_vcpu", "product", "vcpu"))
JSON_MAPS = ("resource_tags", "cost_category")
_PERIOD_FOLDER = re.compile(r"^(BILLING_PERIOD|billing_period)=(\d{4})-(\d{2})$")


def export_name(source: SourceConfig) -> str:
    return str(source.options.get("export_name") or source.uri.rstrip("/").rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Cur2Delivery:
    month: date
    execution_id: str
    manifest_key: str
    object_keys: tuple[str, ...]
    superseded: tuple[tuple[str, str], ...] = field(default=())


def period_folders(landing: Landing) -> dict[date, str]:
    folders: dict[date, str] = {}
    for folder in landing.list_dirs("metadata"):
        match = _PERIOD_FOLDER.match(folder)
        if match and 1 <= int(match.group(3)) <= 12:
            folders[date(int(match.group(2)), int(match.group(3)), 1)] = folder
    return folders


def _data_key(source_id: str, manifest_key: str, uri: str, folder: str) -> str:
    """``s3://bucket/prefix/export/data/BILLING_PERIOD=2025-03/export-00001.snappy.parquet`` -> the key from
    ``data/`` on, which must lie in the manifest's own billing period."""
    key = uri if uri.startswith("data/") else ("data/" + uri.split("/data/", 1)[1] if "/data/" in uri else "")
    if not key.startswith(f"data/{folder}/") or ".." in key.split("/"):
        raise SourceError(
            f"dataFiles entry '{uri}' is not under data/{folder}/", source_id=source_id, object_key=manifest_key
        )
    return key


def _manifest(landing: Landing, source_id: str, key: str) -> dict[str, Any]:
    manifest = landing.read_json(key)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("dataFiles"), list):
        raise SourceError("manifest has no 'dataFiles' list", source_id=source_id, object_key=key)
    if not manifest.get("executionId"):
        raise SourceError("manifest has no 'executionId'", source_id=source_id, object_key=key)
    return manifest


def _superseded(landing: Landing, folder: str, name: str, execution_id: str) -> tuple[tuple[str, str], ...]:
    """(executionId, manifest key) of the other executions whose manifest copies sit beside the current one."""
    older = []
    for sub in landing.list_dirs(f"metadata/{folder}"):
        key = f"metadata/{folder}/{sub}/{name}-Manifest.json"
        if landing.exists(key):
            manifest = landing.read_json(key)
            other = manifest.get("executionId") if isinstance(manifest, dict) else None
            if other and str(other) != execution_id:
                older.append((str(other), key))
    return tuple(older)


def discover_delivery(landing: Landing, source: SourceConfig, month: date) -> Cur2Delivery | None:
    """The current delivery of ``month`` per its billing-period manifest, or None if there is none."""
    folder = period_folders(landing).get(month)
    if folder is None:
        return None
    name = export_name(source)
    manifest_key = f"metadata/{folder}/{name}-Manifest.json"
    if not landing.exists(manifest_key):
        found = landing.list_files(f"metadata/{folder}", "-Manifest.json")
        raise SourceError(
            f"billing period folder has no '{name}-Manifest.json' (found: {found or 'nothing'}); "
            "set export_name to the export's name",
            source_id=source.id,
            object_key=f"metadata/{folder}/",
        )
    manifest = _manifest(landing, source.id, manifest_key)
    execution_id = str(manifest["executionId"])
    keys = tuple(_data_key(source.id, manifest_key, str(u), folder) for u in manifest["dataFiles"])
    return Cur2Delivery(month, execution_id, manifest_key, keys, _superseded(landing, folder, name, execution_id))


def map_value(column: str, dtype: duckdb.DuckDBPyType, key: str) -> duckdb.Expression:
    """``column[key]`` as text, NULL where absent: ``element_at`` for a native map (a list of the matches,
    in every DuckDB version since 1.0), ``json_extract_string`` for JSON text, guarded so that text which
    is not JSON yields NULL instead of failing the whole object."""
    value = duckdb.ColumnExpression(column)
    varchar = duckdb.sqltype("VARCHAR")
    if str(dtype).startswith("MAP("):
        found = duckdb.FunctionExpression("element_at", value, duckdb.ConstantExpression(key))
        return duckdb.FunctionExpression("list_extract", found, duckdb.ConstantExpression(1)).cast(varchar)
    text = value.cast(varchar)
    extracted = duckdb.FunctionExpression("json_extract_string", text, duckdb.ConstantExpression(f"$.{key}"))
    return duckdb.CaseExpression(duckdb.FunctionExpression("json_valid", text), extracted)


def map_as_json(column: str, dtype: duckdb.DuckDBPyType) -> duckdb.Expression:
    """A map column as JSON object text: a native map serialised, JSON text as written (the staging model
    turns an empty ``{}`` into NULL for both)."""
    value = duckdb.ColumnExpression(column)
    if str(dtype).startswith("MAP("):
        value = duckdb.FunctionExpression("to_json", value)
    return value.cast(duckdb.sqltype("VARCHAR")).alias(column)


def flatten(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Every column as text (typed ones by cur_varchar), the tag and cost-category maps as JSON, and the
    legacy-named product attributes taken from the ``product`` map unless the object has columns of those
    names."""
    types = dict(zip(relation.columns, relation.dtypes, strict=True))
    expressions = [
        duckdb.ColumnExpression(c) if c == ROW_NUMBER else map_as_json(c, t) if c in JSON_MAPS else cur_varchar(c, t)
        for c, t in types.items()
    ]
    for name, column, key in MAP_ATTRIBUTES:
        if name not in types and column in types:
            expressions.append(map_value(column, types[column], key).alias(name))
    return relation.select(*expressions)


def _open_relation(con: duckdb.DuckDBPyConnection, path: Path, source_id: str, key: str) -> duckdb.DuckDBPyRelation:
    lowered = key.lower()
    if not lowered.endswith((PARQUET_SUFFIX, *CSV_SUFFIXES)):
        raise SourceError(
            "unsupported object type (expected .parquet, .csv.gz or .csv)", source_id=source_id, object_key=key
        )
    kind = "Parquet" if lowered.endswith(PARQUET_SUFFIX) else "CSV"
    try:
        if kind == "Parquet":
            relation = con.read_parquet(literal(path), file_row_number=True)
        else:
            # CUR 2.0 CSV is comma-separated with its header on line 1: said, not sniffed, so that a header
            # with fewer names than the rows have values is an error instead of a skipped first line
            relation = con.read_csv(
                literal(path), header=True, all_varchar=True, null_padding=False, skiprows=0, sep=","
            )
        _ = relation.columns  # metadata and the CSV sniffer are read here: a damaged object fails inside the try
    except duckdb.Error as exc:
        reason = str(exc).strip().splitlines()[0]
        raise SourceError(f"cannot be read as {kind}: {reason}", source_id=source_id, object_key=key) from exc
    return relation


def read_object(
    con: duckdb.DuckDBPyConnection, path: Path, *, source_id: str, object_key: str
) -> duckdb.DuckDBPyRelation:
    """One CUR 2.0 object as the all-VARCHAR, Athena-named relation the CUR staging models read, with
    ``object_line`` (Parquet: the 1-based row; CSV: the line, header = 1)."""
    relation = _open_relation(con, path, source_id, object_key)
    return shape_columns(
        flatten(relation),
        source_id=source_id,
        object_key=object_key,
        normalise=athena_name,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        first_line=1 if object_key.lower().endswith(PARQUET_SUFFIX) else 2,
    )


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.aws_cur2_line_items; run inside the caller's transaction."""
    found = discover_delivery(landing, source, month)
    delivery = (
        None
        if found is None
        else DeliveryToLoad(found.execution_id, found.manifest_key, found.object_keys, found.superseded)
    )

    @contextmanager
    def open_each(
        on: duckdb.DuckDBPyConnection, path: Path, key: str
    ) -> Iterator[tuple[duckdb.DuckDBPyRelation, Callable[[str], str]]]:
        # messages name CUR 2.0 columns by their own snake_case names
        yield read_object(on, path, source_id=source.id, object_key=key), str

    return load_delivery(
        con,
        landing,
        source,
        month,
        delivery,
        kind=KIND,
        table=TABLE,
        run_id=run_id,
        force=force,
        open_each=open_each,
    )


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """What a sensor compares to notice a new delivery: the manifest's executionId."""
    delivery = discover_delivery(landing, source, month)
    return None if delivery is None else delivery.execution_id


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    return sorted(period_folders(landing))
