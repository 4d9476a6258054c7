"""The sources file (SPEC: The sources file): which deliveries to read and the inventory's policies.

Validation is strict on purpose: a misspelt key silently ignored would change an inventory without
anyone noticing, so unknown keys and kinds are errors that name the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from carbon_pipeline.factors.user_files import UserFactorFile, parse_user_factor_files
from carbon_pipeline.safety.paths import id_collisions, source_id_problem
from carbon_pipeline.safety.strict_yaml import load_strict
from carbon_pipeline.sources.credentials import validate_credentials_option
from carbon_pipeline.sources.errors import ConfigError

SOURCE_KINDS = (
    "aws_cur",
    "aws_cur2",
    "aws_carbon",
    "aws_sustainability_api",
    "focus",
    "gcp_carbon",
    "azure_carbon",
    "activity_csv",
)
# Kinds the SPEC names whose readers have not been built yet (issue 3). Configuring one is an error
# at load time rather than a source that silently yields nothing.
IMPLEMENTED_KINDS = (
    "aws_cur",
    "aws_cur2",
    "aws_carbon",
    "aws_sustainability_api",
    "activity_csv",
    "focus",
    "gcp_carbon",
    "azure_carbon",
)

COMMON_KEYS = {"id", "kind", "uri", "description", "schedule"}
SCHEDULES = ("daily", "weekly", "monthly", "none")
# Where an s3:// source lives and how it authenticates (never a secret value: see credentials.py).
S3_KEYS = {"credentials", "region", "endpoint_url"}
KIND_KEYS: dict[str, set[str]] = {
    "aws_cur": {"report_name", "raw_line_items"},
    "aws_cur2": {"export_name", "raw_line_items"},
    "aws_carbon": {"export_name"},
    # uri sustainability://<region>: an API, no folder (aws_sustainability_api.py)
    "aws_sustainability_api": {"credentials", "region", "endpoint_url"},
    "focus": {"export_name"},
    "gcp_carbon": set(),
    "azure_carbon": set(),
    "activity_csv": {"template", "factor_geography", "radiative_forcing", "cloud_suppliers"},
}
ACTIVITY_TEMPLATES = ("electricity", "fuel", "vehicle", "travel", "spend")
# How a CUR source keeps its line items (docs/performance.md): `copy` writes every one into raw (the default:
# the warehouse alone is the evidence), `reference` keeps only their ledger-grain groups and the delivered
# objects' versions, for months of tens of millions of line items in a versioned bucket.
RAW_LINE_ITEMS = ("copy", "reference")


def _validate_activity_options(path: Path, source_id: str, raw: dict[str, Any]) -> None:
    """activity_csv options (docs/activity_templates.md#source-options)."""
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


SETTINGS_DEFAULTS: dict[str, Any] = {
    "coefficient_profile": "default",
    "cloud_scope_policy": "scope3_category1",
    "carbon_model_version": "newest",
    "start_month": "2024-01",
}
SETTINGS_CHOICES = {
    "coefficient_profile": ("default", "ccf"),
    "cloud_scope_policy": ("scope3_category1", "scope2_framing"),
}


@dataclass(frozen=True)
class SourceConfig:
    id: str
    kind: str
    uri: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")


@dataclass(frozen=True)
class InventorySettings:
    coefficient_profile: str = "default"
    cloud_scope_policy: str = "scope3_category1"
    carbon_model_version: str = "newest"
    start_month: date = date(2024, 1, 1)

    @property
    def pinned_model_version(self) -> str | None:
        return None if self.carbon_model_version == "newest" else self.carbon_model_version


@dataclass(frozen=True)
class SourcesFile:
    path: Path
    sources: tuple[SourceConfig, ...]
    settings: InventorySettings
    # factor files the user brings under their own licence (docs/factors.md); never shipped
    user_factor_files: tuple[UserFactorFile, ...] = ()

    def of_kind(self, kind: str) -> list[SourceConfig]:
        return [s for s in self.sources if s.kind == kind]


_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def _parse_month(value: Any, where: str) -> date:
    """A month given as ``YYYY-MM`` (or a date, quoted or not, whose month is meant). Anything else is an
    error: ``2025-01-garbage`` once ran as January, and ``2025-02-30`` as February."""
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value)
    shown = text if len(text) <= 40 else text[:40] + "..."
    match = _MONTH_TEXT.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        year, month, day = match.groups()
        date(int(year), int(month), int(day or 1))  # a day that does not exist is an error, not ignored
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise ConfigError(f"{where}: '{shown}' is not a month (YYYY-MM)") from exc


