"""Factor files a user brings under their own licence (IEA, AIB and Green-e residual mixes, supplier-specific
factors, energy attribute certificates).

Why they are separate from the shipped catalogue: their licences forbid redistribution, so the project never
ships them and never needs them. They are named in the sources file (``user_factor_files:``), validated row by
row here (an error names the file, row and column), and loaded by the factor catalogue asset with
``redistributable = false``, the user's licence note and the file's SHA-256.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from carbon_pipeline.errors import ConfigError

ENTRY_KEYS = ("kind", "path", "edition", "licence_note")


class UserFactorFileError(ValueError):
    """A user factor file that cannot be loaded; the message names the file, row and column."""

    def __init__(self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None):
        self.path, self.row, self.column = str(path), row, column
        where = [f"user factor file '{path}'"]
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class UserFactorFile:
    kind: str
    path: Path
    edition: str
    licence_note: str


def _iso3(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError("expected an ISO 3166-1 alpha-3 code in capitals (e.g. DEU)")
    return value


def _egrid(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{4}", value):
        raise ValueError("expected an eGRID subregion acronym (4 capitals, e.g. RFCW)")
    return value


def _identifier(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value):
        raise ValueError("expected an identifier of letters, digits, '_', '.', '-'")
    return value


def _year(value: str) -> int:
    if not re.fullmatch(r"\d{4}", value):
        raise ValueError("expected a four-digit year")
    year = int(value)
    if not 1990 <= year <= 2100:
        raise ValueError("expected a year between 1990 and 2100")
    return year


def _non_negative(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise ValueError("expected a finite number >= 0")
    return number


def _date(value: str) -> date:
    return date.fromisoformat(value)


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


INSTRUMENTS = ("GO", "REGO", "REC", "I-REC", "PPA")


def _instrument(value: str) -> str:
    if value not in INSTRUMENTS:
        raise ValueError(f"expected one of {list(INSTRUMENTS)}")
    return value


# kind -> (required columns with their validators, optional columns with theirs, SQL model, target table)
Validator = Callable[[str], Any]
LAYOUTS: dict[str, tuple[dict[str, Validator], dict[str, Validator], str, str]] = {
    "iea": (
        {"country_iso3": _iso3, "year": _year, "kgco2e_per_kwh": _non_negative},
        {"note": str},
        "factors/user_iea",
        "factors.emission_factors",
    ),
    "aib_residual_mix": (
        {"country_iso3": _iso3, "year": _year, "gco2_per_kwh": _non_negative},
        {"note": str},
        "factors/user_aib_residual_mix",
        "factors.emission_factors",
    ),
    "greene_residual_mix": (
        {"egrid_subregion": _egrid, "year": _year, "lb_co2e_per_mwh": _non_negative},
        {"note": str},
        "factors/user_greene_residual_mix",
        "factors.emission_factors",
    ),
    "supplier_factors": (
        {"supplier_id": _identifier, "year": _year, "kgco2e_per_kwh": _non_negative},
        {"valid_from": _date, "valid_to": _date, "note": str},
        "factors/user_supplier_factors",
        "factors.emission_factors",
    ),
    "certificates": (
        {
            "certificate_id": _identifier,
            "site": _text,
            "period_start": _date,
            "period_end": _date,
            "kwh": _non_negative,
            "instrument": _instrument,
            "registry": _text,
        },
        {},
        "factors/user_certificates",
        "factors.certificates",
    ),
}
KINDS = tuple(LAYOUTS)


def parse_user_factor_files(raw: Any, sources_path: Path) -> tuple[UserFactorFile, ...]:
    """The ``user_factor_files:`` section of the sources file, strictly: a list of mappings with exactly the
    keys kind, path, edition, licence_note; paths are relative to the sources file."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{sources_path}: 'user_factor_files' must be a list")
    entries = []
    for index, entry in enumerate(raw):
        where = f"{sources_path}: user_factor_files[{index}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a mapping with keys {list(ENTRY_KEYS)}")
        unknown = sorted(set(entry) - set(ENTRY_KEYS))
        if unknown:
            raise ConfigError(f"{where}: unknown key 'user_factor_files.{unknown[0]}' (known: {list(ENTRY_KEYS)})")
        for key in ENTRY_KEYS:
            if entry.get(key) in (None, ""):
                raise ConfigError(f"{where} is missing required key '{key}'")
        kind = str(entry["kind"])
        if kind not in LAYOUTS:
            raise ConfigError(f"{where}: unknown kind '{kind}' (known: {list(KINDS)})")
        path = Path(str(entry["path"]))
        if not path.is_absolute():
            path = (sources_path.parent / path).resolve()
        entries.append(UserFactorFile(kind, path, str(entry["edition"]), str(entry["licence_note"])))
    return tuple(entries)


def validate_user_file(user_file: UserFactorFile) -> int:
    """Read the whole file and fail on the first unusable cell, naming file, row (1 = first data row) and
    column; returns the number of data rows. Nothing is loaded from a file that fails."""
    path = user_file.path
    required, optional, _, _ = LAYOUTS[user_file.kind]
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError as exc:
        raise UserFactorFileError(path, "file not found") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in required if c not in header]
        if missing:
            raise UserFactorFileError(path, f"missing column (expected {list(required)})", column=missing[0])
        unknown = [c for c in header if c not in required and c not in optional]
        if unknown:
            raise UserFactorFileError(
                path, f"unknown column (accepted: {list(required) + list(optional)})", column=unknown[0]
            )
        keys: set[tuple[str, ...]] = set()
        count = 0
        for count, row in enumerate(reader, start=1):
            if None in row:
                raise UserFactorFileError(path, "more cells than header columns", row=count)
            parsed = {}
            for column, validator in {**required, **optional}.items():
                value = (row.get(column) or "").strip()
                if column in optional and value == "":
                    continue
                if value == "":
                    raise UserFactorFileError(path, "empty value", row=count, column=column)
                try:
                    parsed[column] = validator(value)
                except ValueError as exc:
                    raise UserFactorFileError(path, f"'{value}': {exc}", row=count, column=column) from exc
            _check_row(user_file, parsed, count, keys)
    if count == 0:
        raise UserFactorFileError(path, "no data rows")
    return count


def _check_row(user_file: UserFactorFile, parsed: dict[str, Any], row: int, keys: set[tuple[str, ...]]) -> None:
    path = user_file.path
    if user_file.kind == "certificates":
        if parsed["period_end"] < parsed["period_start"]:
            raise UserFactorFileError(path, "period_end is before period_start", row=row, column="period_end")
        key: tuple[str, ...] = (parsed["certificate_id"],)
        column = "certificate_id"
    else:
        if "valid_from" in parsed and "valid_to" in parsed and parsed["valid_to"] < parsed["valid_from"]:
            raise UserFactorFileError(path, "valid_to is before valid_from", row=row, column="valid_to")
        place = next(c for c in ("country_iso3", "egrid_subregion", "supplier_id") if c in parsed)
        key = (str(parsed[place]), str(parsed["year"]), str(parsed.get("valid_from", "")))
        column = place
    if key in keys:
        raise UserFactorFileError(path, f"duplicate row for {key}", row=row, column=column)
    keys.add(key)
