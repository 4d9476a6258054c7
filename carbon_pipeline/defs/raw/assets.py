"""Raw stage: each source kind's deliveries for the run's months, read at full fidelity into raw.*.

One asset per source kind (not per source): sources are configuration, so adding one must not
change the asset graph. Each run replaces its months for every source of the kind in ONE
transaction, so a bad object anywhere leaves all of them as they were.
"""

import inspect
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path

import dagster as dg

from carbon_pipeline.built_from import StaleStage, serving_is_stale, stale_stages, tables_fed_by
from carbon_pipeline.months import months_between
from carbon_pipeline.orchestration.failures import input_failures
from carbon_pipeline.orchestration.keys import raw_asset_key
from carbon_pipeline.orchestration.metadata import (
    OWNERS,
    add_partition_row_counts,
    code_references,
    column_schema,
    markdown_table,
    month_row_counts,
)
from carbon_pipeline.orchestration.partitions import FORCE_RELOAD_TAG, SOURCES_TAG, asset_window, month_of
from carbon_pipeline.orchestration.resources import ServingResource, SourcesResource, WarehouseResource
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.kind import DeliveryCalendar, LoadSummary, SourceKind
from carbon_pipeline.sources.registry import source_kinds
from carbon_pipeline.warehouse.connection import transaction


def sources_in_run(configured: list, tags: Mapping[str, str]) -> list:
    """A run tagged with source ids (by a per-source schedule or sensor) re-reads only those sources;
    the months of the others stay as they are, since each source's rows are replaced separately."""
    wanted = tags.get(SOURCES_TAG)
    if not wanted:
        return configured
    ids = set(wanted.split(","))
    return [source for source in configured if source.id in ids]


def _alone_in_run(context: dg.AssetExecutionContext, kind: str) -> bool:
    """Withholding this asset's output skips every step downstream of it, including those that also
    read another raw kind selected in the same run (Dagster skips a step when any upstream step of
    the run produced nothing). So an unchanged delivery may skip the run's rest only when no other
    raw asset is in the run: the per-kind re-sync jobs, not the whole inventory."""
    selected = context.run.asset_selection or context.job_def.asset_layer.executable_asset_keys
    others = {raw_asset_key(k) for k in source_kinds() if k != kind}
    return not (others & set(selected))


def freshness_policy(calendar: DeliveryCalendar) -> dg.FreshnessPolicy:
    """The kind's delivery calendar as a Dagster freshness policy (evaluated by the daemon, shown on the asset).

    Kinds refreshed daily (due in the month itself) must have materialized within ``due_day`` days, warning after
    one. Monthly kinds must have materialized in the 28 days before day ``due_day`` of each month (the previous
    month's delivery lands in that window; Dagster caps the window at the shortest cron interval, so the
    months of lateness the calendar tolerates cannot be expressed here): the source_freshness check says which
    month is missing and tolerates late months, this says the asset has not been refreshed."""
    if calendar.due_after_months == 0:
        return dg.FreshnessPolicy.time_window(
            fail_window=timedelta(days=max(calendar.due_day, 1)), warn_window=timedelta(days=1)
        )
    return dg.FreshnessPolicy.cron(
        deadline_cron=f"0 0 {calendar.due_day} * *",
        lower_bound_delta=timedelta(days=28),
    )


def _reader_file(kind: SourceKind) -> str:
    """The reader module of a kind, relative to the repository root, for the asset's code reference."""
    source = inspect.getsourcefile(kind.reader if inspect.ismodule(kind.reader) else type(kind.reader))
    return str(Path(source).resolve().relative_to(Path(__file__).resolve().parents[3])) if source else ""


# row_count of a raw partition: the rows of the deliveries loaded for that month from the kind's sources (several
# kinds share raw.provider_carbon_emissions, and a CUR month may keep only line-item groups; raw.deliveries
# records each loaded delivery's rows either way, and covers sources not re-read by this run too)
_DELIVERED_ROWS = """SELECT period_month, SUM(row_count) FROM raw.deliveries
    WHERE period_month >= ? AND period_month < ? AND status = 'loaded' AND source_kind = ? GROUP BY 1"""


