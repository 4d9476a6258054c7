"""The organisation's own activity files (templates in docs/activity_templates.md).

An activity source is a folder; every ``*.csv`` directly in it is part of the delivery (files are
small, owned by people rather than exports, and may cover any months: each row is assigned to the
month of its own date). A file's SHA-256 is its version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date

import duckdb

from carbon_pipeline.errors import SourceError
from carbon_pipeline.safety.limits import truncate
from carbon_pipeline.safety.names import literal
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_months,
    previous_identities,
    record_delivery,
    record_restatements_if_changed,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.landing import Landing
from carbon_pipeline.sources.tabular import read_delimited
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.connection import scratch_connection
from carbon_pipeline.warehouse.sql_models import stage_model

KIND = "activity_csv"
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "electricity": {
        "required": ("month", "site", "country", "kwh"),
        "optional": (
            "grid_area",
            "cost",
            "currency",
            "supplier_kgco2e_per_kwh",
            "certificate_kwh",
            "supplier",
            "reading",  # meter | invoice | estimate: the activity tier of docs/uncertainty.md
        ),
    },
    # `vehicle` and `vehicle_class` were required before issue 4 (EPA 2018 fleet fuel); both still work
    "fuel": {
        "required": ("date", "fuel", "quantity", "unit"),
        "optional": ("vehicle", "site", "vehicle_class", "cost", "currency"),
    },
    "vehicle": {
        "required": ("date", "vehicle", "vehicle_type", "distance", "distance_unit"),
        "optional": ("ownership", "cost", "currency"),
    },
    "travel": {
        "required": ("date", "trip_ref", "mode", "distance", "distance_unit"),
        "optional": ("passengers", "cost", "currency", "cabin", "haul", "country", "nights"),
    },
    "spend": {
        "required": ("date", "supplier", "naics", "amount", "currency"),
        "optional": ("description",),
    },
}
# The file's own column behind a staged one, for messages: an electricity file has `kwh`, not `quantity`.
FILE_COLUMNS = {
    "electricity": {"quantity": "kwh", "date/month": "month"},
    "fuel": {"date/month": "date"},
    "vehicle": {"quantity": "distance", "date/month": "date"},
    "travel": {"quantity": "distance or nights", "date/month": "date"},
    "spend": {"quantity": "amount", "date/month": "date"},
}
# Suppliers that are cloud providers (compared case-insensitively, whole name): their spend is left out of
# spend-based category 1 in a month the inventory has the provider's own figures. A source's
# `cloud_suppliers` option adds names (or maps one to `none` to take it off the list).
DEFAULT_CLOUD_SUPPLIERS: dict[str, str] = {
    "amazon web services": "aws",
    "amazon web services, inc.": "aws",
    "amazon web services emea sarl": "aws",
    "aws emea sarl": "aws",
    "aws": "aws",
    "microsoft azure": "azure",
    "azure": "azure",
    "google cloud": "gcp",
    "google cloud platform": "gcp",
    "google cloud emea limited": "gcp",
    "oracle cloud": "oci",
    "oracle cloud infrastructure": "oci",
}
# Where a template's factors are looked up when the row itself does not say (electricity: its country
# and grid area; hotel stays: their country). `factor_geography` overrides it per source.
DEFAULT_FACTOR_GEOGRAPHY = "iso3:USA"


def cloud_suppliers(source: SourceConfig) -> dict[str, str]:
    """The supplier -> provider list this source matches spend against."""
    suppliers = dict(DEFAULT_CLOUD_SUPPLIERS)
    for name, provider in dict(source.options.get("cloud_suppliers") or {}).items():
        key = str(name).strip().lower()
        if provider is None or str(provider).lower() == "none":
            suppliers.pop(key, None)
        else:
            suppliers[key] = str(provider).strip().lower()
    return suppliers


def _stage_file(con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str, version: str) -> None:
    """Stage one file into the temp table ``staged_activity`` (typed, every row), refusing it whole
    if any row is unusable."""
    template = str(source.options["template"])
    spec = TEMPLATES[template]
    relation = read_delimited(
        con,
        landing.local_path(key),
        source_id=source.id,
        object_key=key,
        normalise=lambda h: h.strip().lower(),
        required=spec["required"],
        optional=spec["optional"],
    )
    relation.create_view("activity_file", replace=True)
    con.execute("DROP TABLE IF EXISTS activity_cloud_suppliers")
    con.execute("CREATE TEMP TABLE activity_cloud_suppliers (supplier_key VARCHAR, provider VARCHAR)")
    con.executemany("INSERT INTO activity_cloud_suppliers VALUES (?, ?)", list(cloud_suppliers(source).items()))
    stage_model(
        con,
        "staged_activity",
        f"staging/activity_{template}",
        source_id=source.id,
        object_key=key,
        object_version=version,
        factor_geography=source.options.get("factor_geography")
        or (None if template == "electricity" else DEFAULT_FACTOR_GEOGRAPHY),
        radiative_forcing=bool(source.options.get("radiative_forcing", False)),
    )
    refuse_invalid_rows(
        con,
        "staging/activity_rows__invalid",
        source_id=source.id,
        display=lambda column: FILE_COLUMNS[template].get(column, column),
        object_key=key,
    )


def _staged(con: duckdb.DuckDBPyConnection, landing: Landing, source: SourceConfig, key: str, version: str) -> str:
    """The file staged and validated once per connection: a run loads a source month by month, and an
    activity file covers many months, so staging it again for each month (sniffing, casting, validating)
    cost most of the raw stage. The temp table's name is a digest of everything staging depends on (the
    source's options and the file's version), so a changed file or option is staged anew."""
    identity = json.dumps([source.id, key, version, source.options], sort_keys=True, default=str)
    name = "staged_activity_" + hashlib.sha256(identity.encode()).hexdigest()[:16]
    exists = con.execute("SELECT COUNT(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [name]).fetchall()[
        0
    ][0]
    if not exists:
        _stage_file(con, landing, source, key, version)
        con.execute(f"ALTER TABLE staged_activity RENAME TO {name}")
    return name


def distinct_files(landing: Landing, source: SourceConfig) -> list[tuple[str, str]]:
    """(key, sha256) of the source's files, refusing two files with the same content: a file saved again
    under a second name (``fuel.csv``, ``fuel (1).csv``) was counted twice. Refused rather than skipped,
    because which copy is meant is the user's call, and either would silently drop the other's name."""
    files: list[tuple[str, str]] = []
    first_with: dict[str, str] = {}
    for key in landing.list_files("", ".csv"):
        version = landing.sha256(key)
        if version in first_with:
            raise SourceError(
                f"has the same content as '{first_with[version]}' (sha256 {version[:12]}...): the same file "
                "delivered twice would be counted twice; remove one of them",
                source_id=source.id,
                object_key=key,
            )
        first_with[version] = key
        files.append((key, version))
    return files


def load_month(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.activity_rows; run inside the caller's transaction."""
    return load_months(con, landing, source, [month], run_id=run_id, force=force)[0]


