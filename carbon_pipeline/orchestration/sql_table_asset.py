"""The common shape of every SQL stage: replace the run's months of one table with the rows of its
SQL models, in one transaction, and report what was written: per partition (month), since a single-run
backfill materializes every month of its range and Dagster shows each month's event on its own."""

from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline import transforms
from carbon_pipeline.built_from import record_built_from
from carbon_pipeline.months import next_month
from carbon_pipeline.orchestration.checks import check_for
from carbon_pipeline.orchestration.keys import raw_asset_key, transform_key
from carbon_pipeline.orchestration.metadata import OWNERS, add_partition_row_counts, month_row_counts, table_metadata
from carbon_pipeline.orchestration.partitions import asset_window, month_of
from carbon_pipeline.orchestration.resources import EngineResource, SourcesResource, WarehouseResource
from carbon_pipeline.sources.registry import source_kinds
from carbon_pipeline.transforms import Transform, policy_parameters
from carbon_pipeline.warehouse.connection import transaction

Summary = Callable[[duckdb.DuckDBPyConnection, date, date], dict[str, Any]]


def transform_deps(transform: Transform) -> list[dg.AssetKey]:
    """What a transform reads: its declared inputs and the raw assets of every source kind that feeds it."""
    raw = [raw_asset_key(kind.name) for kind in source_kinds().values() if kind.feeds == transform.table]
    return [*raw, *(dg.AssetKey.from_user_string(key) for key in transform.inputs)]


def transform_asset(
    transform: Transform, partitions_def: dg.PartitionsDefinition, summary: Summary | None = None
) -> dg.AssetsDefinition:
    """The asset that writes ``transform.table`` from its models (carbon_pipeline/transforms.py).

    ``summary(con, start, end)`` describes the months [start, end); it is called once per month of the run and
    its result attached to that month's partition only, so a 24-month backfill shows each month its own figures
    instead of the run's copied 24 times. Run-level summaries belong to the unpartitioned serving asset."""
    table, models = transform.table, transform.models

    @dg.asset(
        key=transform_key(table),
        deps=transform_deps(transform),
        group_name=transform.group,
        description=transform.description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        tags={"stage": transform.group},
        metadata={
            **table_metadata(table, [f"dbt_like_sql/{m}.sql" for m in models]),
            "models": ", ".join(f"dbt_like_sql/{m}.sql" for m in models),
        },
    )
    def _asset(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        sources: SourcesResource,
        engine: EngineResource,
    ) -> dg.MaterializeResult:
        start, end = asset_window(context)
        params = policy_parameters(sources.load().settings)
        with warehouse.connect() as con:
            with transaction(con):
                # the engine resource (CARBON_ENGINE): duckdb runs the models in the warehouse, spark over
                # Parquet (docs/spark.md)
                written = engine.engine(context).replace_months(con, table, models, start, end, **params)
                # what these months were built from, committed with them: a re-sync compares it before skipping
                record_built_from(con, table, start, end, context.run_id)
            # shared by every month of the run: what the run did, not any one month's figures
            metadata: dict[str, Any] = {
                "run_rows_written": written,
                "run_months": f"{start:%Y-%m} .. {end:%Y-%m} (exclusive)",
            }
            metadata.update(warehouse.store_months(table, start, end, con=con))  # raw/ledger: publish if configured
            add_partition_row_counts(
                context,
                month_row_counts(
                    con,
                    f"""SELECT period_month, COUNT(*) FROM {table}
                        WHERE period_month >= ? AND period_month < ? GROUP BY 1""",
                    start,
                    end,
                ),
            )
            if summary is not None:
                for key in context.partition_keys:
                    month = month_of(key)
                    context.add_asset_metadata(summary(con, month, next_month(month)), partition_key=key)
        context.log.info(f"{table}: {written} rows for {start:%Y-%m}..{end:%Y-%m}")
        return dg.MaterializeResult(metadata=metadata)

    return _asset


def transform_checks(group: str, partitions_def: dg.MonthlyPartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """The checks each transform of ``group`` declares, on its asset."""
    return [
        check_for(spec, transform_key(t.table), partitions_def) for t in transforms.of_group(group) for spec in t.checks
    ]
