"""FOCUS (FinOps Open Cost and Usage Specification) 1.0 to 1.4 exports (and 1.0-preview names), from any provider.

Two layouts, told apart by the source folder (docs/sources.md, section `focus`):

* Manifest-driven, when the folder has ``metadata/`` (AWS Data Exports tables ``FOCUS_1_0_AWS`` and
  ``FOCUS_1_2_AWS``): ``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`` (``billing_period=``
  is accepted too) names the month's objects in ``dataFiles``, full ``s3://`` URIs whose part from
  ``data/`` on is the key under the source folder. Only listed objects are read: a refresh that needs
  fewer chunks leaves stale ones behind. The delivery is the manifest's ``executionId``; every row
  belongs to the billing period, and a charge starting outside it is kept and flagged.
* Dropped files otherwise (Azure, GCP, OCI exports copied into the folder): every ``*.csv``,
  ``*.csv.gz`` and ``*.parquet`` directly in the folder is part of the delivery, each file's SHA-256
  its version, and each row belongs to the month of its own ChargePeriodStart (UTC), so a file may
  cover several months and a month several files.

Headers match FOCUS names case-insensitively (and ignoring underscores, for snake_case copies). Every
value is read as VARCHAR and cast in SQL (dbt_like_sql/staging/focus_parsed.sql), so an unusable value
is reported with its object, row and column before anything is written. The FOCUS version is detected
from the columns present and recorded on each row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
from carbon_pipeline.sources.dropped_files import load_dropped_months
from carbon_pipeline.sources.focus import azure_export_layout
from carbon_pipeline.sources.focus import versions as focus_versions
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import count_rows, read_delimited, read_parquet_varchar, stage_text
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.connection import scratch_connection
from carbon_pipeline.warehouse.sql_models import stage_model, view_model

KIND = "focus"
TABLE = "raw.focus_charges"
REQUIRED_COLUMNS = (
    "ChargePeriodStart",
    "ChargeCategory",
    "BilledCost",
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
)
# Conditional or not needed by the inventory: absent columns read as NULL. SkuId is Conditional in
# every FOCUS version, so an export without it is still valid.
OPTIONAL_COLUMNS = (
    "BillingAccountId",
    "SubAccountId",
    "RegionId",
    "ServiceCategory",
    "ChargeClass",
    "ConsumedQuantity",
    "ConsumedUnit",
    "PricingQuantity",
    "PricingUnit",
    "EffectiveCost",
    "SkuId",
    "ResourceId",
    # what the usage estimate classifies with (schema/80_cloud_billing.sql): CUR's own usage type, operation
    # and service code on AWS rows; the resource type, description and SKU meter and price details elsewhere
    "x_UsageType",
    "x_Operation",
    "x_ServiceCode",
    "ResourceType",
    "ChargeDescription",
    "SkuMeter",
    "SkuPriceDetails",
    "x_SkuDetails",
    "x_SkuMeterCategory",
    "x_SkuMeterSubcategory",
    "x_SkuMeterName",
    # issue 14: commitment negations (AWS rows FOCUS books as Usage), Google's and FOCUS 1.1's subcategory, and
    # the region's display name where RegionId is missing
    "CommitmentDiscountId",
    "ServiceSubcategory",
    "RegionName",
)
# Columns first introduced by a version, 1.0-preview aliases and header matching: sources/focus/versions.py
VERSION_MARKERS = focus_versions.VERSION_MARKERS
OLDEST_VERSION = "1.0"
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
_PERIOD_FOLDER = re.compile(r"^(BILLING_PERIOD|billing_period)=(\d{4})-(\d{2})$")


def _match_key(header: str) -> str:
    return header.strip().replace("_", "").lower()


_CANONICAL = {_match_key(name): name for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}


def canonical_name(header: str) -> str:
    """The FOCUS spelling of a header (``billedcost``, ``billed_cost`` -> ``BilledCost``, the 1.0-preview
    ``Provider`` -> ``ProviderName``); other columns (provider ``x_`` columns, extras) keep their own name.
    Reading a whole header, focus_versions.header_normaliser also settles collisions."""
    return focus_versions.header_normaliser([header], _CANONICAL.values())(header)


def focus_version(columns: Iterable[str]) -> str:
    """The newest FOCUS version whose own columns appear in the header (1.0 to 1.4, or 1.0-preview)."""
    return focus_versions.detect_version(columns)


def export_name(source: SourceConfig) -> str:
    return str(source.options.get("export_name") or source.uri.rstrip("/").rsplit("/", 1)[-1])


@dataclass(frozen=True)
class FocusObject:
    key: str
    delivery_id: str  # the export's executionId, or the file's sha256


@dataclass(frozen=True)
class FocusDelivery:
    """A month's delivery in a manifest or an Azure export layout: every row belongs to ``month``."""

    month: date
    manifest_key: str
    execution_id: str
    objects: tuple[FocusObject, ...]


