"""Raw stage: each source kind's deliveries for the run's months, read at full fidelity into raw.*.

One asset per source kind (not per source): sources are configuration, so adding one must not
change the asset graph. Each run replaces its months for every source of the kind in ONE
transaction, so a bad object anywhere leaves all of them as they were.
"""

from collections.abc import Iterator, Mapping

import dagster as dg

from carbon_pipeline.months import months_between
from carbon_pipeline.orchestration.failures import input_failures
from carbon_pipeline.orchestration.keys import raw_asset_key
from carbon_pipeline.orchestration.metadata import markdown_table
from carbon_pipeline.orchestration.partitions import FORCE_RELOAD_TAG, SOURCES_TAG, asset_window
from carbon_pipeline.orchestration.resources import SourcesResource, WarehouseResource
from carbon_pipeline.sources import registry
from carbon_pipeline.sources.kind import LoadSummary, SourceKind
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


def raw_asset(kind: SourceKind, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The raw asset of one source kind, from its declaration (sources/<kind>/__init__.py)."""
    table = kind.asset_name

    @dg.asset(
        key=raw_asset_key(kind.name),
        group_name="raw",
        description=kind.description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        metadata={"table": f"raw.{table}", "source_kind": kind.name},
        # A re-sync that finds every delivery unchanged materializes nothing, so Dagster skips the
        # checks and everything downstream (see _alone_in_run).
        output_required=False,
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> Iterator[dg.MaterializeResult]:
        start, end = asset_window(context)
        summaries: list[LoadSummary] = []
        with input_failures():
            configured = sources_in_run(sources.load().of_kind(kind.name), context.run.tags)
            force = context.run.tags.get(FORCE_RELOAD_TAG) == "true"
            with warehouse.connect() as con, transaction(con):
                for source in configured:
                    for month in months_between(start, end):
                        summaries.append(registry.load_month(con, source, month, context.run_id, force=force))
            stored = warehouse.store_months(kind.raw_table, start, end)  # committed: publish (if configured)
            for source in configured:
                registry.cleanup(source)
        skipped = [s.label for s in summaries if s.skipped]
        if not force and len(skipped) == len(summaries) and _alone_in_run(context, kind.name):
            context.log.info(f"raw.{table}: every delivery unchanged ({len(skipped)}); nothing downstream to rebuild")
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    metadata={"skipped_unchanged": skipped, "outcome": "skipped: deliveries unchanged"},
                )
            )
            return
        rows = sum(s.rows for s in summaries)
        restated = [s.label for s in summaries if s.restated]
        context.log.info(f"raw.{table}: {rows} rows from {len(configured)} source(s), {start:%Y-%m}..{end:%Y-%m}")
        yield dg.MaterializeResult(
            metadata={
                "dagster/row_count": rows,
                "sources": [s.id for s in configured],
                "restatements_recorded": restated,
                "skipped_unchanged": skipped,
                **stored,
                "deliveries": markdown_table(
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
                        for s in summaries[:60]
                    ],
                ),
            }
        )

    return _asset


def build_raw_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [raw_asset(kind, partitions_def) for kind in source_kinds().values()]
