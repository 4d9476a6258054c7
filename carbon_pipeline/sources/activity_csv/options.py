"""activity_csv options (docs/activity_templates.md#source-options)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import ConfigError

ACTIVITY_TEMPLATES = ("electricity", "fuel", "vehicle", "travel", "spend")


def validate_activity_options(path: Path, source_id: str, raw: Mapping[str, Any]) -> None:
    if raw.get("template") not in ACTIVITY_TEMPLATES:
        raise ConfigError(f"{path}: source '{source_id}': key 'template' must be one of {list(ACTIVITY_TEMPLATES)}")
    geography = raw.get("factor_geography")
    kind_, _, code = str(geography).partition(":")
    well_formed = str(geography) == "global" or (
        (kind_, len(code)) in {("iso3", 3), ("egrid", 4)} and code.isalnum() and code == code.upper()
    )
    if geography is not None and not well_formed:
        raise ConfigError(
            f"{path}: source '{source_id}': key 'factor_geography' must be global, iso3:XXX or egrid:XXXX "
            f"(got {geography!r})"
        )
    if "radiative_forcing" in raw and not isinstance(raw["radiative_forcing"], bool):
        raise ConfigError(f"{path}: source '{source_id}': key 'radiative_forcing' must be true or false")
    suppliers = raw.get("cloud_suppliers")
    if suppliers is not None and not (
        isinstance(suppliers, dict)
        and all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in suppliers.items())
    ):
        raise ConfigError(
            f"{path}: source '{source_id}': key 'cloud_suppliers' must map supplier names to a provider "
            "(aws, azure, gcp, oci ...) or none"
        )
