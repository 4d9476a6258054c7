"""Legacy AWS Cost and Usage Report (CUR 1), CSV, create-new-version and overwrite layouts.

The period folder's manifest is the only truth about which objects make up the current delivery:
old assemblyId folders keep stale full copies, so data files are never globbed. Earlier assemblies
found beside the current one are recorded as superseded deliveries, not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
)
from carbon_pipeline.sources.errors import SourceError
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.months import next_month
from carbon_pipeline.sources.tabular import athena_name, count_rows, read_delimited
from carbon_pipeline.warehouse.sql_models import insert_model, run_model

KIND = "aws_cur"
REQUIRED_COLUMNS = (
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_usage_start_date",
    "line_item_usage_amount",
    "line_item_unblended_cost",
)
OPTIONAL_COLUMNS = (
    "identity_line_item_id",
    "bill_payer_account_id",
    "line_item_operation",
    "line_item_usage_end_date",
    "pricing_unit",
    "line_item_currency_code",
    "product_region_code",
    "product_region",
    "product_location",
    "product_instance_type",
    "product_vcpu",
)
# CSV header names, for messages: users know `lineItem/UsageAmount`, not its Athena spelling.
CSV_NAMES = {
    "line_item_usage_account_id": "lineItem/UsageAccountId",
    "line_item_line_item_type": "lineItem/LineItemType",
    "line_item_product_code": "lineItem/ProductCode",
    "line_item_usage_type": "lineItem/UsageType",
    "line_item_usage_start_date": "lineItem/UsageStartDate",
    "line_item_usage_amount": "lineItem/UsageAmount",
    "line_item_unblended_cost": "lineItem/UnblendedCost",
}


def period_folder(month: date) -> str:
    return f"{month:%Y%m%d}-{next_month(month):%Y%m%d}"


def report_name(source: SourceConfig) -> str:
    return str(source.options.get("report_name") or source.uri.rstrip("/").rsplit("/", 1)[-1])


@dataclass(frozen=True)
class CurDelivery:
    month: date
    assembly_id: str
    manifest_key: str
    object_keys: tuple[str, ...]
    superseded: tuple[tuple[str, str], ...] = field(default=())


def _relative_key(source_id: str, manifest_key: str, folder: str, key: str) -> str:
    marker = f"{folder}/"
    if marker not in key:
        raise SourceError(
            f"reportKeys entry '{key}' is not inside the period folder '{folder}'",
            source_id=source_id,
            object_key=manifest_key,
        )
    return marker + key.split(marker, 1)[1]


def discover_delivery(landing: Landing, source: SourceConfig, month: date) -> CurDelivery | None:
    """The current delivery of ``month`` per its period-level manifest, or None if there is none."""
    folder = period_folder(month)
    name = report_name(source)
    manifest_key = f"{folder}/{name}-Manifest.json"
    if not landing.exists(manifest_key):
        return None
    manifest = landing.read_json(manifest_key)
    if not isinstance(manifest, dict):
        raise SourceError("manifest is not a JSON object", source_id=source.id, object_key=manifest_key)
    for key in ("assemblyId", "reportKeys", "billingPeriod"):
        if key not in manifest:
            raise SourceError(f"manifest has no '{key}'", source_id=source.id, object_key=manifest_key)
    start = str(manifest["billingPeriod"].get("start", ""))[:8]
    if start != f"{month:%Y%m%d}":
        raise SourceError(
            f"manifest billingPeriod.start {start!r} does not match folder {folder}",
            source_id=source.id,
            object_key=manifest_key,
        )
    content_type = str(manifest.get("contentType", "text/csv")).lower()
    compression = str(manifest.get("compression", "GZIP")).upper()
    if "parquet" in content_type or compression not in ("GZIP", "NONE", ""):
        raise SourceError(
            f"contentType {content_type!r} / compression {compression!r} is not supported yet "
            "(the CSV gzip and plain layouts are; Parquet and ZIP are issue 3)",
            source_id=source.id,
            object_key=manifest_key,
        )
    assembly_id = str(manifest["assemblyId"])
    keys = tuple(_relative_key(source.id, manifest_key, folder, k) for k in manifest["reportKeys"])
    superseded = []
    for sub in landing.list_dirs(folder):
        older_key = f"{folder}/{sub}/{name}-Manifest.json"
        if sub != assembly_id and landing.exists(older_key):
            older = landing.read_json(older_key)
            if isinstance(older, dict) and older.get("assemblyId") not in (None, assembly_id):
                superseded.append((str(older["assemblyId"]), older_key))
    return CurDelivery(month, assembly_id, manifest_key, keys, tuple(superseded))


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
) -> dict[str, object]:
    """Replace ``month`` of ``source`` in raw.aws_cur_line_items; run inside the caller's transaction."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, "raw.aws_cur_line_items", source.id, month)
    delivery = discover_delivery(landing, source, month)
    if delivery is None:
        return {"source_id": source.id, "month": month.isoformat(), "delivery": None, "rows": 0}
    rows = 0
    for key in delivery.object_keys:
        relation = read_delimited(
            con,
            landing.local_path(key),
            source_id=source.id,
            object_key=key,
            normalise=athena_name,
            required=REQUIRED_COLUMNS,
            optional=OPTIONAL_COLUMNS,
            display=lambda c: CSV_NAMES.get(c, c),
        )
        relation.create_view("cur_file", replace=True)
        bad = run_model(con, "staging/aws_cur_line_items__invalid", period_month=month).fetchall()
        if bad:
            line, column, value = bad[0]
            raise SourceError(
                f"value {value!r} is not usable ({len(bad)}{'+' if len(bad) == 20 else ''} bad cells in this object)",
                source_id=source.id,
                object_key=key,
                row=line,
                column=column,
            )
        expected = count_rows(relation)
        written = insert_model(
            con,
            "raw.aws_cur_line_items",
            "staging/aws_cur_line_items",
            source_id=source.id,
            period_month=month,
            assembly_id=delivery.assembly_id,
            object_key=key,
        )
        if written != expected:
            raise SourceError(f"read {expected} rows but wrote {written}", source_id=source.id, object_key=key)
        rows += written
    con.execute("DROP VIEW IF EXISTS cur_file")
    record_delivery(
        con,
        source_id=source.id,
        source_kind=KIND,
        month=month,
        delivery_id=delivery.assembly_id,
        manifest_key=delivery.manifest_key,
        object_count=len(delivery.object_keys),
        row_count=rows,
        status="loaded",
    )
    for assembly_id, manifest_key in delivery.superseded:
        record_delivery(
            con,
            source_id=source.id,
            source_kind=KIND,
            month=month,
            delivery_id=assembly_id,
            manifest_key=manifest_key,
            object_count=None,
            row_count=None,
            status="superseded",
        )
    restated = record_restatement_if_changed(
        con, source_id=source.id, month=month, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return {
        "source_id": source.id,
        "month": month.isoformat(),
        "delivery": delivery.assembly_id,
        "objects": len(delivery.object_keys),
        "superseded": len(delivery.superseded),
        "rows": rows,
        "restated": restated,
    }


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """What a sensor compares to notice a new delivery: the manifest's assemblyId."""
    delivery = discover_delivery(landing, source, month)
    return None if delivery is None else delivery.assembly_id


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    months = []
    for folder in landing.list_dirs(""):
        if len(folder) == 17 and folder[8] == "-" and folder[:8].isdigit():
            months.append(date(int(folder[:4]), int(folder[4:6]), 1))
    return months
