"""FOCUS exports from any provider: AWS Data Exports FOCUS by manifest, other providers' files by charge month."""

from carbon_pipeline.sources.focus import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind

SOURCE_KIND = SourceKind(
    name="focus",
    asset_name="focus_charges",
    raw_table="raw.focus_charges",
    description="FOCUS 1.0-preview to 1.4 charges from any provider, one row per line of each object: the "
    "manifest-listed objects of an AWS Data Exports FOCUS delivery, the newest run of an Azure export, or every "
    "dropped file by each row's charge month.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(0, 2, 0, "refreshed daily like the CUR: the open month within a day of its start"),
    options=frozenset({"export_name"}),
    sql=("staging/focus_parsed", "staging/focus_charges"),
    validation=("staging/focus_charges__invalid",),
)
