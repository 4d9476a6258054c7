"""Azure Carbon Optimization reports (ItemDetails or MonthlySummary), saved as CSV or JSON."""

from carbon_pipeline.sources.azure_carbon import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, Resync, SourceKind

SOURCE_KIND = SourceKind(
    name="azure_carbon",
    asset_name="azure_carbon_emissions",
    raw_table="raw.provider_carbon_emissions",
    description="Azure Carbon Optimization report rows (ItemDetails or MonthlySummary saved as CSV/JSON), kgCO2e "
    "converted to metric tons, location-based only, one row per file row, assigned to its date's month.",
    reader=reader,
    feeds="ledger.provider_emissions",
    calendar=DeliveryCalendar(
        1, 19, 1, "Carbon Optimization: month M ready ~19 days after its end (M+1, day 19); 1 month late tolerated"
    ),
    resync=Resync(cadence="monthly", closed_months=3),
    sql=("staging/azure_carbon",),
    validation=("staging/azure_carbon__invalid",),
)
