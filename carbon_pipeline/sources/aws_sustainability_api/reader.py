"""AWS Sustainability API (boto3 client ``sustainability``, operation GetEstimatedCarbonEmissions): the
Customer Carbon Footprint Tool's figures without an export bucket.

The source's ``uri`` is ``sustainability://<region>`` (``sustainability://`` alone means us-east-1):
there is no folder, the uri names the API endpoint's region; ``region`` (overrides the uri's),
``endpoint_url`` and ``credentials`` (credentials.py: role, env, store or chain) are the kind's keys.

Each month is one request: MONTHLY granularity over [month, next month), grouped by USAGE_ACCOUNT_ID,
REGION and SERVICE, every emission type the service model knows (TOTAL_LBM/MBM, scope 1, scope 2
LBM/MBM, scope 3 LBM/MBM), every page followed (NextToken, through the client's paginator). The API
returns only the latest model version per month, so the month's identity is a hash of its result
items: a new model version or a restatement changes it. Values are metric tons (Unit ``MTCO2e``, the
only unit the service model allows); anything else is refused with its item and emission type.

The items are written to a temp table as text and typed in SQL (staging/aws_sustainability_api.sql),
as for the files, so the checks and the error messages are the same.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from carbon_pipeline.errors import ConfigError, SourceError
from carbon_pipeline.months import next_month
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.deliveries import (
    forget_month,
    previous_identity,
    record_delivery,
    record_restatement_if_changed,
)
from carbon_pipeline.sources.kind import LoadSummary
from carbon_pipeline.sources.validation import refuse_invalid_rows
from carbon_pipeline.warehouse.sql_models import insert_model

KIND = "aws_sustainability_api"
TABLE = "raw.provider_carbon_emissions"
SCHEME = "sustainability://"
DEFAULT_REGION = "us-east-1"
OPERATION = "GetEstimatedCarbonEmissions"
GROUP_BY = ("USAGE_ACCOUNT_ID", "REGION", "SERVICE")
EMISSIONS_TYPES = (
    "TOTAL_LBM_CARBON_EMISSIONS",
    "TOTAL_MBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_1_CARBON_EMISSIONS",
    "TOTAL_SCOPE_2_LBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_2_MBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_3_LBM_CARBON_EMISSIONS",
    "TOTAL_SCOPE_3_MBM_CARBON_EMISSIONS",
)
HISTORY_MONTHS = 38  # how far back the Customer Carbon Footprint Tool keeps data
MAX_ATTEMPTS = 5


def api_region(source: SourceConfig) -> str:
    if not source.uri.startswith(SCHEME):
        raise ConfigError(f"source '{source.id}': uri must be '{SCHEME}<region>' for kind '{KIND}', not '{source.uri}'")
    return str(source.options.get("region") or source.uri[len(SCHEME) :].strip("/") or DEFAULT_REGION)


def client(source: SourceConfig) -> Any:
    """A sustainability client in standard retry mode (backoff on throttling and transient errors)."""
    import boto3
    from botocore.config import Config

    from carbon_pipeline.sources.credentials import resolve_credentials

    region = api_region(source)
    endpoint_url = source.options.get("endpoint_url")
    credentials = resolve_credentials(
        source.id, source.options.get("credentials"), region=region, endpoint_url=endpoint_url
    )
    return boto3.client(
        "sustainability",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS}),
        **credentials.as_kwargs(),
    )


def request_key(start: date, end: date) -> str:
    """What stands for the object key: the operation and the months asked for."""
    return f"{OPERATION}?start={start:%Y-%m}&end={end:%Y-%m}"


def fetch(source: SourceConfig, start: date, end: date) -> list[dict[str, Any]]:
    """Every result item for the months [start, end), all pages."""
    from botocore.exceptions import BotoCoreError, ClientError

    def at_midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    try:
        pages = (
            client(source)
            .get_paginator("get_estimated_carbon_emissions")
            .paginate(
                TimePeriod={"Start": at_midnight(start), "End": at_midnight(end)},
                Granularity="MONTHLY",
                GroupBy=list(GROUP_BY),
                EmissionsTypes=list(EMISSIONS_TYPES),
            )
        )
        return [item for page in pages for item in page.get("Results", [])]
    except (BotoCoreError, ClientError) as exc:
        raise SourceError(
            f"{OPERATION} failed: {exc}", source_id=source.id, object_key=request_key(start, end)
        ) from exc


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat() if value.tzinfo else value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def item_rows(items: list[dict[str, Any]]) -> tuple[list[str], list[list[str | None]]]:
    """The items as text rows: period, dimensions, model version, and a value and a unit per emission type."""
    columns = ["object_line", "time_period_start", "usage_account_id", "region", "service", "model_version"]
    columns += [f"{t.lower()}_{part}" for t in EMISSIONS_TYPES for part in ("value", "unit")]
    rows = []
    for line, item in enumerate(items, start=1):
        dimensions = item.get("DimensionsValues") or {}
        emissions = item.get("EmissionsValues") or {}
        row = [
            str(line),
            _text((item.get("TimePeriod") or {}).get("Start")),
            dimensions.get("USAGE_ACCOUNT_ID"),
            dimensions.get("REGION"),
            dimensions.get("SERVICE"),
            item.get("ModelVersion"),
        ]
        for emission_type in EMISSIONS_TYPES:
            value = emissions.get(emission_type) or {}
            row += [_text(value.get("Value")), value.get("Unit")]
        rows.append(row)
    return columns, rows


def items_identity(items: list[dict[str, Any]]) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(items, sort_keys=True, default=_text).encode()).hexdigest()


def _stage(con: duckdb.DuckDBPyConnection, items: list[dict[str, Any]]) -> None:
    columns, rows = item_rows(items)
    con.execute("DROP TABLE IF EXISTS provider_file")
    con.execute(f"CREATE TEMP TABLE provider_file ({', '.join(f'{c} VARCHAR' for c in columns)})")
    if rows:
        con.executemany(f"INSERT INTO provider_file VALUES ({', '.join('?' for _ in columns)})", rows)
    con.execute("ALTER TABLE provider_file ALTER object_line TYPE BIGINT")


def load_month(
    con: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    month: date,
    *,
    run_id: str | None = None,
    force: bool = False,  # always asked again: a month is one small request
) -> LoadSummary:
    """Replace ``month`` of ``source`` in raw.provider_carbon_emissions; run inside the caller's transaction."""
    previous = previous_identity(con, source.id, month)
    forget_month(con, TABLE, source.id, month)
    key = request_key(month, next_month(month))
    items = fetch(source, month, next_month(month))
    if not items:
        return LoadSummary(source.id, month, rows=0)
    _stage(con, items)  # a failure below rolls the caller's transaction back, temp table included
    refuse_invalid_rows(
        con, "staging/aws_sustainability_api__invalid", source_id=source.id, object_key=key, period_month=month
    )
    identity = items_identity(items)
    written = insert_model(
        con, TABLE, "staging/aws_sustainability_api", source_id=source.id, delivery_id=identity, object_key=key
    )
    con.execute("DROP TABLE provider_file")
    if written != len(items):
        raise SourceError(f"read {len(items)} items but wrote {written}", source_id=source.id, object_key=key)
    versions = sorted({str(item.get("ModelVersion")) for item in items})
    record_delivery(
        con,
        source_id=source.id,
        source_kind=KIND,
        month=month,
        delivery_id=identity,
        model_version=",".join(versions),
        manifest_key=key,
        object_count=1,
        row_count=written,
        status="loaded",
    )
    restated = record_restatement_if_changed(
        con,
        source_id=source.id,
        month=month,
        previous=previous,
        change_kind="model_version_or_redelivery",
        run_id=run_id,
    )
    return LoadSummary(
        source.id, month, rows=written, delivery=identity[:19], model_versions=tuple(versions), restated=restated
    )


def delivery_identity(source: SourceConfig, month: date) -> str | None:
    items = fetch(source, month, next_month(month))
    return items_identity(items) if items else None


def available_months(source: SourceConfig) -> list[date]:
    """The months the API returns anything for, over the tool's history window up to this month."""
    today = datetime.now(UTC).date()
    end = next_month(date(today.year, today.month, 1))
    first = (end.year * 12 + end.month - 1) - HISTORY_MONTHS - 1
    months = set()
    for item in fetch(source, date(first // 12, first % 12 + 1, 1), end):
        start = (item.get("TimePeriod") or {}).get("Start")
        day = start.date() if isinstance(start, datetime) else date.fromisoformat(str(start)[:10])
        months.add(date(day.year, day.month, 1))
    return sorted(months)
