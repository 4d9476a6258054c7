"""AWS Data Exports carbon emissions (the Customer Carbon Footprint Tool's data), every model version kept."""

from carbon_pipeline.sources.aws_carbon import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, Resync, SourceKind

SOURCE_KIND = SourceKind(
    name="aws_carbon",
    asset_name="aws_carbon_emissions",
    raw_table="raw.aws_carbon_emissions",
    description="AWS carbon emissions export rows (CCFT data) for every model version "
    "delivered for the month; which one counts is decided in the ledger.",
    reader=reader,
    feeds="ledger.provider_emissions",
    calendar=DeliveryCalendar(
        1, 21, 3, "month M published ~21 days after its end (M+1, day 21); up to 3 months late tolerated"
    ),
    resync=Resync(cadence="monthly", closed_months=3),
    options=frozenset({"export_name"}),
    sql=("staging/aws_carbon_emissions",),
    validation=("staging/aws_carbon_emissions__invalid",),
)
