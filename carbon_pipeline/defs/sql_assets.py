"""The common shape of every SQL stage: replace the run's months of one table with the rows of its
SQL models, in one transaction, and report what was written."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.defs.partitions import asset_window
from carbon_pipeline.defs.resources import SourcesResource, WarehouseResource
from carbon_pipeline.engines import engine_for
from carbon_pipeline.sources.config import InventorySettings
from carbon_pipeline.warehouse.connection import transaction

Summary = Callable[[duckdb.DuckDBPyConnection, date, date], dict[str, Any]]


def model_parameters(settings: InventorySettings) -> dict[str, Any]:
    """The inventory policies every model may bind. `coefficient_profile` selects the usage-estimate
    coefficients by the same name in factors.cloud_usage_coefficients: `default` (CCF's method with its
    known defects fixed) or `ccf` (CCF reproduced, for comparing with it); see docs/methodology.md."""
    return {
        "cloud_scope_policy": settings.cloud_scope_policy,
        "coefficient_profile": settings.coefficient_profile,
        "pinned_model_version": settings.pinned_model_version,
    }


def sql_table_asset(
    *,
    key: Sequence[str],
    table: str,
    models: Sequence[str],
    deps: Sequence[dg.AssetKey | dg.AssetsDefinition],
    group: str,
    description: str,
    partitions_def: dg.PartitionsDefinition,
    summary: Summary | None = None,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(list(key)),
        deps=list(deps),
        group_name=group,
        description=description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "sql"},
        metadata={"table": table, "models": ", ".join(f"dbt_like_sql/{m}.sql" for m in models)},
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> dg.MaterializeResult:
        start, end = asset_window(context)
        params = model_parameters(sources.load().settings)
        with warehouse.connect() as con:
            with transaction(con):
                # CARBON_ENGINE: duckdb runs the models in the warehouse, spark over Parquet (docs/spark.md)
                written = engine_for(context=context).replace_months(con, table, models, start, end, **params)
            metadata: dict[str, Any] = {
                "dagster/row_count": written,
                "months": f"{start:%Y-%m} .. {end:%Y-%m} (exclusive)",
            }
            metadata.update(warehouse.store_months(table, start, end, con=con))  # raw/ledger: publish if configured
            if summary is not None:
                metadata.update(summary(con, start, end))
        context.log.info(f"{table}: {written} rows for {start:%Y-%m}..{end:%Y-%m}")
        return dg.MaterializeResult(metadata=metadata)

    return _asset
