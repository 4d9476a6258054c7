"""Reading the sources file (SPEC: The sources file).

Validation is strict on purpose: a misspelt key silently ignored would change an inventory without
anyone noticing, so unknown keys and kinds are errors that name the key. Which keys a source may have is
declared by its kind (sources/<kind>/__init__.py), so a new kind needs nothing here.
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.uncertainty import uncertainty_tiers
from carbon_pipeline.factors.user_files import parse_user_factor_files
from carbon_pipeline.hourly.config import parse_hourly
from carbon_pipeline.safety.paths import id_collisions, source_id_problem
from carbon_pipeline.safety.strict_yaml import load_strict
from carbon_pipeline.sources.config import DEFAULT_BOUNDARY, InventorySettings, SourceConfig, SourcesFile
from carbon_pipeline.sources.credentials import validate_credentials_option
from carbon_pipeline.sources.registry import source_kinds

COMMON_KEYS = {"id", "kind", "uri", "description", "schedule"}
SCHEDULES = ("daily", "weekly", "monthly", "none")
# Where an s3:// source lives and how it authenticates (never a secret value: see credentials.py).
S3_KEYS = {"credentials", "region", "endpoint_url"}

SETTINGS_DEFAULTS: dict[str, Any] = {
    "coefficient_profile": "default",
    "cloud_scope_policy": "scope3_category1",
    "carbon_model_version": "newest",
    "start_month": "2024-01",
    "organisational_boundary": DEFAULT_BOUNDARY,
    "consolidation_approach": "operational_control",
    "base_year": None,
    # share of a provider-month's cloud usage cost allowed to rest on the last fallback (spend-based, or no
    # figure) before checks/cloud_spend_fallback_share.sql blocks the run (issue 14)
    "max_spend_fallback_share": 0.2,
    # tier -> relative 95 % half-width replacing the shipped default (issue 17, docs/uncertainty.md)
    "uncertainty": None,
    # Scope 3 category (1-15) -> {status: not_relevant | not_estimated, reason: text} (issue 15)
    "scope3_screening": None,
    # [{name, unit, values: {year: value}}]: denominators of the intensity metrics (issue 15)
    "intensity_denominators": None,
}
SCOPE3_SCREENING_STATUSES = ("not_relevant", "not_estimated")
SETTINGS_CHOICES = {
    "coefficient_profile": ("default", "ccf"),
    "cloud_scope_policy": ("scope3_category1", "scope2_framing"),
    # the GHG Protocol's three consolidation approaches
    "consolidation_approach": ("operational_control", "financial_control", "equity_share"),
}


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


def _start_month(value: Any, path: Path) -> date:
    """settings.start_month, which must not lie after the current month: a future start ran no month at all
    and reported success."""
    month = _parse_month(value, f"{path}: settings.start_month")
    today = date.today()
    if month > today.replace(day=1):
        raise ConfigError(f"{path}: settings.start_month {month:%Y-%m} is after the current month {today:%Y-%m}")
    return month


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
        organisational_boundary=str(values["organisational_boundary"]),
        consolidation_approach=values["consolidation_approach"],
        base_year=_parse_year(values["base_year"], f"{path}: settings.base_year"),
        max_spend_fallback_share=_parse_share(values["max_spend_fallback_share"], path),
        uncertainty_overrides=_parse_uncertainty(values["uncertainty"], path),
        scope3_screening=_parse_scope3_screening(values["scope3_screening"], path),
        intensity_denominators=_parse_intensity_denominators(values["intensity_denominators"], path),
    )


_DENOMINATOR_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def _parse_intensity_denominators(raw: Any, path: Path) -> tuple[tuple[str, str, int, float], ...]:
    """settings.intensity_denominators: a list of {name, unit, values: {year: value}}, e.g. revenue in million
    EUR per year. A value must be a positive, finite number: a zero or a typo would print an infinite or
    meaningless intensity, so it is refused naming the denominator and year."""
    if raw is None:
        return ()
    where = f"{path}: settings.intensity_denominators"
    if not isinstance(raw, list):
        raise ConfigError(f"{where} must be a list of {{name, unit, values}}")
    rows: list[tuple[str, str, int, float]] = []
    names: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}[{index}] must be a mapping with 'name', 'unit' and 'values'")
        unknown = sorted(set(entry) - {"name", "unit", "values"})
        if unknown:
            raise ConfigError(f"{where}[{index}]: unknown key '{unknown[0]}' (known: ['name', 'unit', 'values'])")
        name = entry.get("name")
        if not isinstance(name, str) or not _DENOMINATOR_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}[{index}].name is '{name}': lower-case letters, digits and '_', starting with a letter"
            )
        if name in names:
            raise ConfigError(f"{where}: denominator '{name}' is given twice")
        names.add(name)
        unit = entry.get("unit")
        if not isinstance(unit, str) or not unit.strip():
            raise ConfigError(f"{where}.{name}.unit is missing: say what one unit is (e.g. 'million EUR revenue')")
        values = entry.get("values")
        if not isinstance(values, dict) or not values:
            raise ConfigError(f"{where}.{name}.values must be a mapping of year to value, e.g. {{2025: 120.5}}")
        years: set[int] = set()
        for year, value in sorted(values.items(), key=lambda item: str(item[0])):
            parsed_year = _parse_year(year, f"{where}.{name}.values")
            if parsed_year in years:
                raise ConfigError(f"{where}.{name}.values: year {parsed_year} is given twice")
            years.add(int(parsed_year))
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ConfigError(f"{where}.{name}.values.{year} is '{value}', expected a positive number")
            rows.append((name, unit.strip(), int(parsed_year), float(value)))
    return tuple(rows)


def _parse_scope3_screening(raw: Any, path: Path) -> tuple[tuple[int, str, str], ...]:
    """settings.scope3_screening: the organisation's own screening of the Scope 3 categories it does not report,
    category number (1-15) -> status and reason. Only the organisation can judge relevance, so each entry needs
    a reason; a misspelt status or a category outside 1-15 is an error rather than a silently unscreened row."""
    if raw is None:
        return ()
    where = f"{path}: settings.scope3_screening"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping of category number (1-15) to {{status, reason}}")
    screened = []
    for key, entry in raw.items():
        text = str(key).strip()
        if isinstance(key, bool) or not text.isdigit() or not 1 <= int(text) <= 15:
            raise ConfigError(f"{where}: '{key}' is not a Scope 3 category number (1 to 15)")
        category = int(text)
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}.{category} must be a mapping with 'status' and 'reason'")
        unknown = sorted(set(entry) - {"status", "reason"})
        if unknown:
            raise ConfigError(f"{where}.{category}: unknown key '{unknown[0]}' (known: ['reason', 'status'])")
        status = entry.get("status")
        if status not in SCOPE3_SCREENING_STATUSES:
            raise ConfigError(
                f"{where}.{category}.status is '{status}', expected one of {list(SCOPE3_SCREENING_STATUSES)}"
            )
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}.{category}.reason is missing: say why the category is {status}")
        screened.append((category, str(status), reason.strip()))
    if len({c for c, _, _ in screened}) != len(screened):
        raise ConfigError(f"{where}: a category is given twice")
    return tuple(sorted(screened))


def _parse_uncertainty(raw: Any, path: Path) -> tuple[tuple[str, float], ...]:
    """settings.uncertainty: a mapping of data-quality tier to a relative 95 % half-width (0.1 = +/-10 %). A tier
    the shipped defaults do not name is an error, so a typo never leaves the default silently in place."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: settings.uncertainty must be a mapping of tier to a relative uncertainty")
    known = uncertainty_tiers()
    overrides = []
    for tier, value in sorted(raw.items()):
        if tier not in known:
            raise ConfigError(f"{path}: unknown tier 'settings.uncertainty.{tier}' (known: {sorted(known)})")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 10.0:
            raise ConfigError(f"{path}: settings.uncertainty.{tier} is '{value}', expected a number from 0 to 10")
        overrides.append((str(tier), float(value)))
    return tuple(overrides)


