"""What the two CUR kinds (aws_cur, aws_cur2) declare alike: their options, the contract over their line-item
groups, and the refusal of a delivery that breaks the CUR contract before the raw stage commits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.quality.precommit import refuse_contract_violations
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.kind import BeforeCommit
from carbon_pipeline.transforms import ContractCheck

# How a CUR source keeps its line items (docs/sources.md): `copy` writes every one into raw (the default:
# the warehouse alone is the evidence), `reference` keeps only their ledger-grain groups and the delivered
# objects' versions, for months of tens of millions of line items in a versioned bucket; `archive` keeps the
# groups and the pipeline's own read-only copy of each delivered object (sources/archive.py).
RAW_LINE_ITEMS = ("copy", "reference", "archive")
DEFAULT_RAW_LINE_ITEMS = "copy"


def validate_cur_options(path: Path, source_id: str, raw: Mapping[str, Any]) -> None:
    if "raw_line_items" in raw and raw["raw_line_items"] not in RAW_LINE_ITEMS:
        raise ConfigError(f"{path}: source '{source_id}': key 'raw_line_items' must be one of {list(RAW_LINE_ITEMS)}")
    # hourly carbon (docs/hourly.md): keep this source's line items at hour grain for the hourly estimate only
    if "hourly" in raw and not isinstance(raw["hourly"], bool):
        raise ConfigError(f"{path}: source '{source_id}': key 'hourly' must be true or false")
    # the hourly estimate spreads each activity over the hours of its line items, which only `copy` keeps
    if raw.get("hourly") is True and raw.get("raw_line_items", DEFAULT_RAW_LINE_ITEMS) != "copy":
        raise ConfigError(
            f"{path}: source '{source_id}': 'hourly: true' reads the source's line items hour by hour, and "
            f"'raw_line_items: {raw['raw_line_items']}' does not keep them in the warehouse: use one or the other "
            "(docs/hourly.md)"
        )


def line_item_groups_contract(kind: str) -> ContractCheck:
    return ContractCheck(
        "raw.cur_line_item_groups",
        name="line_item_groups_contract",
        description="great-expectations suite over every distinct account, payer, line-item type and currency of the "
        "kind's line-item groups (the ledger's input, copied or referenced line items alike): the whole month, not a "
        "sample.",
        params={"source_kind": kind},
    )


def contract_refusal(*, csv_names: bool) -> BeforeCommit:
    """The CUR contract's row rules on the month just read, before commit (quality/precommit.py); messages name
    the legacy CSV headers (``lineItem/UsageAccountId``) or the CUR 2.0 / Athena names."""

    def refuse(con: duckdb.DuckDBPyConnection, source: SourceConfig, month: date) -> None:
        refuse_contract_violations(con, source_id=source.id, month=month, csv_names=csv_names)

    return refuse
