"""Serving stage: publish the BI copy after the marts are built.

The serving asset is not partitioned: it is the one place a run's whole-inventory summaries (by-year tables,
the monthly chart) are recorded, once per publication, instead of being copied onto every month of a backfill.
It and the report follow any change of the marts by declarative automation (orchestration/automation.py):
a marts-only backfill no longer leaves them stale without saying so.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.orchestration.automation import FOLLOW_UPSTREAM
from carbon_pipeline.orchestration.keys import (
    CLOUD_EMISSIONS_KEY,
    CLOUD_RECONCILIATION_KEY,
    RESTATEMENT_LOG_KEY,
    SCOPE_SUMMARY_KEY,
    SERVING_KEY,
)
from carbon_pipeline.orchestration.metadata import OWNERS, code_references, markdown_table
from carbon_pipeline.orchestration.plots import monthly_by_scope, png_markdown
from carbon_pipeline.orchestration.resources import ServingResource, SourcesResource, WarehouseResource
from carbon_pipeline.serving.publish import parquet_folder, publish_serving
from carbon_pipeline.warehouse.connection import open_read_only


def serving_asset(extra_deps: Sequence[dg.AssetKey] = ()) -> dg.AssetsDefinition:
    """The serving asset; ``extra_deps``: the hourly marts when the sources file turns hourly on (they are
    published too when the warehouse has them, docs/hourly.md), so it is written after them."""

    @dg.asset(
        key=SERVING_KEY,
        deps=[SCOPE_SUMMARY_KEY, CLOUD_EMISSIONS_KEY, CLOUD_RECONCILIATION_KEY, RESTATEMENT_LOG_KEY, *extra_deps],
        group_name="serving",
        description="The read-only DuckDB file for BI tools (CARBON_SERVING), rebuilt beside the old one and "
        "swapped in atomically: open BI sessions keep their snapshot, new ones see the new data. Stable views in "
        "schema bi; Parquet copies of the marts in parquet/ beside it, swapped in as a whole.",
        kinds={"duckdb"},
        owners=OWNERS,
        tags={"stage": "serving"},
        automation_condition=FOLLOW_UPSTREAM,
        metadata={
            "dagster/code_references": code_references(
                [
                    "carbon_pipeline/serving/publish.py",
                    "dbt_like_sql/serving/data_dictionary.sql",
                    "dbt_like_sql/serving/views.sql",
                    "dbt_like_sql/serving/intensity_metrics.sql",
                    "dbt_like_sql/serving/intensity_views.sql",
                    "dbt_like_sql/serving/emissions_by_gas.sql",
                    "dbt_like_sql/serving/emissions_by_gas_views.sql",
                ]
            )
        },
    )
    def serving_database(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        serving: ServingResource,
        sources: SourcesResource,
    ) -> dg.MaterializeResult:
        # the sources file's intensity denominators: marts.intensity_metrics is built at publish (whole years)
        denominators = sources.load().settings.intensity_denominators
        counts = publish_serving(Path(warehouse.path), Path(serving.path), denominators)
        context.log.info(f"published {serving.path}")
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(serving.path),
                "parquet_copies": dg.MetadataValue.path(str(parquet_folder(Path(serving.path)))),
                "dagster/row_count": counts["marts.scope_summary"],
                "tables": markdown_table(["table", "rows"], sorted(counts.items())),
                **inventory_overview(Path(serving.path)),
            }
        )

    return serving_database


serving_database = serving_asset()


def inventory_overview(serving: Path) -> dict[str, Any]:
    """The published inventory as a whole (every month, read back from the serving file just written): totals
    per method, the by-year x scope x method x basis table, a month-by-scope table and its chart."""
    con = open_read_only(serving)
    try:
        by_year = con.execute(
            """SELECT year(period_month), scope, method, basis, SUM(tco2e)
               FROM marts.scope_summary GROUP BY ALL ORDER BY 1, 2, 3, 4"""
        ).fetchall()
        total = con.execute("SELECT method, SUM(tco2e) FROM marts.scope_summary GROUP BY 1 ORDER BY 1").fetchall()
        monthly = con.execute(
            "SELECT period_month, method, scope, SUM(tco2e) FROM marts.scope_summary GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        month_table = con.execute(
            """SELECT strftime(period_month, '%Y-%m'),
                      SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 1),
                      SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 2),
                      SUM(tco2e) FILTER (WHERE method = 'location' AND scope = 3),
                      SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 1),
                      SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 2),
                      SUM(tco2e) FILTER (WHERE method = 'market' AND scope = 3)
               FROM marts.scope_summary GROUP BY 1 ORDER BY 1"""
        ).fetchall()
        uncertainty = uncertainty_overview(con)
    finally:
        con.close()
    by_scope = ["month", "S1 location", "S2 location", "S3 location", "S1 market", "S2 market", "S3 market"]
    return {
        **uncertainty,
        "by_year_scope": markdown_table(["year", "scope", "method", "basis", "tCO2e"], by_year),
        **{f"total_tco2e_{method}": round(float(value or 0), 6) for method, value in total},
        "month_by_scope": markdown_table(by_scope, month_table),
        **(
            {"monthly_by_scope_chart": png_markdown(monthly_by_scope(monthly), "tCO2e by month and scope")}
            if monthly
            else {}
        ),
    }


def uncertainty_overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The report's uncertainty disclosure (docs/uncertainty.md), every year at once, from the serving file's bi
    views: each scope's total with its 95 % range, the shares by data-quality tier (the ESRS E1 primary-data
    share), the ten activities contributing most to the total's uncertainty, and the provider-reported cloud
    figures against the estimate's range. Ranges are per year, never summed over years."""
    totals = con.execute(
        """SELECT reporting_year, scope_label, method, round(tco2e, 3), round(tco2e_low, 3), round(tco2e_high, 3),
                  round(primary_data_share, 4), propagation
           FROM bi.inventory_uncertainty
           ORDER BY 1, CASE WHEN scope_label = 'Total' THEN 1 ELSE 0 END, 2, 3"""
    ).fetchall()
    tiers = con.execute(
        """SELECT reporting_year, method, activity_tier, factor_tier, is_primary_data, round(tco2e, 3),
                  round(share_of_total, 4)
           FROM bi.uncertainty_tier_shares ORDER BY 1, 2, 6 DESC, 3, 4"""
    ).fetchall()
    contributors = con.execute(
        """SELECT reporting_year, method, uncertainty_rank, activity_label, activity_tier, factor_tier,
                  round(tco2e, 3), round(share_of_variance, 4)
           FROM bi.uncertainty_contributors ORDER BY 1, 2, 3"""
    ).fetchall()
    reconciliation = con.execute(
        """SELECT reporting_year, provider, reported_position, COUNT(*),
                  round(SUM(reported_location_tco2e), 3), round(SUM(estimated_location_tco2e), 3)
           FROM bi.cloud_reconciliation_ranges GROUP BY ALL ORDER BY ALL"""
    ).fetchall()
    return {
        "uncertainty_totals": markdown_table(
            ["year", "scope", "method", "tCO2e", "low (95 %)", "high (95 %)", "primary data share", "propagation"],
            totals,
        ),
        "uncertainty_tier_shares": markdown_table(
            ["year", "method", "activity tier", "factor tier", "primary data", "tCO2e", "share"], tiers
        ),
        "uncertainty_top_contributors": markdown_table(
            ["year", "method", "rank", "activity", "activity tier", "factor tier", "tCO2e", "share of variance"],
            contributors,
        ),
        "reported_vs_estimate_range": markdown_table(
            ["year", "provider", "reported figure", "lines", "reported tCO2e", "estimated tCO2e"], reconciliation
        ),
    }
