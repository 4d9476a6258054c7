"""Azure Cost Management cost details (actual or amortized cost exports), staged as FOCUS rows."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.sources.azure_cost_details import reader
from carbon_pipeline.sources.kind import DeliveryCalendar, SourceKind


def validate_options(path: Path, source_id: str, raw: Mapping[str, Any]) -> None:
    if "dataset" in raw and raw["dataset"] not in reader.DATASETS:
        raise ConfigError(f"{path}: source '{source_id}': key 'dataset' must be one of {list(reader.DATASETS)}")


SOURCE_KIND = SourceKind(
    name="azure_cost_details",
    asset_name="azure_cost_details_charges",
    raw_table="raw.focus_charges",
    description="Azure Cost Management cost details (actual or amortized cost; EA or MCA columns; CSV, gzip CSV or "
    "Parquet), one row per line, mapped onto FOCUS columns and staged like a FOCUS export of Azure: the newest "
    "run of the export's period folder, or every dropped file by each row's Date.",
    reader=reader,
    feeds="ledger.activity",
    calendar=DeliveryCalendar(0, 2, 0, "refreshed daily like a FOCUS export: the open month within a day of its start"),
    options=frozenset({"dataset"}),
    validate_options=validate_options,
    before_commit=reader.refuse_before_commit,
    sql=("staging/azure_cost_details_as_focus", "staging/focus_parsed", "staging/focus_charges"),
    validation=(
        "staging/azure_cost_details_as_focus__invalid",
        "staging/focus_charges__invalid",
        "staging/focus_charges_contract__invalid",
    ),
)
