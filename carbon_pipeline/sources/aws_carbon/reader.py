"""AWS carbon emissions export (Data Exports table CARBON_EMISSIONS: the Customer Carbon Footprint
Tool's data), CSV or Parquet.

Layout (ours to assume where AWS does not document it; see docs/sources.md):
``data/model_version=<v>/usage_period=YYYY-MM/<export>-0000N.csv.gz`` (or ``.snappy.parquet``) with its
manifest at ``metadata/model_version=<v>/usage_period=YYYY-MM/<export>-Manifest.json`` listing
``dataFiles``; each object is read by its own extension. Every model version delivered for a month is
loaded; the ledger chooses one by policy.

AWS writes an empty file for a month without usage. An object with a header and no rows, a Parquet
object with no rows, or an object with no content at all (zero bytes, or a gzip stream of nothing) is
such a month: it loads 0 rows and the delivery is still recorded, so the month reads as delivered and
empty rather than missing.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.periods import folder_month
from carbon_pipeline.sources.aws_cur.reader import cur_varchar, header_names, plain_aws_header, scan_errors
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import count_rows, read_delimited, read_parquet_varchar, stage_text
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.sql_models import insert_model

KIND = "aws_carbon"
REQUIRED_COLUMNS = ("usage_account_id", "usage_period_start", "model_version")
VALUE_COLUMNS = tuple(
    f"total_{name}_emissions_{part}"
    for name in ("lbm", "mbm", "scope_1", "scope_2_lbm", "scope_2_mbm", "scope_3_lbm", "scope_3_mbm")
    for part in ("value", "unit")
)
OPTIONAL_COLUMNS = (
    "last_refresh_timestamp",
    "location",
    "payer_account_id",
    "product_code",
    "region_code",
    "usage_period_end",
    *VALUE_COLUMNS,
)


def export_name(source: SourceConfig) -> str:
    return str(source.options.get("export_name") or source.uri.rstrip("/").rsplit("/", 1)[-1])


def model_version_rank(version: str) -> str:
    """A sortable key so that v1 < v2.0.0 < v10.1: each numeric part zero-padded to six digits."""
    parts = version.lstrip("vV").split(".")
    return ".".join(p.zfill(6) if p.isdigit() else p for p in parts)


@dataclass(frozen=True)
class CarbonDelivery:
    month: date
    model_version: str
    execution_id: str
    manifest_key: str
    object_keys: tuple[str, ...]


def _relative_key(source_id: str, manifest_key: str, uri: str) -> str:
    if "/data/" not in uri:
        raise SourceError(f"dataFiles entry '{uri}' is not under data/", source_id=source_id, object_key=manifest_key)
    return "data/" + uri.split("/data/", 1)[1]


def model_versions(landing: Landing) -> set[str]:
    """The carbon model versions the export holds any month of (its ``metadata/model_version=`` folders)."""
    return {folder.split("=", 1)[1] for folder in landing.list_dirs("metadata") if folder.startswith("model_version=")}


def discover_deliveries(landing: Landing, source: SourceConfig, month: date) -> list[CarbonDelivery]:
    name = export_name(source)
    deliveries = []
    for version_folder in landing.list_dirs("metadata"):
        if not version_folder.startswith("model_version="):
            continue
        version = version_folder.split("=", 1)[1]
        manifest_key = f"metadata/{version_folder}/usage_period={month:%Y-%m}/{name}-Manifest.json"
        if not landing.exists(manifest_key):
            continue
        manifest = landing.read_json(manifest_key)
        if not isinstance(manifest, dict) or "dataFiles" not in manifest:
            raise SourceError("manifest has no 'dataFiles'", source_id=source.id, object_key=manifest_key)
        keys = tuple(_relative_key(source.id, manifest_key, str(u)) for u in manifest["dataFiles"])
        execution_id = str(manifest.get("executionId") or manifest_key)
        deliveries.append(CarbonDelivery(month, version, execution_id, manifest_key, keys))
    return deliveries


def has_no_content(path: Path) -> bool:
    """True for a zero-byte object or a gzip stream that inflates to nothing (read one byte, not the file)."""
    if path.stat().st_size == 0:
        return True
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            return handle.read(1) == b""
    return False


def read_object(
    con: duckdb.DuckDBPyConnection, path: Path, *, source_id: str, object_key: str
) -> duckdb.DuckDBPyRelation | None:
    """One object as an all-VARCHAR relation (typed Parquet columns as text, integer account ids padded
    back to 12 digits), or None when it has no content at all."""
    if has_no_content(path):
        return None
    shape = {
        "source_id": source_id,
        "object_key": object_key,
        "normalise": str.strip,
        "required": REQUIRED_COLUMNS,
        "optional": OPTIONAL_COLUMNS,
    }
    if object_key.lower().endswith(".parquet"):
        return read_parquet_varchar(con, path, cast=cur_varchar, **shape)
    names = header_names(con, path, parquet=False, source_id=source_id, object_key=object_key)
    # a plain object (what AWS writes) is read with its header as read, without DuckDB's dialect sniffer
    plain = plain_aws_header(path, names, REQUIRED_COLUMNS, str.strip)
    return read_delimited(con, path, header=names if plain else None, **shape)


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read: these deliveries are small (the skip is for CUR months)
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.aws_carbon_emissions; run inside the caller's transaction."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, "raw.aws_carbon_emissions", source.id, month)
    deliveries = discover_deliveries(landing, source, month)
    rows_by_version: dict[str, int] = {}
    for delivery in deliveries:
        rows = 0
        for key in delivery.object_keys:
            relation = read_object(con, landing.local_path(key), source_id=source.id, object_key=key)
            if relation is None:
                continue
            with scan_errors(source.id, key):
                text = stage_text(con, relation, "carbon_file")
                refuse_invalid_rows(
                    con,
                    "staging/aws_carbon_emissions__invalid",
                    source_id=source.id,
                    object_key=key,
                    period_month=month,
                    model_version=delivery.model_version,
                )
            expected = count_rows(con.table(text))
            written = insert_model(
                con,
                "raw.aws_carbon_emissions",
                "staging/aws_carbon_emissions",
                source_id=source.id,
                period_month=month,
                model_version=delivery.model_version,
                model_version_rank=model_version_rank(delivery.model_version),
                delivery_id=delivery.execution_id,
                object_key=key,
            )
            if written != expected:
                raise SourceError(f"read {expected} rows but wrote {written}", source_id=source.id, object_key=key)
            con.execute(f"DROP TABLE {text}")
            rows += written
        con.execute("DROP VIEW IF EXISTS carbon_file")
        record_delivery(
            con,
            source_id=source.id,
            source_kind=KIND,
            month=month,
            delivery_id=delivery.execution_id,
            model_version=delivery.model_version,
            manifest_key=delivery.manifest_key,
            object_count=len(delivery.object_keys),
            row_count=rows,
            status="loaded",
        )
        rows_by_version[delivery.model_version] = rows
    restated = record_restatement_if_changed(
        con,
        source_id=source.id,
        month=month,
        previous=previous,
        change_kind="model_version_or_redelivery",
        run_id=run_id,
    )
    return LoadSummary(
        source.id,
        month,
        rows=sum(rows_by_version.values()),
        model_versions=tuple(sorted(rows_by_version)),
        restated=restated,
    )


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    deliveries = discover_deliveries(landing, source, month)
    if not deliveries:
        return None
    return ",".join(sorted(f"{d.model_version}/{d.execution_id}" for d in deliveries))


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    months = set()
    for version_folder in landing.list_dirs("metadata"):
        for period in landing.list_dirs(f"metadata/{version_folder}"):
            if period.startswith("usage_period="):
                year, _, month = period.split("=", 1)[1].partition("-")
                months.add(folder_month(year, month, source_id=source.id, folder=f"metadata/{version_folder}/{period}"))
    return sorted(months)