def _parse_share(value: Any, path: Path) -> float:
    """A share of cost, 0 to 1: a typo such as 20 (meaning 20 %) must not switch the check off."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        share = -1.0
    if isinstance(value, bool) or not 0.0 <= share <= 1.0:
        raise ConfigError(f"{path}: settings.max_spend_fallback_share is '{value}', expected a share from 0 to 1")
    return share


def _parse_year(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not str(value).isdigit() or not 1990 <= int(value) <= 2100:
        raise ConfigError(f"{where}: '{value}' is not a year (e.g. 2024)")
    return int(value)


def _parse_source(raw: Any, index: int, path: Path) -> SourceConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: sources[{index}] must be a mapping")
    for key in ("id", "kind", "uri"):
        if not raw.get(key):
            raise ConfigError(f"{path}: sources[{index}] is missing required key '{key}'")
    source_id, kind_name = str(raw["id"]), str(raw["kind"])
    problem = source_id_problem(source_id)
    if problem:
        raise ConfigError(f"{path}: sources[{index}]: {problem}")
    kinds = source_kinds()
    if kind_name not in kinds:
        raise ConfigError(f"{path}: source '{source_id}': unknown kind '{kind_name}' (known: {list(kinds)})")
    kind = kinds[kind_name]
    uri = str(raw["uri"])
    allowed = COMMON_KEYS | kind.options | (S3_KEYS if uri.startswith("s3://") else set())
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"{path}: source '{source_id}': unknown key '{unknown[0]}' for kind '{kind_name}'")
    if kind.validate_options is not None:
        kind.validate_options(path, source_id, raw)
    validate_credentials_option(source_id, raw.get("credentials"))
    if "schedule" in raw and raw["schedule"] not in SCHEDULES:
        raise ConfigError(f"{path}: source '{source_id}': key 'schedule' must be one of {list(SCHEDULES)}")
    if "://" not in uri and not Path(uri).is_absolute():  # s3://, sustainability:// are not folders
        uri = str((path.parent / uri).resolve())
    options = {k: v for k, v in raw.items() if k not in {"id", "kind", "uri", "description"}}
    return SourceConfig(id=source_id, kind=kind_name, uri=uri, options=options)


def load_sources_file(path: Path | str) -> SourcesFile:
    """The parsed sources file. Read on every call (an edited file takes effect without reloading code), parsed
    only when its text changed: every step of a run loads it (45 times in a demo run), and the parse is the costly
    part (docs/performance.md, Profile 12). Errors are never cached."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file not found: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    return _parsed_sources_file(path, text, Path.cwd())  # a relative uri resolves against the file's folder


@lru_cache(maxsize=8)
def _parsed_sources_file(path: Path, text: str, cwd: Path) -> SourcesFile:
    """``text`` of the sources file at ``path``, parsed and validated: a pure function of the three (``cwd``
    because a relative ``path`` resolves against it), so cached."""
    try:
        document = load_strict(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    except ValueError as exc:  # a scalar YAML cannot build, e.g. an unquoted impossible date 2025-02-30
        raise ConfigError(f"{path}: not valid YAML: {str(exc)[:200]} (quote the value, e.g. '2025-02')") from exc
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: expected a mapping with 'sources:'")
    unknown = sorted(set(document) - {"sources", "settings", "user_factor_files", "hourly"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown key '{unknown[0]}' (known: ['hourly', 'settings', 'sources', 'user_factor_files'])"
        )
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
        hourly=parse_hourly(document.get("hourly"), path),
    )
