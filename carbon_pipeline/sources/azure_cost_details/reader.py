"""Azure Cost Management cost details (the native "actual cost" and "amortized cost" exports, EA and MCA
column spellings), CSV (also gzip) or Parquet, mapped onto FOCUS columns and staged like a FOCUS export
(sources/focus_mapped.py) into raw.focus_charges.

Two layouts, told apart by the source folder (docs/sources.md, section `azure_cost_details`):

* The export's own folder, ``<export>/<yyyymmdd-yyyymmdd>/<run-id>/part_*.csv[.gz]|parquet`` with a
  ``manifest.json`` per run: a month is the newest run of the period folder starting in it
  (sources/focus/azure_export_layout.py, shared with the FOCUS kind), every row belongs to the period, and a
  manifest's ``exportConfig.type`` says the dataset and its ``blobs[].dataRowCount`` how many rows each file
  must have.
* Dropped files: every CSV/Parquet file directly in the folder, each file's SHA-256 its version, each row in
  the month of its own Date.

A source is one dataset, ``actual`` or ``amortized`` (option ``dataset``, else the manifest's type, else what
the rows show). Actual cost carries commitment purchases and zero-cost covered usage; amortized cost spreads
the purchases over the usage and adds the unused part as UnusedReservation / UnusedSavingsPlan rows, and has no
purchase rows. Rows of the other dataset in a source are refused, so a commitment is never counted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources import focus_mapped
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
)
from carbon_pipeline.sources.dropped_files import load_dropped_months
from carbon_pipeline.sources.focus import azure_export_layout
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import count_rows
from carbon_pipeline.warehouse.connection import scratch_connection

KIND = "azure_cost_details"
TABLE = focus_mapped.TABLE
REQUIRED_COLUMNS = ("Date", "CostInBillingCurrency", "BillingCurrency")
OPTIONAL_COLUMNS = (
    "BillingAccountId",
    "SubscriptionId",
    "ResourceLocation",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "MeterId",
    "UnitOfMeasure",
    "Quantity",
    "ChargeType",
    "PricingModel",
    "BenefitId",
    "BenefitName",
    "ReservationId",
    "ReservationName",
    "ProductName",
    "AdditionalInfo",
    "ConsumedService",
    "ResourceId",
)
# older or other spellings of the same column: EA's BillingCurrencyCode, the legacy usage-details names
ALIASES = {
    "BillingCurrencyCode": "BillingCurrency",
    "Currency": "BillingCurrency",
    "Cost": "CostInBillingCurrency",
    "PreTaxCost": "CostInBillingCurrency",
    "UsageDate": "Date",
    "Product": "ProductName",
    "SubscriptionGuid": "SubscriptionId",
    "InstanceName": "ResourceId",
    "UsageQuantity": "Quantity",
}
DATASETS = ("actual", "amortized")
MANIFEST_TYPES = {"actualcost": "actual", "amortizedcost": "amortized"}
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet")
NATIVE_VIEW = "azure_cost_file"
# the FOCUS column each message may name -> the cost-details column it came from
FOCUS_TO_NATIVE = {
    "BilledCost": "CostInBillingCurrency",
    "EffectiveCost": "CostInBillingCurrency",
    "ChargePeriodStart": "Date",
    "ConsumedQuantity": "Quantity",
    "PricingQuantity": "Quantity",
    "BillingCurrency": "BillingCurrency",
    "SubAccountId": "SubscriptionId",
    "ProviderName": "(provider)",
}
UNUSED_COMMITMENT = ("UnusedReservation", "UnusedSavingsPlan")


@dataclass(frozen=True)
class Delivery:
    month: date
    run_id: str | None  # the export run (export layout), None for dropped files
    manifest_key: str | None
    manifest_dataset: str | None
    keys: tuple[str, ...]
    row_counts: dict[str, int]  # from the manifest's blobs, where it says

    @property
    def billing_month(self) -> date | None:
        return self.month if self.run_id is not None else None


def _manifest_facts(manifest: Any, period: str, run: str) -> tuple[str | None, dict[str, int]]:
    """The dataset a manifest names (exportConfig.type) and its files' row counts (blobs[].dataRowCount)."""
    if not isinstance(manifest, dict):
        return None, {}
    config = manifest.get("exportConfig")
    kind = str(config.get("type") or "") if isinstance(config, dict) else ""
    counts: dict[str, int] = {}
    marker = f"{period}/{run}/"
    for blob in manifest.get("blobs") or []:
        if isinstance(blob, dict) and marker in str(blob.get("blobName", "")):
            count = blob.get("dataRowCount")
            if isinstance(count, int) and not isinstance(count, bool):
                counts[marker + str(blob["blobName"]).split(marker, 1)[1]] = count
    return kind or None, counts


def _dropped_files(landing: Landing) -> list[str]:
    return [k for k in landing.list_files("") if k.lower().endswith(DATA_SUFFIXES)]


