"""AWS Data Exports CUR 2.0, read by its manifests, into the same columns as the legacy CUR."""

from datetime import date

import duckdb

from carbon_pipeline.quality.precommit import refuse_contract_violations
from carbon_pipeline.sources.aws_cur2 import reader
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.cur_options import validate_cur_options
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind
from carbon_pipeline.transforms import ContractCheck


def _refuse_contract_violations(con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date) -> None:
    """The CUR contract's row rules on the month just read, before commit (quality/precommit.py)."""
    refuse_contract_violations(con, source_id=source.id, month=month, csv_names=False)


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
        ContractCheck(
            "raw.cur_line_item_groups",
            name="line_item_groups_contract",
            description="great-expectations suite over every distinct account, payer, line-item type and currency "
            "of the kind's line-item groups (the ledger's input, copied or referenced line items alike): the whole "
            "month, not a sample.",
            params={"source_kind": "aws_cur2"},
        ),
    ),
    before_commit=_refuse_contract_violations,
    sql=("staging/aws_cur_line_items", "staging/cur_line_item_groups"),
)