def load_months(
    con: duckdb.DuckDBPyConnection,
    landing: Landing,
    source: SourceConfig,
    months: Sequence[date],
    *,
    run_id: str | None = None,
    force: bool = False,  # always re-read: these deliveries are small (the skip is for CUR months)
) -> list[LoadSummary]:
    """Replace ``months`` of ``source`` in raw.activity_rows at once; run inside the caller's transaction.

    Each file covers many months, so a run's months are read together: the files listed and hashed once, one
    insert, the bookkeeping in a statement or two. Month by month, the demo's 24-month run made some 3,000
    statements for 168 source-months (docs/performance.md, Profile 27). Rows land in the order the month-by-month
    load wrote them: by month, then file, then line."""
    months = list(months)
    previous = previous_identities(con, source.id, months)
    forget_months(con, "raw.activity_rows", source.id, months)
    files = distinct_files(landing, source)
    staged = [_staged(con, landing, source, key, version) for key, version in files]
    if staged:
        ordered = " UNION ALL ".join(
            f"SELECT {n} AS file_order, * FROM {table} WHERE list_contains(?, period_month)"
            for n, table in enumerate(staged)
        )
        # the cell_* columns are the cells as delivered, kept for the companion model's messages only
        con.execute(
            "INSERT INTO raw.activity_rows BY NAME SELECT COLUMNS(lambda c: NOT starts_with(c, 'cell_') "
            f"AND c <> 'file_order') FROM ({ordered}) ORDER BY period_month, file_order, object_line",
            [months] * len(staged),
        )
    counts = dict(
        ((month, n), rows)
        for n, table in enumerate(staged)
        for month, rows in con.execute(
            f"SELECT period_month, COUNT(*) FROM {table} WHERE list_contains(?, period_month) GROUP BY 1", [months]
        ).fetchall()
    )
    for month in months:
        for n, (_, version) in enumerate(files):
            if counts.get((month, n)):
                record_delivery(
                    con,
                    source_id=source.id,
                    source_kind=KIND,
                    month=month,
                    delivery_id=version,
                    manifest_key=None,
                    object_count=1,
                    row_count=counts[(month, n)],
                    status="loaded",
                )
    con.execute("DROP TABLE IF EXISTS staged_activity")
    con.execute("DROP TABLE IF EXISTS activity_cloud_suppliers")
    con.execute("DROP VIEW IF EXISTS activity_file")
    restated = record_restatements_if_changed(
        con, source_id=source.id, months=months, previous=previous, change_kind="redelivery", run_id=run_id
    )
    return [
        LoadSummary(
            source.id,
            month,
            rows=sum(counts.get((month, n), 0) for n in range(len(files))),
            restated=month in restated,
        )
        for month in months
    ]


def delivery_identity(landing: Landing, source: SourceConfig, month: date) -> str | None:
    files = landing.list_files("", ".csv")
    return ",".join(landing.sha256(k) for k in files) or None


def available_months(landing: Landing, source: SourceConfig) -> list[date]:
    """Months with rows in any of the files: read cheaply by DuckDB (files are small)."""
    template = str(source.options["template"])
    column = "month" if template == "electricity" else "date"
    months: set[date] = set()
    with scratch_connection() as con:
        for key in landing.list_files("", ".csv"):
            path = literal(landing.local_path(key))  # exactly this file, never a glob
            try:
                values = con.execute(
                    f"SELECT DISTINCT substr(CAST({column} AS VARCHAR), 1, 7) "
                    "FROM read_csv(?, header = true, all_varchar = true)",
                    [path],
                ).fetchall()
            except duckdb.BinderException as exc:  # no month/date column: the file cannot say which months it has
                raise SourceError(
                    f"has no column '{column}' (template {template})", source_id=source.id, object_key=key
                ) from exc
            except duckdb.Error as exc:  # unreadable, a field over DuckDB's line limit ...: a message, no traceback
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise SourceError(
                    f"cannot be read as CSV: {truncate(first, 300)}", source_id=source.id, object_key=key
                ) from exc
            for (value,) in values:
                try:
                    year, mon = str(value).split("-")[:2]
                    months.add(date(int(year), int(mon), 1))
                except (ValueError, TypeError):
                    continue
    return sorted(months)