def discover_delivery(landing: Landing, source: SourceConfig, month: date) -> Delivery | None:
    """``month``'s delivery in an export folder: the newest run of its period folder (dropped files are one
    delivery for every month: _dropped_delivery)."""
    run = azure_export_layout.newest_run(landing, month)
    if run is None or not run.keys:
        return None
    manifest = landing.read_json(run.manifest_key) if run.manifest_key else None
    kind, counts = _manifest_facts(manifest, run.period_folder, run.run_id)
    dataset = None
    if kind is not None:
        if kind.lower() == "focuscost":
            raise SourceError(
                "this export is a FOCUS export (exportConfig.type FocusCost): declare it with kind 'focus'",
                source_id=source.id,
                object_key=run.manifest_key,
            )
        dataset = MANIFEST_TYPES.get(kind.lower())
        if dataset is None:
            raise SourceError(
                f"exportConfig.type {kind!r} is not a cost-details dataset (ActualCost or AmortizedCost)",
                source_id=source.id,
                object_key=run.manifest_key,
            )
    keys = tuple(k for k in run.keys if k.lower().endswith(DATA_SUFFIXES))
    return Delivery(month, run.run_id, run.manifest_key or f"{run.period_folder}/{run.run_id}/", dataset, keys,
                    counts)  # fmt: skip


def _dropped_delivery(landing: Landing) -> Delivery:
    """The folder's dropped files as one delivery of no run and no month: each row goes to its own month."""
    return Delivery(date(1970, 1, 1), None, None, None, tuple(_dropped_files(landing)), {})


def dataset_of(source: SourceConfig, delivery: Delivery) -> str | None:
    """The source's declared dataset, checked against the manifest's; None: to be told by the rows."""
    declared = source.options.get("dataset")
    if declared and delivery.manifest_dataset and declared != delivery.manifest_dataset:
        raise SourceError(
            f"the source says dataset '{declared}' but the export's manifest says '{delivery.manifest_dataset}'",
            source_id=source.id,
            object_key=delivery.manifest_key,
        )
    return declared or delivery.manifest_dataset


def _rows_dataset(con: duckdb.DuckDBPyConnection, source: SourceConfig, key: str, declared: str | None) -> str:
    """The dataset the object's rows belong to, refusing rows of the other one: UnusedReservation and
    UnusedSavingsPlan rows exist only in amortized cost, reservation and savings-plan purchases only in actual
    cost (their cost is spread over the usage in amortized cost, so both would count it twice)."""
    unused = con.execute(
        f"SELECT MIN(object_line), any_value(trim(ChargeType)) FROM {NATIVE_VIEW} WHERE trim(ChargeType) IN (?, ?)",
        list(UNUSED_COMMITMENT),
    ).fetchall()[0]
    purchase = con.execute(
        f"""SELECT MIN(object_line) FROM {NATIVE_VIEW}
            WHERE trim(ChargeType) = 'Purchase'
              AND lower(trim(COALESCE(PricingModel, ''))) IN ('reservation', 'savingsplan')
              AND COALESCE(TRY_CAST(CostInBillingCurrency AS DOUBLE), 0) <> 0"""
    ).fetchall()[0][0]
    if unused[0] is not None and purchase is not None:
        raise SourceError(
            f"mixes amortized cost ({unused[1]} rows) and actual cost (commitment purchases, first at row "
            f"{purchase}): keep one dataset per source, or the commitment is counted twice",
            source_id=source.id,
            object_key=key,
            row=unused[0],
            column="ChargeType",
        )
    shown = "amortized" if unused[0] is not None else "actual" if purchase is not None else None
    if declared and shown and shown != declared:
        line = unused[0] if shown == "amortized" else purchase
        what = f"{unused[1]} rows exist only in amortized" if shown == "amortized" else (
            "commitment purchases exist only in actual")  # fmt: skip
        raise SourceError(
            f"{what} cost data, but the source is '{declared}': keep one dataset per source, or the commitment "
            "is counted twice",
            source_id=source.id,
            object_key=key,
            row=line,
            column="ChargeType",
        )
    return declared or shown or "actual"


