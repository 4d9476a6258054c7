"""The ``hourly:`` section of the sources file, parsed strictly (an unknown key is an error naming it).

Why a section of its own rather than ``settings:`` keys: it names files (hourly grid factors, a zone map,
meter files, load profiles, granular certificates), each with the edition and licence note a user-brought
factor file needs (docs/factors.md), which flat settings cannot hold. Absent or ``enabled: false``: hourly
does nothing. Paths are relative to the sources file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from carbon_pipeline.errors import ConfigError

GRID_LAYOUTS = ("plain", "electricitymaps", "eia930_oge", "synthetic")
METER_LAYOUTS = ("interval_csv", "green_button")
INSTRUMENT_LAYOUTS = ("granular_certificates", "ppa_profile")
# what an unmatched hour is charged at when the zone has no residual mix (docs/hourly.md, "fallback")
FALLBACKS = ("location_hourly",)

SECTION_KEYS = {
    "enabled",
    "grid_files",
    "zone_map",
    "meter_files",
    "load_profiles",
    "site_profiles",
    "instrument_files",
    "unmatched_fallback",
}
GRID_KEYS = {"layout", "path", "edition", "licence_note", "zone", "boundary", "annual_kgco2e_per_kwh", "year"}
METER_KEYS = {"layout", "path", "site", "utc_offset_hours", "timezone"}
INSTRUMENT_KEYS = {"layout", "path", "edition", "licence_note"}


@dataclass(frozen=True)
class HourlyFile:
    """One file the hourly build reads; ``options`` holds the layout's extra keys (zone, boundary, site...)."""

    layout: str
    path: Path
    edition: str = ""
    licence_note: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HourlySettings:
    enabled: bool = False
    grid_files: tuple[HourlyFile, ...] = ()
    zone_map: Path | None = None
    meter_files: tuple[HourlyFile, ...] = ()
    load_profiles: Path | None = None
    site_profiles: Mapping[str, str] = field(default_factory=dict)
    instrument_files: tuple[HourlyFile, ...] = ()
    unmatched_fallback: str = "location_hourly"


def _path(value: Any, sources_path: Path) -> Path:
    path = Path(str(value))
    return path if path.is_absolute() else (sources_path.parent / path).resolve()


def _files(
    raw: Any, name: str, keys: set[str], layouts: tuple[str, ...], required: tuple[str, ...], sources_path: Path
) -> tuple[HourlyFile, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{sources_path}: 'hourly.{name}' must be a list")
    files = []
    for index, entry in enumerate(raw):
        where = f"{sources_path}: hourly.{name}[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping")
        unknown = sorted(set(entry) - keys)
        if unknown:
            raise ConfigError(f"{where}: unknown key 'hourly.{name}.{unknown[0]}' (known: {sorted(keys)})")
        layout = str(entry.get("layout", ""))
        if layout not in layouts:
            raise ConfigError(f"{where}: layout '{layout}' is not one of {list(layouts)}")
        # a synthetic profile is generated, not read: no path, and its edition and licence are the project's
        needed = ("zone", "annual_kgco2e_per_kwh", "year") if layout == "synthetic" else required + ("path",)
        needed += ("zone",) if layout == "eia930_oge" else ()
        for key in needed:
            if entry.get(key) in (None, ""):
                raise ConfigError(f"{where} ({layout}) is missing required key '{key}'")
        _check_clock(entry, where)
        options = {k: v for k, v in entry.items() if k not in {"layout", "path", "edition", "licence_note"}}
        path = _path(entry["path"], sources_path) if entry.get("path") else Path()
        files.append(
            HourlyFile(layout, path, str(entry.get("edition", "")), str(entry.get("licence_note", "")), options)
        )
    return tuple(files)


def _check_clock(entry: Mapping[str, Any], where: str) -> None:
    """A meter file's local clock: an IANA time zone (daylight-saving changes applied) or a fixed UTC offset,
    never both."""
    if entry.get("timezone") in (None, ""):
        return
    if entry.get("utc_offset_hours") is not None:
        raise ConfigError(f"{where}: give 'timezone' or 'utc_offset_hours', not both")
    try:
        ZoneInfo(str(entry["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"{where}: timezone '{entry['timezone']}' is not an IANA time zone (e.g. Europe/Berlin, America/Chicago)"
        ) from exc


def parse_hourly(raw: Any, sources_path: Path) -> HourlySettings:
    """The ``hourly:`` section; None (absent) is hourly off."""
    if raw is None:
        return HourlySettings()
    if not isinstance(raw, dict):
        raise ConfigError(f"{sources_path}: 'hourly' must be a mapping")
    unknown = sorted(set(raw) - SECTION_KEYS)
    if unknown:
        raise ConfigError(f"{sources_path}: unknown key 'hourly.{unknown[0]}' (known: {sorted(SECTION_KEYS)})")
    enabled = raw.get("enabled", False)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{sources_path}: hourly.enabled must be true or false")
    fallback = str(raw.get("unmatched_fallback", "location_hourly"))
    if fallback not in FALLBACKS:
        raise ConfigError(f"{sources_path}: hourly.unmatched_fallback must be one of {list(FALLBACKS)}")
    site_profiles = raw.get("site_profiles") or {}
    if not isinstance(site_profiles, dict):
        raise ConfigError(f"{sources_path}: hourly.site_profiles must be a mapping of site -> profile name")
    settings = HourlySettings(
        enabled=enabled,
        grid_files=_files(
            raw.get("grid_files"), "grid_files", GRID_KEYS, GRID_LAYOUTS, ("edition", "licence_note"), sources_path
        ),
        zone_map=_path(raw["zone_map"], sources_path) if raw.get("zone_map") else None,
        meter_files=_files(raw.get("meter_files"), "meter_files", METER_KEYS, METER_LAYOUTS, ("site",), sources_path),
        load_profiles=_path(raw["load_profiles"], sources_path) if raw.get("load_profiles") else None,
        site_profiles={str(k): str(v) for k, v in site_profiles.items()},
        instrument_files=_files(
            raw.get("instrument_files"),
            "instrument_files",
            INSTRUMENT_KEYS,
            INSTRUMENT_LAYOUTS,
            ("edition", "licence_note"),
            sources_path,
        ),
        unmatched_fallback=fallback,
    )
    if settings.enabled and not settings.grid_files:
        raise ConfigError(f"{sources_path}: hourly is enabled but 'hourly.grid_files' names no hourly grid file")
    if settings.enabled and settings.zone_map is None:
        raise ConfigError(f"{sources_path}: hourly is enabled but 'hourly.zone_map' is missing")
    return settings
