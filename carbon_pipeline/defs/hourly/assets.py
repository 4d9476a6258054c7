"""Hourly stage (issue 16, docs/hourly.md): hourly grid factors, hourly activity, location by the hour, hourly
matching, marts.hourly_vs_annual / hourly_market_scope2 and the per-hour intensity views, month-partitioned like
the annual stages.

Why a stage of its own that may be empty: hourly is an option. The definitions (definitions.py) hold these assets
only when the sources file turns hourly on, so with it off the code location, the inventory job, the warehouse and
the golden fingerprint are exactly what they were. The SQL transforms are declared in carbon_pipeline/transforms.py
(HOURLY_TRANSFORMS); what they read from files is loaded by hourly/build.py in the same transaction.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from typing import Any

import dagster as dg
import duckdb

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.user_files import UserFactorFileError
from carbon_pipeline.hourly import build
from carbon_pipeline.months import next_month
from carbon_pipeline.orchestration.keys import FACTOR_CATALOGUE_KEY, raw_asset_key, transform_key
from carbon_pipeline.orchestration.metadata import (
    OWNERS,
    add_partition_row_counts,
    code_references,
    markdown_table,
    month_row_counts,
)
from carbon_pipeline.orchestration.partitions import asset_window, month_of
from carbon_pipeline.orchestration.resources import SourcesResource, WarehouseResource
from carbon_pipeline.transforms import HOURLY_GRID_FACTORS, HOURLY_TRANSFORMS, Transform
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline.warehouse.sql_models import model_sql

GROUP = "hourly"
GRID_FACTORS_KEY = dg.AssetKey.from_user_string(HOURLY_GRID_FACTORS)
INTENSITY_KEY = dg.AssetKey(["marts", "hourly_intensity"])
Summary = Callable[[duckdb.DuckDBPyConnection, date, date], dict[str, Any]]


@contextmanager
def hourly_file_failures() -> Iterator[None]:
    """A bad hourly file or section is a failure naming the file, row and column, and nothing is written."""
    try:
        yield
    except (ConfigError, UserFactorFileError) as exc:
        raise dg.Failure(description=str(exc), metadata={"outcome": "nothing written"}) from exc


@cache
def _hourly_columns() -> dict[str, list[tuple[str, str]]]:
    """table -> [(column, type)] of every table dbt_like_sql/hourly/schema.sql creates (an in-memory DuckDB)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA factors")
        con.execute(model_sql("hourly/schema"))
        found: dict[str, list[tuple[str, str]]] = {}
        for schema, table, column, data_type in con.execute(
            "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE NOT internal "
            "ORDER BY schema_name, table_name, column_index"
        ).fetchall():
            found.setdefault(f"{schema}.{table}", []).append((column, data_type))
        return found
    finally:
        con.close()


def _definition_metadata(table: str, files: list[str]) -> dict[str, Any]:
    return {
        "dagster/table_name": table,
        "dagster/column_schema": dg.MetadataValue.table_schema(
            dg.TableSchema(columns=[dg.TableColumn(c, t) for c, t in _hourly_columns()[table]])
        ),
        "dagster/code_references": code_references(files),
    }


def _attach_months(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, table: str, month_column: str
) -> None:
    start, end = asset_window(context)
    add_partition_row_counts(
        context,
        month_row_counts(
            con,
            f"SELECT CAST(date_trunc('month', {month_column}) AS DATE), COUNT(*) FROM {table} "
            f"WHERE {month_column} >= ? AND {month_column} < ? GROUP BY 1",
            start,
            end,
        ),
    )


def _per_month(context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, summary: Summary | None) -> None:
    if summary is None:
        return
    for key in context.partition_keys:
        month = month_of(key)
        context.add_asset_metadata(summary(con, month, next_month(month)), partition_key=key)


