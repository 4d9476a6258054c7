"""Google Cloud Carbon Footprint export, as files dropped in the source folder."""

from carbon_pipeline.sources.gcp_carbon import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, Resync, SourceKind

SOURCE_KIND = SourceKind(
    name="gcp_carbon",
    asset_name="gcp_carbon_emissions",
    raw_table="raw.provider_carbon_emissions",
    description="Google Cloud Carbon Footprint export rows (files dropped in the source folder), kgCO2e converted "
    "to metric tons, one row per file row, assigned to its usage_month; every carbon_model_version kept.",
    reader=reader,
    feeds="ledger.provider_emissions",
    calendar=DeliveryCalendar(
        1,
        15,
        1,
        "Carbon Footprint export: month M by M+1, day 15 (Google: published by the 15th); 1 month late tolerated",
    ),
    resync=Resync(cadence="monthly", closed_months=3),
    sql=("staging/gcp_carbon",),
    validation=("staging/gcp_carbon__invalid",),
)
