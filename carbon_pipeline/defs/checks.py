"""Data-quality checks, at least one blocking check per stage.

Each check is a SQL model in dbt_like_sql/checks/ that returns the offending rows (none = pass),
scoped to the months of the run that materialized the asset (the whole table when run on its own).
Results carry the count, the first offending rows and the query to reproduce them.
"""

import os
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import dagster as dg

from carbon_pipeline.defs.emission_assets import ACTIVITY_EMISSIONS_KEY
from carbon_pipeline.defs.factor_assets import FACTOR_CATALOGUE_KEY
from carbon_pipeline.defs.ledger_assets import ACTIVITY_LEDGER_KEY, PROVIDER_EMISSIONS_KEY
from carbon_pipeline.defs.mart_assets import CLOUD_EMISSIONS_KEY, CLOUD_RECONCILIATION_KEY, SCOPE_SUMMARY_KEY
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.partitions import run_window
from carbon_pipeline.defs.raw_assets import raw_asset_key
from carbon_pipeline.defs.resources import ServingResource, WarehouseResource
from carbon_pipeline.quality.expectations import validate_contract
from carbon_pipeline.warehouse.sql_models import run_model

WHOLE_TABLE = (date(1, 1, 1), date(9999, 12, 1))
SHOWN_ROWS = 5
OVERVIEW_ROWS = 200


def as_of_date() -> date:
    """The run date that freshness is judged against. CARBON_AS_OF (YYYY-MM-DD) pins it, so a test or a
    re-run of an old day gives the answer that day would have given; read per evaluation, not at import."""
    pinned = os.environ.get("CARBON_AS_OF")
    return date.fromisoformat(pinned) if pinned else date.today()


def _sql_check(
    *,
    name: str,
    asset: dg.AssetKey,
    model: str,
    description: str,
    partitions_def: dg.MonthlyPartitionsDefinition,
    blocking: bool = True,
    params: dict[str, Any | Callable[[], Any]] | None = None,
    overview: dict[str, Any] | None = None,
) -> dg.AssetChecksDefinition:
    """A callable parameter is evaluated when the check runs (e.g. today's date). ``overview``: parameters
    with which the same model returns every row, not only offending ones, shown whole in the metadata."""
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(name=name, asset=asset, blocking=blocking, description=description)
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        start, end = run_window(context.run.tags, partitions_def) or WHOLE_TABLE
        bound = {key: value() if callable(value) else value for key, value in (params or {}).items()}
        with warehouse.connect() as con:
            result = run_model(con, f"checks/{model}", start=start, end=end, **bound)
            columns = [d[0] for d in result.description]
            rows = result.fetchall()
            if overview is not None:
                every = run_model(con, f"checks/{model}", start=start, end=end, **{**bound, **overview})
                overview_columns = [d[0] for d in every.description]
                overview_rows = every.fetchall()
        scope = "whole table" if (start, end) == WHOLE_TABLE else f"{start:%Y-%m} .. {end:%Y-%m} (exclusive)"
        extra = "".join(f", ${key}={value}" for key, value in bound.items())
        metadata: dict[str, Any] = {
            "offending_rows": len(rows),
            "months_checked": scope,
            "query": f"dbt_like_sql/checks/{model}.sql with $start={start}, $end={end}{extra}",
        }
        if rows:
            metadata["first_offending_rows"] = markdown_table(columns, rows[:SHOWN_ROWS])
        if overview is not None:
            metadata["overview"] = markdown_table(overview_columns, overview_rows[:OVERVIEW_ROWS])
        return dg.AssetCheckResult(passed=not rows, severity=severity, metadata=metadata)

    return _check