def is_manifest_layout(landing: Landing) -> bool:
    return "metadata" in landing.list_dirs("")


def _period_folders(landing: Landing) -> dict[date, str]:
    folders: dict[date, str] = {}
    for folder in landing.list_dirs("metadata"):
        match = _PERIOD_FOLDER.match(folder)
        if match and 1 <= int(match.group(3)) <= 12:  # like aws_cur2.period_folders
            folders[date(int(match.group(2)), int(match.group(3)), 1)] = folder
    return folders


def _data_key(source_id: str, manifest_key: str, uri: str) -> str:
    """``s3://bucket/prefix/export/data/BILLING_PERIOD=2024-09/export-00001.csv.gz`` -> the key from ``data/`` on."""
    if uri.startswith("data/"):
        return uri
    if "/data/" not in uri:
        raise SourceError(f"dataFiles entry '{uri}' is not under data/", source_id=source_id, object_key=manifest_key)
    return "data/" + uri.split("/data/", 1)[1]


def _manifest_delivery(landing: Landing, source: SourceConfig, month: date) -> FocusDelivery | None:
    folder = _period_folders(landing).get(month)
    if folder is None:
        return None
    manifest_key = f"metadata/{folder}/{export_name(source)}-Manifest.json"
    if not landing.exists(manifest_key):
        found = landing.list_files(f"metadata/{folder}", "-Manifest.json")
        raise SourceError(
            f"billing period folder has no '{export_name(source)}-Manifest.json' (found: {found or 'nothing'}); "
            "set export_name to the export's name",
            source_id=source.id,
            object_key=f"metadata/{folder}/",
        )
    manifest = landing.read_json(manifest_key)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("dataFiles"), list):
        raise SourceError("manifest has no 'dataFiles' list", source_id=source.id, object_key=manifest_key)
    execution_id = str(manifest.get("executionId") or f"sha256:{landing.sha256(manifest_key)}")
    objects = tuple(
        FocusObject(_data_key(source.id, manifest_key, str(u)), execution_id) for u in manifest["dataFiles"]
    )
    return FocusDelivery(month, manifest_key, execution_id, objects)


def _dropped_files(landing: Landing) -> list[str]:
    return [k for k in landing.list_files("") if k.lower().endswith(DATA_SUFFIXES)]


def discover_delivery(landing: Landing, source: SourceConfig, month: date) -> FocusDelivery | None:
    """What makes up ``month``'s delivery in a manifest or an Azure export layout: the manifest's objects, or
    the newest run's (dropped files are read for all of a run's months at once: _load_dropped_files)."""
    if is_manifest_layout(landing):
        return _manifest_delivery(landing, source, month)
    return _azure_delivery(landing, month)


def _azure_delivery(landing: Landing, month: date) -> FocusDelivery | None:
    """An Azure export's month: the newest run of the period folder starting in it
    (sources/focus/azure_export_layout.py); the run id is the delivery, every row belongs to the period (a charge
    outside it is kept and flagged)."""
    run = azure_export_layout.newest_run(landing, month)
    if run is None or not run.keys:
        return None
    objects = tuple(FocusObject(key, run.run_id) for key in run.keys)
    return FocusDelivery(month, run.manifest_key or f"{run.period_folder}/{run.run_id}/", run.run_id, objects)


def _read_object(
    con: duckdb.DuckDBPyConnection, path: Path, source: SourceConfig, key: str
) -> tuple[duckdb.DuckDBPyRelation, str]:
    """The object as an all-VARCHAR relation with FOCUS column names, and its FOCUS version."""
    lowered = key.lower()
    if not lowered.endswith(DATA_SUFFIXES):
        raise SourceError(
            f"unsupported object type (expected one of {', '.join(DATA_SUFFIXES)})",
            source_id=source.id,
            object_key=key,
        )
    parquet = lowered.endswith(".parquet")
    reader = read_parquet_varchar if parquet else read_delimited
    try:
        header = (
            con.read_parquet(literal(path)).columns
            if parquet
            else con.read_csv(literal(path), header=True, all_varchar=True).columns
        )
    except duckdb.Error:
        header = []  # the reader below fails on it with the object's name
    relation = reader(
        con,
        path,
        source_id=source.id,
        object_key=key,
        normalise=focus_versions.header_normaliser(header, _CANONICAL.values()),
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
    )
    return relation, focus_version(header)


