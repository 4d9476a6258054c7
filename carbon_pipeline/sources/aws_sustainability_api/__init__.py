"""The AWS Sustainability API (GetEstimatedCarbonEmissions): the carbon export's figures, by API."""

from carbon_pipeline.sources.aws_sustainability_api import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, Resync, SourceKind

SOURCE_KIND = SourceKind(
    name="aws_sustainability_api",
    asset_name="aws_sustainability_emissions",
    raw_table="raw.provider_carbon_emissions",
    description="AWS Sustainability API GetEstimatedCarbonEmissions items (monthly, by account x region x service, "
    "every emission type, all pages), one row per item; the month's identity is a hash of its items.",
    reader=reader,
    feeds="ledger.provider_emissions",
    # the Sustainability API serves the same Customer Carbon Footprint Tool data as the carbon export
    calendar=DeliveryCalendar(
        1, 21, 3, "same data as the carbon export: month M by M+1, day 21; up to 3 months late tolerated"
    ),
    resync=Resync(cadence="monthly", closed_months=3),
    # uri sustainability://<region>: an API, no folder
    options=frozenset({"credentials", "region", "endpoint_url"}),
    reads_objects=False,
    sql=("staging/aws_sustainability_api",),
    validation=("staging/aws_sustainability_api__invalid",),
)
