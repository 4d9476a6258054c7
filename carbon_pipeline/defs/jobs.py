"""Jobs: the whole inventory, and the slices the schedules re-sync."""

import dagster as dg

from carbon_pipeline.defs.raw_assets import raw_asset_key

INVENTORY_JOB = "inventory_job"
CUR_RESYNC_JOB = "cur_resync_job"
CARBON_EXPORT_JOB = "carbon_export_job"


def build_jobs(partitions_def: dg.PartitionsDefinition) -> list:
    """Schedules and sensors refer to these jobs by name."""
    return [
        dg.define_asset_job(
            INVENTORY_JOB,
            selection=dg.AssetSelection.all(),
            partitions_def=partitions_def,
            description="Every asset: raw -> ledger -> emissions -> marts -> serving. Launch a month range as "
            "one run (single-run backfill policy): the months are replaced in one transaction per stage.",
        ),
        dg.define_asset_job(
            CUR_RESYNC_JOB,
            selection=dg.AssetSelection.assets(
                raw_asset_key("aws_cur"), raw_asset_key("aws_cur2"), raw_asset_key("activity_csv")
            ).downstream(),
            partitions_def=partitions_def,
            description="Re-read the CUR (legacy and 2.0) and activity files for a month and rebuild everything "
            "downstream.",
        ),
        dg.define_asset_job(
            CARBON_EXPORT_JOB,
            selection=dg.AssetSelection.assets(raw_asset_key("aws_carbon")).downstream(),
            partitions_def=partitions_def,
            description="Re-read the provider carbon export for a month and rebuild everything downstream.",
        ),
    ]
