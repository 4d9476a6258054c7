"""The organisation's own activity files: electricity, fuel, vehicles, travel and spend templates."""

from carbon_pipeline.sources.activity_csv import reader
from carbon_pipeline.sources.activity_csv.options import validate_activity_options
from carbon_pipeline.sources.kind import DeliveryCalendar, Resync, SourceKind

SOURCE_KIND = SourceKind(
    name="activity_csv",
    asset_name="activity_rows",
    raw_table="raw.activity_rows",
    description="The organisation's own activity files (electricity, fuel, travel), one row "
    "per file line, assigned to the month of its date.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(
        1, 15, 2, "monthly files (bills, fuel cards, travel) by M+1, day 15; up to 2 months late tolerated"
    ),
    resync=Resync(cadence="weekly"),
    options=frozenset({"template", "factor_geography", "radiative_forcing", "cloud_suppliers"}),
    validate_options=validate_activity_options,
    sql=(
        "staging/activity_electricity",
        "staging/activity_fuel",
        "staging/activity_vehicle",
        "staging/activity_travel",
        "staging/activity_spend",
    ),
    validation=("staging/activity_rows__invalid",),
)
