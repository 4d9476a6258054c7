"""Options shared by the two CUR kinds (aws_cur, aws_cur2)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import ConfigError

# How a CUR source keeps its line items (docs/performance.md): `copy` writes every one into raw (the default:
# the warehouse alone is the evidence), `reference` keeps only their ledger-grain groups and the delivered
# objects' versions, for months of tens of millions of line items in a versioned bucket.
RAW_LINE_ITEMS = ("copy", "reference")


def validate_cur_options(path: Path, source_id: str, raw: Mapping[str, Any]) -> None:
    if "raw_line_items" in raw and raw["raw_line_items"] not in RAW_LINE_ITEMS:
        raise ConfigError(f"{path}: source '{source_id}': key 'raw_line_items' must be one of {list(RAW_LINE_ITEMS)}")
    # hourly carbon (docs/hourly.md): keep this source's line items at hour grain for the hourly estimate only
    if "hourly" in raw and not isinstance(raw["hourly"], bool):
        raise ConfigError(f"{path}: source '{source_id}': key 'hourly' must be true or false")
