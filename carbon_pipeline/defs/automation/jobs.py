"""Jobs: the whole inventory, and one re-sync job per source kind.

A re-sync job holds one raw asset and everything downstream of it, so a re-sync whose deliveries are
all unchanged, and that every stage downstream was built from (carbon_pipeline/built_from.py),
materializes nothing and Dagster skips the rest of the run (checks included): the schedules and
sensors of a source launch its kind's job.
"""

import dagster as dg

from carbon_pipeline.orchestration.keys import FACTOR_CATALOGUE_KEY, raw_asset_key
from carbon_pipeline.sources.registry import source_kinds

INVENTORY_JOB = "inventory_job"


def resync_job_name(kind: str) -> str:
    return f"{kind}_resync_job"


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
        *(
            dg.define_asset_job(
                resync_job_name(kind),
                # the catalogue too: a sensor's first run on a new warehouse must find its factors
                selection=dg.AssetSelection.assets(raw_asset_key(kind)).downstream()
                | dg.AssetSelection.assets(FACTOR_CATALOGUE_KEY),
                partitions_def=partitions_def,
                description=f"Re-read the {kind} sources for a month and rebuild everything downstream; skips the "
                "rest of the run when every delivery read is unchanged and everything downstream was built from it "
                "(audit.built_from; recorded as an observation of the raw asset).",
            )
            for kind in source_kinds()
        ),
    ]
