"""The two shapes of data-quality check, built from their declarations (carbon_pipeline/transforms.py and each
source kind's folder): at least one blocking check per stage.

Each check is a SQL model in dbt_like_sql/checks/ that returns the offending rows (none = pass),
scoped to the months of the run that materialized the asset (the whole table when run on its own).
Results carry the count, the first offending rows and the query to reproduce them.
"""

from datetime import date
from typing import Any

import dagster as dg

from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.partitions import run_window
from carbon_pipeline.orchestration.resources import RunDateResource, SourcesResource, WarehouseResource
from carbon_pipeline.transforms import ContractCheck, SqlCheck, policy_parameters
from carbon_pipeline.warehouse.sql_models import model_parameters, model_sql, run_model

WHOLE_TABLE = (date(1, 1, 1), date(9999, 12, 1))
SHOWN_ROWS = 5
OVERVIEW_ROWS = 200


def sql_check(
    spec: SqlCheck, asset: dg.AssetKey, partitions_def: dg.MonthlyPartitionsDefinition
) -> dg.AssetChecksDefinition:
    """The check ``spec`` declares, on ``asset``. Besides its own parameters and the inventory's policies, a
    model may name ``$as_of``: the run date from the ``run_date`` resource (CARBON_AS_OF, else the day the
    check runs). ``spec.overview``: parameters with which the same model returns every row, not only offending
    ones, shown whole in the metadata."""
    name, model, description, blocking = spec.name, spec.model, spec.description, spec.blocking
    params, overview = spec.params, spec.overview
    severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN

    @dg.asset_check(name=name, asset=asset, blocking=blocking, description=description)
    def _check(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        sources: SourcesResource,
        run_date: RunDateResource,
    ) -> dg.AssetCheckResult:
        start, end = run_window(context.run.tags, partitions_def) or WHOLE_TABLE
        # the run date and the inventory's policies (e.g. settings.max_spend_fallback_share), then the check's
        # own parameters; only what the model names is bound and shown
        offered = {"as_of": run_date.today(), **policy_parameters(sources.load().settings), **(params or {})}
        bound = {key: value for key, value in offered.items() if key in model_parameters(model_sql(f"checks/{model}"))}
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


def contract_check(
    spec: ContractCheck, asset: dg.AssetKey, partitions_def: dg.MonthlyPartitionsDefinition
) -> dg.AssetChecksDefinition:
    """A great-expectations suite for the table's column contract; blocking: a broken contract must not
    flow on. great-expectations is imported when the check runs, not when the code location loads."""
    table, name, description, params = spec.table, spec.name, spec.description, spec.params

    @dg.asset_check(
        name=name,
        asset=asset,
        blocking=True,
        description=description or f"great-expectations suite for the column contract of {table} (bounded sample).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        start, end = run_window(context.run.tags, partitions_def) or WHOLE_TABLE
        from carbon_pipeline.quality.expectations import validate_contract

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


def check_for(
    spec: SqlCheck | ContractCheck, asset: dg.AssetKey, partitions_def: dg.MonthlyPartitionsDefinition
) -> dg.AssetChecksDefinition:
    if isinstance(spec, ContractCheck):
        return contract_check(spec, asset, partitions_def)
    return sql_check(spec, asset, partitions_def)