def raw_asset(kind: SourceKind, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The raw asset of one source kind, from its declaration (sources/<kind>/__init__.py)."""
    table = kind.asset_name
    files = [f for f in (_reader_file(kind), *(f"dbt_like_sql/{m}.sql" for m in kind.sql)) if f]

    @dg.asset(
        key=raw_asset_key(kind.name),
        group_name="raw",
        description=kind.description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        owners=OWNERS,
        tags={"stage": "raw", "source_kind": kind.name},
        freshness_policy=freshness_policy(kind.calendar),
        metadata={
            "dagster/table_name": kind.raw_table,
            "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(kind.raw_table)),
            "dagster/code_references": code_references(files),
            "source_kind": kind.name,
            "delivery_calendar": kind.calendar.text,
        },
        # A re-sync that finds every delivery unchanged materializes nothing, so Dagster skips the
        # checks and everything downstream (see _alone_in_run).
        output_required=False,
    )
    def _asset(
        context: dg.AssetExecutionContext,
        warehouse: WarehouseResource,
        sources: SourcesResource,
        serving: ServingResource,
    ) -> Iterator[dg.MaterializeResult]:
        start, end = asset_window(context)
        summaries: list[LoadSummary] = []
        with input_failures():
            configured = sources_in_run(sources.load().of_kind(kind.name), context.run.tags)
            force = context.run.tags.get(FORCE_RELOAD_TAG) == "true"
            with warehouse.connect() as con:
                opened = [registry.opened(source) for source in configured]
                with transaction(con):
                    for access in opened:
                        summaries += access.load_months(con, list(months_between(start, end)), context.run_id, force)
                delivered = month_row_counts(con, _DELIVERED_ROWS, start, end, [kind.name])
                skipped = [s.label for s in summaries if s.skipped]
                may_skip = not force and len(skipped) == len(summaries) and _alone_in_run(context, kind.name)
                # skipping downstream is right only if every table there was built from what raw holds: a run
                # killed after this step committed left them at the previous delivery (built_from.py)
                fed = tables_fed_by(kind.name)
                stale = stale_stages(con, fed, start, end) if may_skip else []
                # ...and the serving file was published after them (a kill between the marts and the publish)
                unpublished = (
                    serving_is_stale(con, Path(serving.path), fed, start, end) if may_skip and not stale else ""
                )
            stored = warehouse.store_months(kind.raw_table, start, end)  # committed: publish (if configured)
            for access in opened:
                access.cleanup()
        if may_skip and not stale and not unpublished:
            context.log.info(f"raw.{table}: every delivery unchanged ({len(skipped)}); nothing downstream to rebuild")
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    metadata={"skipped_unchanged": skipped, "outcome": "skipped: deliveries unchanged"},
                )
            )
            return
        stale_lines = _stale_lines(stale) + ([unpublished] if unpublished else [])
        if stale_lines:
            context.log.warning(
                f"raw.{table}: raw already holds these deliveries ({', '.join(skipped)}), but stages downstream were "
                "built from others (a run stopped after the raw step?): rebuilding them\n  " + "\n  ".join(stale_lines)
            )
            skipped = []  # nothing is skipped: the stale stages are rebuilt
        rows = sum(s.rows for s in summaries)
        restated = [s.label for s in summaries if s.restated]
        context.log.info(f"raw.{table}: {rows} rows from {len(configured)} source(s), {start:%Y-%m}..{end:%Y-%m}")
        add_partition_row_counts(context, delivered)
        for key in context.partition_keys:  # each month its own deliveries, not the run's list on every month
            month = month_of(key)
            context.add_asset_metadata(
                {"deliveries": _deliveries_table([s for s in summaries if s.month == month])}, partition_key=key
            )
        yield dg.MaterializeResult(
            metadata={
                "run_rows_read": rows,
                "sources": [s.id for s in configured],
                "restatements_recorded": restated,
                "skipped_unchanged": skipped,
                **({"outcome": "rebuilding stale stages", "stale_stages": stale_lines} if stale_lines else {}),
                **stored,
            }
        )

    return _asset


def _stale_lines(stale: list[StaleStage], limit: int = 20) -> list[str]:
    """One line per stale table, month and source, at most ``limit`` (a 24-month backfill can list hundreds)."""
    lines = [str(s) for s in stale[:limit]]
    return lines + ([f"... and {len(stale) - limit} more"] if len(stale) > limit else [])


def _deliveries_table(summaries: list[LoadSummary]) -> dg.MetadataValue:
    return markdown_table(
        ["source", "month", "delivery", "rows", "line items"],
        [
            (
                s.source_id,
                s.month.isoformat(),
                s.delivery or ",".join(s.model_versions),
                s.rows,
                # CUR: copied into raw, or only grouped with the objects referenced (raw_line_items)
                s.raw_line_items or ("skipped" if s.skipped else "copied"),
            )
            for s in summaries
        ],
    )


def build_raw_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [raw_asset(kind, partitions_def) for kind in source_kinds().values()]