def _parse_settings(raw: Any, path: Path) -> InventorySettings:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 'settings' must be a mapping")
    unknown = sorted(set(raw) - set(SETTINGS_DEFAULTS))
    if unknown:
        raise ConfigError(f"{path}: unknown key 'settings.{unknown[0]}' (known: {sorted(SETTINGS_DEFAULTS)})")
    values = {**SETTINGS_DEFAULTS, **raw}
    for key, choices in SETTINGS_CHOICES.items():
        if values[key] not in choices:
            raise ConfigError(f"{path}: settings.{key} is '{values[key]}', expected one of {list(choices)}")
    return InventorySettings(
        coefficient_profile=values["coefficient_profile"],
        cloud_scope_policy=values["cloud_scope_policy"],
        carbon_model_version=str(values["carbon_model_version"]),
        start_month=_start_month(values["start_month"], path),
    )


def _start_month(value: Any, path: Path) -> date:
    """settings.start_month, which must not lie after the current month: a future start ran no month at all
    and reported success."""
    month = _parse_month(value, f"{path}: settings.start_month")
    today = date.today()
    if month > today.replace(day=1):
        raise ConfigError(f"{path}: settings.start_month {month:%Y-%m} is after the current month {today:%Y-%m}")
    return month


def _parse_source(raw: Any, index: int, path: Path) -> SourceConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: sources[{index}] must be a mapping")
    for key in ("id", "kind", "uri"):
        if not raw.get(key):
            raise ConfigError(f"{path}: sources[{index}] is missing required key '{key}'")
    source_id, kind = str(raw["id"]), str(raw["kind"])
    problem = source_id_problem(source_id)
    if problem:
        raise ConfigError(f"{path}: sources[{index}]: {problem}")
    if kind not in SOURCE_KINDS:
        raise ConfigError(f"{path}: source '{source_id}': unknown kind '{kind}' (known: {list(SOURCE_KINDS)})")
    uri = str(raw["uri"])
    allowed = COMMON_KEYS | KIND_KEYS[kind] | (S3_KEYS if uri.startswith("s3://") else set())
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"{path}: source '{source_id}': unknown key '{unknown[0]}' for kind '{kind}'")
    if kind not in IMPLEMENTED_KINDS:
        raise ConfigError(
            f"{path}: source '{source_id}': kind '{kind}' is part of the contract but its reader is not "
            f"built yet (implemented: {list(IMPLEMENTED_KINDS)})"
        )
    if kind == "activity_csv" and raw.get("template") not in ACTIVITY_TEMPLATES:
        raise ConfigError(f"{path}: source '{source_id}': key 'template' must be one of {list(ACTIVITY_TEMPLATES)}")
    if kind == "activity_csv":
        _validate_activity_options(path, source_id, raw)
    validate_credentials_option(source_id, raw.get("credentials"))
    if "raw_line_items" in raw and raw["raw_line_items"] not in RAW_LINE_ITEMS:
        raise ConfigError(f"{path}: source '{source_id}': key 'raw_line_items' must be one of {list(RAW_LINE_ITEMS)}")
    if "schedule" in raw and raw["schedule"] not in SCHEDULES:
        raise ConfigError(f"{path}: source '{source_id}': key 'schedule' must be one of {list(SCHEDULES)}")
    if "://" not in uri and not Path(uri).is_absolute():  # s3://, sustainability:// are not folders
        uri = str((path.parent / uri).resolve())
    options = {k: v for k, v in raw.items() if k not in {"id", "kind", "uri", "description"}}
    return SourceConfig(id=source_id, kind=kind, uri=uri, options=options)


def load_sources_file(path: Path | str) -> SourcesFile:
    path = Path(path)
    try:
        document = load_strict(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # a scalar YAML cannot build, e.g. an unquoted impossible date 2025-02-30
        raise ConfigError(f"{path}: not valid YAML: {str(exc)[:200]} (quote the value, e.g. '2025-02')") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping with 'sources:'")
    unknown = sorted(set(document) - {"sources", "settings", "user_factor_files"})
    if unknown:
        raise ConfigError(f"{path}: unknown key '{unknown[0]}' (known: ['settings', 'sources', 'user_factor_files'])")
    raw_sources = document.get("sources") or []
    if not isinstance(raw_sources, list):
        raise ConfigError(f"{path}: 'sources' must be a list")
    sources = tuple(_parse_source(raw, i, path) for i, raw in enumerate(raw_sources))
    seen: set[str] = set()
    for source in sources:
        if source.id in seen:
            raise ConfigError(f"{path}: source id '{source.id}' is used twice")
        seen.add(source.id)
    for first, second in id_collisions(s.id for s in sources):
        raise ConfigError(
            f"{path}: source ids '{first}' and '{second}' differ only by '-'/'_' and would name the same "
            "jobs, schedules and sensors: rename one"
        )
    return SourcesFile(
        path=path,
        sources=sources,
        settings=_parse_settings(document.get("settings"), path),
        user_factor_files=parse_user_factor_files(document.get("user_factor_files"), path),
    )