def grid_factors_asset(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=GRID_FACTORS_KEY,
        deps=[FACTOR_CATALOGUE_KEY],
        group_name=GROUP,
        description="Hourly grid carbon intensity by zone and UTC hour from the files hourly.grid_files names "
        "(Electricity Maps data-portal CSV, EIA-930-derived BA rates, a plain CSV, or the labelled SYNTHETIC "
        "profile), each row with publisher, edition, licence, file and SHA-256 (also in factors.catalogue_files), "
        "and the zone map (site / cloud region -> zone).",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "csv"},
        owners=OWNERS,
        tags={"stage": GROUP},
        metadata=_definition_metadata(
            "hourly.grid_factors", ["carbon_pipeline/hourly/files.py", "dbt_like_sql/hourly/schema.sql"]
        ),
    )
    def hourly_grid_factors(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> dg.MaterializeResult:
        start, end = asset_window(context)
        settings = sources.load().hourly
        with hourly_file_failures(), warehouse.connect() as con:
            with transaction(con):
                loaded = build.load_grid_factors(con, settings, start, end)
            _attach_months(context, con, "hourly.grid_factors", "hour_utc")
        if loaded.synthetic:
            context.log.warning(build.SYNTHETIC_NOTICE + ": every figure computed with it is labelled so")
        return dg.MaterializeResult(
            metadata={
                "grid_files": markdown_table(
                    ["file", "publisher", "licence", "rows", "skipped empty hours", "sha256"],
                    [
                        (
                            g["source_file"],
                            g["publisher"],
                            g["licence"],
                            g["rows"],
                            g["skipped_empty_hours"],
                            g["sha256"][:16],
                        )
                        for g in loaded.grid_files
                    ],
                ),  # fmt: skip
                "zones_mapped": loaded.rows["hourly.zone_map"],
                "synthetic_profile": dg.MetadataValue.md(
                    f"**{build.SYNTHETIC_NOTICE}**" if loaded.synthetic else "no: measured files only"
                ),
            }
        )

    return hourly_grid_factors


def _deps(transform: Transform) -> list[dg.AssetKey]:
    deps = [dg.AssetKey.from_user_string(key) for key in transform.inputs]
    if transform.table == "hourly.consumption":  # the billing rows' hours, for sources with `hourly: true`
        deps += [raw_asset_key(kind) for kind in build.HOURLY_KINDS]
    return deps


def transform_asset(transform: Transform, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """An hourly SQL transform (carbon_pipeline/transforms.py: HOURLY_TRANSFORMS): its file inputs loaded, then its
    months replaced with its models' rows, in one transaction."""
    table = transform.table
    files = [f"dbt_like_sql/{m}.sql" for m in transform.models]

    @dg.asset(
        key=transform_key(table),
        deps=_deps(transform),
        group_name=transform_key(table).path[0],  # hourly/* in group hourly, the hourly marts with the marts
        description=transform.description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        tags={"stage": GROUP},
        metadata={**_definition_metadata(table, files), "models": ", ".join(files)},
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> dg.MaterializeResult:
        start, end = asset_window(context)
        config = sources.load()
        loader = build.LOADERS.get(table)
        with hourly_file_failures(), warehouse.connect() as con:
            with transaction(con):
                build.ensure_schema(con)
                loaded = loader(con, config.hourly, start, end) if loader else {}
                written = build.run_transform(con, table, start, end, build.hourly_sources(config))
            _attach_months(context, con, table, "period_month")
            _per_month(context, con, SUMMARIES.get(table))
        context.log.info(f"{table}: {written} rows for {start:%Y-%m}..{end:%Y-%m}")
        return dg.MaterializeResult(
            metadata={"run_rows_written": written, **{f"loaded {k}": v for k, v in loaded.items()}}
        )

    return _asset


def _hourly_vs_annual(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT entity_kind, entity, zone, round(annual_tco2e, 4), round(hourly_tco2e, 4),
                  round(timing_effect_tco2e, 4), round(profiled_kwh_share, 3), note
           FROM marts.hourly_vs_annual WHERE period_month >= ? AND period_month < ? ORDER BY 1, 2""",
        [start, end],
    ).fetchall()
    columns = ["kind", "site / region", "zone", "annual tCO2e", "hourly tCO2e", "timing effect", "profiled", "note"]
    return {"hourly_vs_annual": markdown_table(columns, rows)}


def _hourly_market(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, Any]:
    rows = con.execute(
        """SELECT zone, round(consumption_kwh, 3), round(matched_kwh, 3), round(surplus_kwh, 3), round(cfe_score, 3),
                  round(hourly_market_tco2e, 4), round(annual_market_tco2e, 4)
           FROM marts.hourly_market_scope2 WHERE period_month >= ? AND period_month < ? ORDER BY 1""",
        [start, end],
    ).fetchall()
    columns = ["zone", "kWh", "matched kWh", "surplus kWh", "CFE score", "hourly market tCO2e", "annual market tCO2e"]
    return {"hourly_matching": markdown_table(columns, rows)}


SUMMARIES: dict[str, Summary] = {
    "marts.hourly_vs_annual": _hourly_vs_annual,
    "marts.hourly_market_scope2": _hourly_market,
}


def intensity_asset(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=INTENSITY_KEY,
        deps=[transform_key("hourly.location_hourly")],
        group_name="marts",
        description="When each site's and cloud region's use was dirtiest: the views marts.hourly_intensity (every "
        "hour, its factor and its rank within the month) and marts.hourly_intensity_by_hour_of_day (the month's "
        "kWh-weighted intensity by UTC hour of day), with each month's chart of the latter.",
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb", "sql"},
        owners=OWNERS,
        tags={"stage": GROUP},
        metadata={
            "dagster/table_name": "marts.hourly_intensity_by_hour_of_day",
            "dagster/code_references": code_references(
                ["dbt_like_sql/hourly/intensity_views.sql", "carbon_pipeline/orchestration/plots_hourly.py"]
            ),
        },
    )
    def hourly_intensity(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from carbon_pipeline.orchestration.plots_hourly import intensity_chart_markdowns
        from carbon_pipeline.quality import suite_process

        by_month: dict[str, list[tuple[Any, ...]]] = {}
        with warehouse.connect() as con:
            with transaction(con):
                build.ensure_schema(con)
                build.create_intensity_views(con)
            for key in context.partition_keys:
                by_month[key] = con.execute(
                    """SELECT entity_kind || ' ' || entity, hour_of_day_utc, kgco2e_per_kwh, kwh, grid_publishers
                       FROM marts.hourly_intensity_by_hour_of_day
                       WHERE period_month = ? ORDER BY 1, 2""",
                    [month_of(key)],
                ).fetchall()
        # one chart per month (0.15 s each, pure Python): a run's helper process draws the first half of a backfill's
        # months while this process draws the rest (as the report's years, docs/performance.md, Profile 36)
        charted = [key for key, rows in by_month.items() if rows]
        wanted = [
            (f"{month_of(key):%Y-%m}", [r[:4] for r in by_month[key]], _synthetic(by_month[key])) for key in charted
        ]
        charts = dict(zip(charted, suite_process.in_two_halves(intensity_chart_markdowns, wanted), strict=True))
        for key, rows in by_month.items():
            metadata: dict[str, Any] = {"entities": len({r[0] for r in rows})}
            if rows:
                metadata["intensity_by_hour_of_day"] = dg.MetadataValue.md(charts[key])
                metadata["dirtiest_hour_of_day"] = markdown_table(
                    ["site / region", "dirtiest UTC hour", "kgCO2e/kWh", "grid"],
                    _dirtiest(rows),
                )
            context.add_asset_metadata(metadata, partition_key=key)
        return dg.MaterializeResult()

    return hourly_intensity


def _synthetic(rows: list[tuple[Any, ...]]) -> bool:
    """Whether any of the month's figures came from the SYNTHETIC grid profile (its chart says so)."""
    return any("synthetic" in (r[4] or "") for r in rows)


def _dirtiest(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Per entity, the hour of day with the highest kWh-weighted intensity (hours with use only)."""
    best: dict[str, tuple[Any, ...]] = {}
    for entity, hour, intensity, kwh, publishers in rows:
        if intensity is None or not kwh:
            continue
        if entity not in best or intensity > best[entity][2]:
            best[entity] = (entity, f"{hour:02d}:00", round(intensity, 4), publishers)
    return [best[e] for e in sorted(best)]


def build_hourly_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [
        grid_factors_asset(partitions_def),
        *(transform_asset(t, partitions_def) for t in HOURLY_TRANSFORMS),
        intensity_asset(partitions_def),
    ]