def _stage_object(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, obj: FocusObject, billing_month: date | None
) -> str:
    """Stage every row of one object into the temp table ``staged_focus`` (typed, with its month),
    refusing the object whole if any value is unusable. Returns its FOCUS version."""
    relation, version = _read_object(con, landing.local_path(obj.key), source, obj.key)
    text = stage_text(con, relation, "focus_file")
    view_model(con, "focus_parsed", "staging/focus_parsed")
    refuse_invalid_rows(con, "staging/focus_charges__invalid", source_id=source.id, object_key=obj.key)
    staged = stage_model(
        con,
        "staged_focus",
        "staging/focus_charges",
        source_id=source.id,
        period_month=billing_month,
        focus_version=version,
        delivery_id=obj.delivery_id,
        object_key=obj.key,
    )
    expected = count_rows(con.table(text))
    con.execute(f"DROP TABLE {text}")  # the text is not needed once typed: not held while the rows are inserted
    if staged != expected:
        raise SourceError(f"read {expected} rows but staged {staged}", source_id=source.id, object_key=obj.key)
    return version


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS staged_focus")
    con.execute("DROP VIEW IF EXISTS focus_parsed")
    con.execute("DROP VIEW IF EXISTS focus_file")


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read: these deliveries are small (the skip is for CUR months)
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
    """Replace ``months`` of ``source`` in raw.focus_charges; run inside the caller's transaction
    (registry.OpenedSource.load_months calls it once for a run's months). A manifest or an Azure export
    delivers each month's own objects, read month by month; dropped files each hold any months, so they are
    read once for all of them (_load_dropped_files)."""
    if is_manifest_layout(landing) or azure_export_layout.is_azure_export_layout(landing):
        return [_load_delivered_month(con, landing, source, month, run_id=run_id) for month in months]
    return _load_dropped_files(con, landing, source, list(months), run_id=run_id)


def _load_delivered_month(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, month: date, *, run_id: str | None
) -> LoadSummary:
    """One month of a manifest or Azure export layout: its delivery's objects, every row in its billing month."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, TABLE, source.id, month)
    delivery = discover_delivery(landing, source, month)
    if delivery is None:
        return LoadSummary(source.id, month, rows=0)
    rows_by_object: dict[str, int] = {}
    versions: set[str] = set()
    for obj in delivery.objects:
        version = _stage_object(con, landing, source, obj, delivery.month)
        written = con.execute(
            f"INSERT INTO {TABLE} BY NAME SELECT * FROM staged_focus WHERE period_month = ?", [month]
        ).fetchall()[0][0]
        rows_by_object[obj.key] = written
        if written:
            versions.add(version)
    _drop_staging(con)
    record_delivery(
        con,
        source_id=source.id,
        source_kind=KIND,
        month=month,
        delivery_id=delivery.execution_id,
        manifest_key=delivery.manifest_key,
        object_count=len(delivery.objects),
        row_count=sum(rows_by_object.values()),
        status="loaded",
    )
    restated = record_restatement_if_changed(
        con, source_id=source.id, month=month, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return LoadSummary(
        source.id,
        month,
        rows=sum(rows_by_object.values()),
        delivery=delivery.execution_id,
        objects=len(delivery.objects),
        focus_versions=tuple(sorted(versions)),
        restated=restated,
    )


def _load_dropped_files(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, months: list[date], *, run_id: str | None
) -> list[LoadSummary]:
    """``months`` of a folder of dropped files, each file read once for all of them (sources/dropped_files.py)."""
    keys = tuple(_dropped_files(landing))
    loaded = load_dropped_months(
        con,
        landing,
        source,
        months,
        kind=KIND,
        table=TABLE,
        keys=keys,
        staged="staged_focus",
        stage=lambda key: _stage_object(con, landing, source, FocusObject(key, landing.sha256(key)), None),
        drop_staging=lambda: _drop_staging(con),
        run_id=run_id,
    )
    return loaded.summaries(source.id, months, labels_as="focus_versions")


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """What a sensor compares to notice a new delivery: the manifest's executionId, or the SHA-256s of
    the dropped files (any change to any file re-reads every month they cover)."""
    if is_manifest_layout(landing):
        delivery = _manifest_delivery(landing, source, month)
        return None if delivery is None else delivery.execution_id
    if azure_export_layout.is_azure_export_layout(landing):
        run = azure_export_layout.newest_run(landing, month)
        return None if run is None else run.run_id
    return ",".join(landing.sha256(k) for k in _dropped_files(landing)) or None


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    """Billing period folders (manifest layout), or the months the dropped files' rows fall in: read
    with the loader's own staging, so a file whose rows cannot be dated fails here, loudly, too."""
    if is_manifest_layout(landing):
        return sorted(_period_folders(landing))
    if azure_export_layout.is_azure_export_layout(landing):
        return sorted(azure_export_layout.period_folders(landing))
    months: set[date] = set()
    with scratch_connection() as con:
        for key in _dropped_files(landing):
            _stage_object(con, landing, source, FocusObject(key, "available_months"), None)
            months.update(m for (m,) in con.execute("SELECT DISTINCT period_month FROM staged_focus").fetchall())
    return sorted(months)