def _stage_object(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str, delivery: Delivery,
    delivery_id: str, declared: str | None,
) -> tuple[int, str]:  # fmt: skip
    """Stage one object into ``staged_focus``; returns the rows staged and the object's dataset."""
    if not key.lower().endswith(DATA_SUFFIXES):
        raise SourceError(
            f"unsupported object type (expected one of {', '.join(DATA_SUFFIXES)})", source_id=source.id,
            object_key=key,
        )  # fmt: skip
    relation, display = focus_mapped.read_native_table(
        con, landing.local_path(key), source=source, key=key, required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS, aliases=ALIASES,
    )  # fmt: skip
    expected = delivery.row_counts.get(key)
    if expected is not None and count_rows(relation) != expected:
        raise SourceError(
            f"has {count_rows(relation)} rows but the manifest's dataRowCount says {expected}: a partial copy?",
            source_id=source.id,
            object_key=key,
        )
    relation.create_view(NATIVE_VIEW, replace=True)
    dataset = _rows_dataset(con, source, key, declared)
    names = {focus: display.get(native, native) for focus, native in FOCUS_TO_NATIVE.items()}
    staged = focus_mapped.stage_as_focus(
        con,
        relation,
        source=source,
        key=key,
        native_view=NATIVE_VIEW,
        invalid_model="staging/azure_cost_details_as_focus__invalid",
        mapping_model="staging/azure_cost_details_as_focus",
        mapping_params={"dataset": dataset},
        label=f"{KIND}:{dataset}",
        delivery_id=delivery_id,
        period_month=delivery.billing_month,
        display={**names, **{n: display.get(n, n) for n in ("Date", "Quantity")}},
    )
    return staged, dataset


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read, like the FOCUS kind
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
    (registry.OpenedSource.load_months calls it once for a run's months). An export folder delivers each month
    its own run, read month by month; dropped files each hold any months, so they are read once for all of
    them (sources/dropped_files.py)."""
    if azure_export_layout.is_azure_export_layout(landing):
        return [_load_export_month(con, landing, source, month, run_id=run_id) for month in months]
    dropped = _dropped_delivery(landing)
    keys = dropped.keys
    declared = dataset_of(source, dropped)

    def stage(key: str) -> str:
        _, dataset = _stage_object(con, landing, source, key, dropped, landing.sha256(key), declared)
        return f"{KIND}:{dataset}"

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
    for month in months:
        _refuse_mixed_datasets(source, month, loaded.labels[month])
    return loaded.summaries(source.id, months, labels_as="focus_versions")


def _refuse_mixed_datasets(source: SourceConfig, month: date, datasets: set[str]) -> None:
    if len(datasets) > 1:
        raise SourceError(
            f"{month:%Y-%m} mixes actual and amortized cost files: keep one dataset per source, or commitments are "
            "counted twice",
            source_id=source.id,
        )


def _load_export_month(
    con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, month: date, *, run_id: str | None
) -> LoadSummary:
    """One month of an export folder: the newest run of its period, every row in that billing month."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, TABLE, source.id, month)
    delivery = discover_delivery(landing, source, month)
    if delivery is None:
        return LoadSummary(source.id, month, rows=0)
    declared = dataset_of(source, delivery)
    rows_by_object: dict[str, int] = {}
    datasets: set[str] = set()
    for key in delivery.keys:
        _, dataset = _stage_object(con, landing, source, key, delivery, str(delivery.run_id), declared)
        written = con.execute(
            f"INSERT INTO {TABLE} BY NAME SELECT * FROM {focus_mapped.STAGED} WHERE period_month = ?", [month]
        ).fetchall()[0][0]
        rows_by_object[key] = written
        if written:
            datasets.add(f"{KIND}:{dataset}")
    focus_mapped.drop_staging(con, NATIVE_VIEW)
    _refuse_mixed_datasets(source, month, datasets)
    record_delivery(
        con, source_id=source.id, source_kind=KIND, month=month, delivery_id=str(delivery.run_id),
        manifest_key=delivery.manifest_key, object_count=len(delivery.keys),
        row_count=sum(rows_by_object.values()), status="loaded",
    )  # fmt: skip
    restated = record_restatement_if_changed(
        con, source_id=source.id, month=month, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return LoadSummary(
        source.id,
        month,
        rows=sum(rows_by_object.values()),
        delivery=str(delivery.run_id),
        objects=len(delivery.keys),
        focus_versions=tuple(sorted(datasets)),
        restated=restated,
    )


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    """The newest run's id (export layout), or the SHA-256s of the dropped files."""
    if azure_export_layout.is_azure_export_layout(landing):
        run = azure_export_layout.newest_run(landing, month)
        return None if run is None else run.run_id
    return ",".join(landing.sha256(k) for k in _dropped_files(landing)) or None


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    """Period folders (export layout), or the months the dropped files' rows fall in, read with the loader's
    own staging (a file whose rows cannot be dated fails here, loudly, too)."""
    if azure_export_layout.is_azure_export_layout(landing):
        return sorted(azure_export_layout.period_folders(landing))
    months: set[date] = set()
    with scratch_connection() as con:
        delivery = _dropped_delivery(landing)
        for key in delivery.keys:
            _stage_object(con, landing, source, key, delivery, "available_months", source.options.get("dataset"))
            months.update(
                m for (m,) in con.execute(f"SELECT DISTINCT period_month FROM {focus_mapped.STAGED}").fetchall()
            )
    return sorted(months)


def refuse_before_commit(con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date) -> None:
    """The month just read, before the raw stage commits (SourceKind.before_commit)."""
    focus_mapped.refuse_broken_contract(
        con, source, month, provider="azure",
        display={"BillingCurrency": "BillingCurrency", "SubAccountId": "SubscriptionId"},
    )  # fmt: skip
