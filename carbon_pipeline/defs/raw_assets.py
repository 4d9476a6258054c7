"""Raw stage: each source kind's deliveries for the run's months, read at full fidelity into raw.*.

One asset per source kind (not per source): sources are configuration, so adding one must not
change the asset graph. Each run replaces its months for every source of the kind in ONE
transaction, so a bad object anywhere leaves all of them as they were.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg

from carbon_pipeline.defs.failures import input_failures
from carbon_pipeline.defs.metadata import markdown_table
from carbon_pipeline.defs.partitions import FORCE_RELOAD_TAG, SOURCES_TAG, asset_window
from carbon_pipeline.defs.resources import SourcesResource, WarehouseResource
from carbon_pipeline.quality.precommit import refuse_contract_violations
from carbon_pipeline.sources.months import months_between
from carbon_pipeline.sources.registry import READERS
from carbon_pipeline.warehouse.connection import transaction

RAW_ASSETS = {
    "aws_cur": (
        "aws_cur_line_items",
        "Legacy AWS CUR line items, typed, one row per line of each manifest-listed "
        "object of the current delivery (assemblyId); earlier deliveries recorded as superseded.",
    ),
    "aws_cur2": (
        "aws_cur2_line_items",
        "AWS Data Exports CUR 2.0 line items, typed like the legacy CUR (same columns, same staging), one row "
        "per row of each manifest-listed object of the current execution; map columns flattened.",
    ),
    "aws_carbon": (
        "aws_carbon_emissions",
        "AWS carbon emissions export rows (CCFT data) for every model version "
        "delivered for the month; which one counts is decided in the ledger.",
    ),
    "activity_csv": (
        "activity_rows",
        "The organisation's own activity files (electricity, fuel, travel), one row "
        "per file line, assigned to the month of its date.",
    ),
    "focus": (
        "focus_charges",
        "FOCUS 1.0/1.1/1.2 charges from any provider, one row per line of each object: the manifest-listed "
        "objects of an AWS Data Exports FOCUS delivery, or every dropped file by each row's charge month.",
    ),
    # The next three are views of raw.provider_carbon_emissions, each holding its kind's rows.
    "gcp_carbon": (
        "gcp_carbon_emissions",
        "Google Cloud Carbon Footprint export rows (files dropped in the source folder), kgCO2e converted to "
        "metric tons, one row per file row, assigned to its usage_month; every carbon_model_version kept.",
    ),
    "azure_carbon": (
        "azure_carbon_emissions",
        "Azure Carbon Optimization report rows (ItemDetails or MonthlySummary saved as CSV/JSON), kgCO2e converted "
        "to metric tons, location-based only, one row per file row, assigned to its date's month.",
    ),
    "aws_sustainability_api": (
        "aws_sustainability_emissions",
        "AWS Sustainability API GetEstimatedCarbonEmissions items (monthly, by account x region x service, every "
        "emission type, all pages), one row per item; the month's identity is a hash of its items.",
    ),
}


def sources_in_run(configured: list, tags: Mapping[str, str]) -> list:
    """A run tagged with source ids (by a per-source schedule or sensor) re-reads only those sources;
    the months of the others stay as they are, since each source's rows are replaced separately."""
    wanted = tags.get(SOURCES_TAG)
    if not wanted:
        return configured
    ids = set(wanted.split(","))
    return [source for source in configured if source.id in ids]


def raw_asset_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", RAW_ASSETS[kind][0]])


def _alone_in_run(context: dg.AssetExecutionContext, kind: str) -> bool:
    """Withholding this asset's output skips every step downstream of it, including those that also
    read another raw kind selected in the same run (Dagster skips a step when any upstream step of
    the run produced nothing). So an unchanged delivery may skip the run's rest only when no other
    raw asset is in the run: the per-kind re-sync jobs, not the whole inventory."""
    selected = context.run.asset_selection or context.job_def.asset_layer.executable_asset_keys
    others = {raw_asset_key(k) for k in RAW_ASSETS if k != kind}
    return not (others & set(selected))


def _raw_asset(kind: str, partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    table, description = RAW_ASSETS[kind]
    reader = READERS[kind]

    @dg.asset(
        key=raw_asset_key(kind),
        group_name="raw",
        description=description,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"duckdb"},
        metadata={"table": f"raw.{table}", "source_kind": kind},
        # A re-sync that finds every delivery unchanged materializes nothing, so Dagster skips the
        # checks and everything downstream (see _alone_in_run).
        output_required=False,
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> Iterator[dg.MaterializeResult]:
        start, end = asset_window(context)
        summaries: list[dict[str, Any]] = []
        with input_failures():
            configured = sources_in_run(sources.load().of_kind(kind), context.run.tags)
            force = context.run.tags.get(FORCE_RELOAD_TAG) == "true"
            with warehouse.connect() as con, transaction(con):
                for source in configured:
                    for month in months_between(start, end):
                        summaries.append(reader.load_month(con, source, month, context.run_id, force=force))
                        if kind in ("aws_cur", "aws_cur2"):  # before commit: a refused delivery is never loaded
                            refuse_contract_violations(
                                con, source_id=source.id, month=month, csv_names=kind == "aws_cur"
                            )
            stored = warehouse.store_months(reader.raw_table, start, end)  # committed: publish (if configured)
            for source in configured:
                reader.cleanup(source)
        skipped = [f"{s['source_id']} {s['month']}" for s in summaries if s.get("skipped")]
        if not force and len(skipped) == len(summaries) and _alone_in_run(context, kind):
            context.log.info(f"raw.{table}: every delivery unchanged ({len(skipped)}); nothing downstream to rebuild")
            context.log_event(
                dg.AssetObservation(
                    asset_key=context.asset_key,
                    metadata={"skipped_unchanged": skipped, "outcome": "skipped: deliveries unchanged"},
                )
            )
            return
        rows = sum(int(s["rows"]) for s in summaries)
        restated = [f"{s['source_id']} {s['month']}" for s in summaries if s.get("restated")]
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
                            s["source_id"],
                            s["month"],
                            s.get("delivery") or ",".join(s.get("model_versions", [])),
                            s["rows"],
                            # CUR: copied into raw, or only grouped with the objects referenced (raw_line_items)
                            s.get("raw_line_items", "skipped" if s.get("skipped") else "copied"),
                        )
                        for s in summaries[:60]
                    ],
                ),
            }
        )

    return _asset


def build_raw_assets(partitions_def: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    return [_raw_asset(kind, partitions_def) for kind in RAW_ASSETS]
