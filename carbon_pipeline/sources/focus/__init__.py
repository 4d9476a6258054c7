"""FOCUS exports from any provider: AWS Data Exports FOCUS by manifest, other providers' files by charge month."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.sources.focus import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind


def validate_focus_options(path: Path, source_id: str, raw: Mapping[str, Any]) -> None:
    """`hourly: true` keeps the source's usage rows at their charge periods' grain for the hourly estimate only
    (docs/hourly.md); it changes nothing in the annual inventory."""
    if "hourly" in raw and not isinstance(raw["hourly"], bool):
        raise ConfigError(f"{path}: source '{source_id}': key 'hourly' must be true or false")


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
    options=frozenset({"export_name", "hourly"}),
    validate_options=validate_focus_options,
    sql=("staging/focus_parsed", "staging/focus_charges"),
    validation=("staging/focus_charges__invalid",),
)