def _contract_check(
    *,
    asset: dg.AssetKey,
    table: str,
    partitions_def: dg.MonthlyPartitionsDefinition,
    name: str = "column_contract",
    description: str | None = None,
    params: dict[str, Any] | None = None,
) -> dg.AssetChecksDefinition:
    """A great-expectations suite for the table's column contract; blocking: a broken contract must not
    flow on."""

    @dg.asset_check(
        name=name,
        asset=asset,
        blocking=True,
        description=description or f"great-expectations suite for the column contract of {table} (bounded sample).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        start, end = run_window(context.run.tags, partitions_def) or WHOLE_TABLE
        with warehouse.connect(read_only=True) as con:
            result = validate_contract(con, table, start, end, **(params or {}))
        metadata: dict[str, Any] = {
            "suite": f"carbon_pipeline/quality/expectations.py: CONTRACTS['{table}']",
            "rows_validated": result.sampled_rows,
            "rows_in_months": result.total_rows,
            "covers": "every row, through its distinct values" if result.whole else "a deterministic sample",
            "failed_expectations": len(result.failures),
        }
        if result.failures:
            metadata["failures"] = markdown_table(
                ["expectation", "column", "unexpected", "examples"],
                [
                    (f["expectation"], f["column"], f["unexpected_count"], ", ".join(f["examples"]))
                    for f in result.failures
                ],
            )
        return dg.AssetCheckResult(passed=result.passed, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)

    return _check


@dg.asset_check(
    name="served_views_reconcile",
    asset=dg.AssetKey(["serving", "serving_database"]),
    blocking=True,
    description="Every served view adds up to bi.scope_summary: audit trail (counted rows), cloud emissions "
    "(counted location and market), cloud reconciliation (inventory, reported and estimated columns).",
)
def served_views_reconcile(serving: ServingResource) -> dg.AssetCheckResult:
    import duckdb  # the serving file, where the bi views live

    con = duckdb.connect(serving.path, read_only=True)
    try:
        result = run_model(con, "checks/served_views_reconcile", start=WHOLE_TABLE[0], end=WHOLE_TABLE[1])
        columns, rows = [d[0] for d in result.description], result.fetchall()
    finally:
        con.close()
    metadata: dict[str, Any] = {"offending_rows": len(rows), "query": "dbt_like_sql/checks/served_views_reconcile.sql"}
    if rows:
        metadata["first_offending_rows"] = markdown_table(columns, rows[:SHOWN_ROWS])
    return dg.AssetCheckResult(passed=not rows, severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)


def build_checks(partitions_def: dg.MonthlyPartitionsDefinition) -> Sequence[dg.AssetChecksDefinition]:
    raw = [
        _sql_check(
            name="rows_match_deliveries",
            asset=raw_asset_key(kind),
            model="raw_rows_match_deliveries",
            description="Rows stored per source and month equal the rows read from the delivery's objects.",
            partitions_def=partitions_def,
            params={"source_kind": kind},
        )
        for kind in (
            "aws_cur",
            "aws_cur2",
            "aws_carbon",
            "activity_csv",
            "focus",
            "gcp_carbon",
            "azure_carbon",
            "aws_sustainability_api",
        )
    ]
    freshness = [
        _sql_check(
            name="source_freshness",
            asset=raw_asset_key(kind),
            model="source_freshness",
            description="Warns when a source has no delivery for a month its delivery calendar says is due by the "
            "run date (CARBON_AS_OF pins it): CUR daily, carbon exports ~21 days after month end, 3 months tolerated.",
            partitions_def=partitions_def,
            blocking=False,
            # looked up at evaluation time, so tests may monkeypatch as_of_date
            params={"source_kind": kind, "as_of": lambda: as_of_date()},
        )
        for kind in (
            "aws_cur",
            "aws_cur2",
            "aws_carbon",
            "activity_csv",
            "focus",
            "gcp_carbon",
            "azure_carbon",
            "aws_sustainability_api",
        )
    ]
    return [
        served_views_reconcile,
        *raw,
        *freshness,
        _contract_check(asset=raw_asset_key("aws_cur"), table="raw.aws_cur_line_items", partitions_def=partitions_def),
        _contract_check(
            asset=raw_asset_key("aws_cur2"), table="raw.aws_cur2_line_items", partitions_def=partitions_def
        ),
        *(
            _contract_check(
                asset=raw_asset_key(kind),
                table="raw.cur_line_item_groups",
                partitions_def=partitions_def,
                name="line_item_groups_contract",
                description="great-expectations suite over every distinct account, payer, line-item type and "
                "currency of the kind's line-item groups (the ledger's input, copied or referenced line items "
                "alike): the whole month, not a sample.",
                params={"source_kind": kind},
            )
            for kind in ("aws_cur", "aws_cur2")
        ),
        _contract_check(asset=ACTIVITY_LEDGER_KEY, table="ledger.activity", partitions_def=partitions_def),
        _sql_check(
            name="cost_and_line_items_reconcile_with_raw",
            asset=ACTIVITY_LEDGER_KEY,
            model="ledger_reconciles_with_raw",
            description="Ledger cost and line-item count per source, month and currency equal raw exactly.",
            partitions_def=partitions_def,
        ),
        _sql_check(
            name="unclassified_cloud_usage",
            asset=ACTIVITY_LEDGER_KEY,
            model="unclassified_cloud_usage",
            description="Cloud usage with no estimation coefficient (kept and flagged), with its cost share.",
            partitions_def=partitions_def,
            blocking=False,
        ),
        _sql_check(
            name="negative_usage",
            asset=ACTIVITY_LEDGER_KEY,
            model="negative_usage",
            description="Usage rows with a negative usage amount: kept and flagged 'negative_usage', left out of "
            "the usage estimate (never netted against positive rows).",
            partitions_def=partitions_def,
            blocking=False,
        ),
        _sql_check(
            name="row_counts_by_stage",
            asset=ACTIVITY_LEDGER_KEY,
            model="row_counts_by_stage",
            description="Raw line items = ledger line items per source and month; every line item not carried on "
            "to emissions has a reason (cost_only, unclassified, flag). Fails only on unexplained loss.",
            partitions_def=partitions_def,
            # the emissions of these months are rebuilt after this check: judge the ledger stage only
            params={"through_emissions": False, "all_rows": False},
            overview={"all_rows": True},
        ),
        _sql_check(
            name="one_model_version_per_month",
            asset=PROVIDER_EMISSIONS_KEY,
            model="provider_emissions_one_version",
            description="Exactly one provider model version counts per month, with the raw export's totals.",
            partitions_def=partitions_def,
        ),
        _sql_check(
            name="catalogue_integrity",
            asset=FACTOR_CATALOGUE_KEY,
            model="factor_catalogue_integrity",
            description="Unique ids, non-negative values, provenance present, every AWS region has a grid factor.",
            partitions_def=partitions_def,
        ),
        _sql_check(
            name="every_activity_has_emissions_or_flag",
            asset=ACTIVITY_EMISSIONS_KEY,
            model="emissions_cover_ledger",
            description="Each emitting activity has one location and one market row with a figure or a flag; "
            "no negative emissions.",
            partitions_def=partitions_def,
        ),
        _sql_check(
            name="row_counts_by_stage",
            asset=ACTIVITY_EMISSIONS_KEY,
            model="row_counts_by_stage",
            description="Row counts raw -> ledger -> emissions per source and month: every estimable line item has "
            "an emission figure or a flag saying why not; fails only on unexplained loss.",
            partitions_def=partitions_def,
            params={"through_emissions": True, "all_rows": False},
            overview={"all_rows": True},
        ),
        _sql_check(
            name="factor_fallbacks",
            asset=ACTIVITY_EMISSIONS_KEY,
            model="factor_fallbacks",
            description="Warns with the share of tCO2e computed with a fallback factor (an older data year than "
            "the activity, or the location factor standing in for a market instrument).",
            partitions_def=partitions_def,
            blocking=False,
        ),
        _sql_check(
            name="spend_excluded_providers",
            asset=ACTIVITY_EMISSIONS_KEY,
            model="spend_excluded_providers",
            description="Warns with the spend left out of spend-based category 1 because its supplier is a cloud "
            "provider whose emissions the inventory already has for the month (reported or usage-estimated).",
            partitions_def=partitions_def,
            blocking=False,
        ),
        _sql_check(
            name="reported_totals_match_ledger",
            asset=CLOUD_EMISSIONS_KEY,
            model="cloud_emissions_match_ledger",
            description="Reported cloud emissions in the mart equal the selected provider figures and the raw "
            "export's totals for the selected model version, both methods.",
            partitions_def=partitions_def,
        ),
        _sql_check(
            name="month_over_month_spike",
            asset=CLOUD_EMISSIONS_KEY,
            model="month_over_month_spike",
            description="Warns where an account x service x basis emits more than 2x its previous month's "
            "location-based tCO2e (and over 0.01 t).",
            partitions_def=partitions_def,
            blocking=False,
            params={"max_ratio": 2.0, "min_tco2e": 0.01},
        ),
        _sql_check(
            name="reported_vs_estimated_divergence",
            asset=CLOUD_RECONCILIATION_KEY,
            model="reconciliation_divergence",
            description="Warns where reported and estimated location-based figures differ by more than 3x.",
            partitions_def=partitions_def,
            blocking=False,
            params={"max_ratio": 3.0},
        ),
        _sql_check(
            name="inventory_adds_up",
            asset=SCOPE_SUMMARY_KEY,
            model="scope_summary_reconciles",
            description="Per month and method the inventory equals own-operations emissions plus cloud "
            "(reported, else estimated, never both); the contract's grain is unique.",
            partitions_def=partitions_def,
        ),
    ]
