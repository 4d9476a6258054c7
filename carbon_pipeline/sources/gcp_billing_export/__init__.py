"""Google Cloud billing export (standard or detailed usage cost) as dropped files, staged as FOCUS rows."""

from carbon_pipeline.sources.gcp_billing_export import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind

SOURCE_KIND = SourceKind(
    name="gcp_billing_export",
    asset_name="gcp_billing_export_charges",
    raw_table="raw.focus_charges",
    description="Google Cloud billing export rows (standard or detailed usage cost exported as CSV, JSONL or "
    "Parquet; nested columns flattened, credits summed into their own Credit row), mapped onto FOCUS columns and "
    "staged like a FOCUS export of Google Cloud, each row in its usage_start_time month.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(0, 2, 0, "refreshed daily like a FOCUS export: the open month within a day of its start"),
    before_commit=reader.refuse_before_commit,
    sql=("staging/gcp_billing_export_as_focus", "staging/focus_parsed", "staging/focus_charges"),
    validation=(
        "staging/gcp_billing_export_as_focus__invalid",
        "staging/focus_charges__invalid",
        "staging/focus_charges_contract__invalid",
    ),
)
