"""AWS Data Exports CUR 2.0, read by its manifests, into the same columns as the legacy CUR."""

from carbon_pipeline.sources.aws_cur2 import reader
from carbon_pipeline.sources.cur_shared import contract_refusal, line_item_groups_contract, validate_cur_options
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind
from carbon_pipeline.transforms import ContractCheck

SOURCE_KIND = SourceKind(
    name="aws_cur2",
    asset_name="aws_cur2_line_items",
    raw_table="raw.aws_cur2_line_items",
    description="AWS Data Exports CUR 2.0 line items, typed like the legacy CUR (same columns, same staging), one "
    "row per row of each manifest-listed object of the current execution; map columns flattened.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(0, 2, 0, "refreshed daily like the legacy CUR: the open month within a day of its start"),
    options=frozenset({"export_name", "raw_line_items", "hourly"}),
    validate_options=validate_cur_options,
    contracts=(
        ContractCheck("raw.aws_cur2_line_items"),
        line_item_groups_contract("aws_cur2"),
    ),
    before_commit=contract_refusal(csv_names=False),
    sql=("staging/aws_cur_line_items", "staging/cur_line_item_groups"),
    validation=(
        "staging/aws_cur_line_items__invalid",
        "staging/cur_line_item_groups__invalid",
    ),
)
