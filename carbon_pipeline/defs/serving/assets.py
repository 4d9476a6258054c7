"""Serving stage: publish the BI copy after the marts are built."""

from pathlib import Path

import dagster as dg

from carbon_pipeline.orchestration.keys import (
    CLOUD_EMISSIONS_KEY,
    CLOUD_RECONCILIATION_KEY,
    RESTATEMENT_LOG_KEY,
    SCOPE_SUMMARY_KEY,
    SERVING_KEY,
)
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.resources import ServingResource, WarehouseResource
from carbon_pipeline.serving.publish import parquet_folder, publish_serving


@dg.asset(
    key=SERVING_KEY,
    deps=[SCOPE_SUMMARY_KEY, CLOUD_EMISSIONS_KEY, CLOUD_RECONCILIATION_KEY, RESTATEMENT_LOG_KEY],
    group_name="serving",
    description="The read-only DuckDB file for BI tools (CARBON_SERVING), rebuilt beside the old one and "
    "swapped in atomically: open BI sessions keep their snapshot, new ones see the new data. Stable views in "
    "schema bi; Parquet copies of the marts in parquet/ beside it, swapped in as a whole.",
    kinds={"duckdb"},
)
def serving_database(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, serving: ServingResource
) -> dg.MaterializeResult:
    counts = publish_serving(Path(warehouse.path), Path(serving.path))
    context.log.info(f"published {serving.path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(serving.path),
            "parquet_copies": dg.MetadataValue.path(str(parquet_folder(Path(serving.path)))),
            "dagster/row_count": counts["marts.scope_summary"],
            "tables": markdown_table(["table", "rows"], sorted(counts.items())),
        }
    )
