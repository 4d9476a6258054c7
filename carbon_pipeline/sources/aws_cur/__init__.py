"""Legacy AWS Cost and Usage Reports (CSV, gzip, ZIP or Parquet), read by their period manifests."""

from carbon_pipeline.sources.aws_cur import reader
from carbon_pipeline.sources.cur_shared import contract_refusal, line_item_groups_contract, validate_cur_options
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind
from carbon_pipeline.transforms import ContractCheck

SOURCE_KIND = SourceKind(
    name="aws_cur",
    asset_name="aws_cur_line_items",
    raw_table="raw.aws_cur_line_items",
    description="Legacy AWS CUR line items, typed, one row per line of each manifest-listed "
    "object of the current delivery (assemblyId); earlier deliveries recorded as superseded.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(0, 2, 0, "refreshed daily: the open month is delivered within a day of its start"),
    options=frozenset({"report_name", "raw_line_items", "hourly"}),
    validate_options=validate_cur_options,
    contracts=(
        ContractCheck("raw.aws_cur_line_items"),
        line_item_groups_contract("aws_cur"),
    ),
    before_commit=contract_refusal(csv_names=True),
    sql=("staging/aws_cur_line_items", "staging/cur_line_item_groups"),
    validation=(
        "staging/aws_cur_line_items__invalid",
        "staging/cur_line_item_groups__invalid",
    ),
)
