"""Building the hourly tables from the warehouse's ledger and emissions and the files named in ``hourly:``.

Why it runs after the inventory and never changes it: the hourly figures are derived (monthly kWh shaped by hour,
times hourly factors) and must never change the ledger of record. The work comes in three loaders (hourly grid
factors and the zone map; meter files and load profiles; hourly instruments), each reading and validating its
files before it writes anything, and the SQL transforms declared in carbon_pipeline/transforms.py
(HOURLY_TRANSFORMS). The Dagster assets (carbon_pipeline/defs/hourly/) run one loader and one transform per
asset for a month range in one transaction; ``build_hourly`` runs them all for every month (tests, the
benchmark). The hourly grid files are also recorded in factors.catalogue_files (origin ``hourly:<layout>``)
with their licence and SHA-256, like annual factor files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.hourly import files
from carbon_pipeline.hourly.config import HourlySettings
from carbon_pipeline.sources.config import SourcesFile
from carbon_pipeline.transforms import HOURLY_TRANSFORMS
from carbon_pipeline.warehouse.connection import replace_months, transaction
from carbon_pipeline.warehouse.sql_models import model_sql

# the source kinds whose billing rows can be kept at hour grain (`hourly: true` on the source)
HOURLY_KINDS = ("aws_cur", "aws_cur2", "focus")
EVERY_MONTH = (date(1, 1, 1), date(9999, 12, 1))
SYNTHETIC_NOTICE = "SYNTHETIC hourly grid profile (invented shape, not measured data)"


@dataclass(frozen=True)
class HourlyBuild:
    """What one build read and wrote, for logs and asset metadata."""

    rows: dict[str, int]
    grid_files: list[dict[str, Any]] = field(default_factory=list)
    synthetic: bool = False


def hourly_sources(sources: SourcesFile) -> list[str]:
    """Ids of the CUR, CUR 2.0 and FOCUS sources the user turned hourly on for (`hourly: true`): only their billing
    rows are kept at hour grain for the estimate; every other source's estimate is spread flat and labelled so."""
    return [s.id for s in sources.sources if s.kind in HOURLY_KINDS and s.options.get("hourly") is True]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """The hourly schema and tables, created if missing (dbt_like_sql/hourly/schema.sql): only ever run when
    hourly is on, so with hourly off none of them exist."""
    con.execute(model_sql("hourly/schema"))


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Column-wise insert through unnest: one statement however many rows (executemany is row by row)."""
    if not rows:
        return 0
    values = list(zip(*rows, strict=True))
    select = ", ".join(f"unnest(${i + 1}) AS {name}" for i, name in enumerate(columns))
    con.execute(f"INSERT INTO {table} BY NAME (SELECT {select})", [list(v) for v in values])
    return len(rows)


def _in_window(hour: datetime, start: date, end: date) -> bool:
    return datetime(start.year, start.month, 1) <= hour < datetime(end.year, end.month, 1)


def _replace_hours(con: duckdb.DuckDBPyConnection, table: str, start: date, end: date) -> None:
    con.execute(
        f"DELETE FROM {table} WHERE hour_utc >= CAST(? AS TIMESTAMP) AND hour_utc < CAST(? AS TIMESTAMP)",
        [start, end],
    )


def _require_enabled(settings: HourlySettings) -> None:
    if not settings.enabled:
        raise ConfigError("hourly is not enabled in the sources file (hourly.enabled: true)")


def load_grid_factors(con: duckdb.DuckDBPyConnection, settings: HourlySettings, start: date, end: date) -> HourlyBuild:
    """Hourly grid factors of the months [start, end) and the zone map (whole), from every grid file, each
    file read and checked whole first; the grid files' catalogue rows replaced. In the caller's transaction."""
    _require_enabled(settings)
    grids = [files.read_grid_file(entry) for entry in settings.grid_files]
    zone_map = files.read_zone_map(settings.zone_map) if settings.zone_map else []
    ensure_schema(con)
    _replace_hours(con, "hourly.grid_factors", start, end)
    con.execute("DELETE FROM factors.catalogue_files WHERE origin LIKE 'hourly:%'")
    names = (
        "zone", "hour_utc", "kgco2e_per_kwh", "boundary",
        "layout", "publisher", "dataset", "edition", "licence", "redistributable", "source_file", "file_sha256",
    )  # fmt: skip
    written = 0
    for entry, grid in zip(settings.grid_files, grids, strict=True):
        provenance = (
            entry.layout, grid.publisher, grid.dataset, grid.edition, grid.licence, grid.redistributable,
            grid.source_file, grid.file_sha256,
        )  # fmt: skip
        rows = [row + provenance for row in grid.rows if _in_window(row[1], start, end)]
        written += _insert(con, "hourly.grid_factors", names, rows)
        con.execute(
            "INSERT INTO factors.catalogue_files VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                grid.source_file, f"hourly:{entry.layout}", "hourly.grid_factors", len(grid.rows), grid.licence,
                grid.redistributable, grid.file_sha256,
            ],
        )  # fmt: skip
    duplicate = con.execute(
        "SELECT zone, hour_utc, boundary, count(*) FROM hourly.grid_factors GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if duplicate:
        zone, hour, boundary, _ = duplicate[0]
        raise ConfigError(f"hourly grid files: zone {zone} hour {hour} ({boundary}) is given by two files")
    con.execute("DELETE FROM hourly.zone_map")
    mapped = _insert(con, "hourly.zone_map", ("kind", "key", "zone", "residual_geography"), zone_map)
    summary = [
        {
            "source_file": g.source_file,
            "publisher": g.publisher,
            "licence": g.licence,
            "rows": len(g.rows),
            "skipped_empty_hours": g.skipped_empty,
            "sha256": g.file_sha256,
        }
        for g in grids
    ]
    return HourlyBuild(
        {"hourly.grid_factors": written, "hourly.zone_map": mapped},
        summary,
        any(g.publisher == "synthetic" for g in grids),
    )


def load_activity_inputs(
    con: duckdb.DuckDBPyConnection, settings: HourlySettings, start: date, end: date
) -> dict[str, int]:
    """Meter hours of the months [start, end) and the load profiles and site profiles (whole), every file read
    and checked first. In the caller's transaction."""
    _require_enabled(settings)
    profiles = files.read_load_profiles(settings.load_profiles) if settings.load_profiles else []
    unknown = sorted(set(settings.site_profiles.values()) - {p for p, _, _ in profiles})
    if unknown:
        raise ConfigError(f"hourly.site_profiles names profile '{unknown[0]}', which hourly.load_profiles lacks")
    meters = [row for entry in settings.meter_files for row in files.read_meter_file(entry)]
    ensure_schema(con)
    con.execute("DELETE FROM hourly.load_profiles")
    con.execute("DELETE FROM hourly.site_profiles")
    _replace_hours(con, "hourly.meter_hours", start, end)
    return {
        "hourly.load_profiles": _insert(con, "hourly.load_profiles", ("profile", "hour_of_day", "weight"), profiles),
        "hourly.site_profiles": _insert(
            con, "hourly.site_profiles", ("site", "profile"), list(settings.site_profiles.items())
        ),
        "hourly.meter_hours": _insert(
            con,
            "hourly.meter_hours",
            ("site", "hour_utc", "kwh", "source_file"),
            [m for m in meters if _in_window(m[1], start, end)],
        ),
    }


def load_instruments(
    con: duckdb.DuckDBPyConnection, settings: HourlySettings, start: date, end: date
) -> dict[str, int]:
    """Hourly instruments (granular certificates, PPA profiles) of the months [start, end), every file read and
    checked first. In the caller's transaction."""
    _require_enabled(settings)
    instruments = [row for entry in settings.instrument_files for row in files.read_instrument_file(entry)]
    ensure_schema(con)
    _replace_hours(con, "hourly.instruments", start, end)
    columns = ("instrument_id", "instrument", "hour_utc", "kwh", "zone", "technology", "source_file")
    rows = [i for i in instruments if _in_window(i[2], start, end)]
    return {"hourly.instruments": _insert(con, "hourly.instruments", columns, rows)}


# what each hourly transform loads from files first, in the same transaction (None: SQL only)
LOADERS = {
    "hourly.consumption": load_activity_inputs,
    "hourly.matching": load_instruments,
}


def run_transform(
    con: duckdb.DuckDBPyConnection, table: str, start: date, end: date, sources: Sequence[str] = ()
) -> int:
    """Replace the months [start, end) of an hourly transform table with its models' rows (caller's transaction)."""
    models = next(t.models for t in HOURLY_TRANSFORMS if t.table == table)
    return replace_months(con, table, models, start, end, hourly_sources=list(sources))


def create_intensity_views(con: duckdb.DuckDBPyConnection) -> None:
    """marts.hourly_intensity and marts.hourly_intensity_by_hour_of_day (views over hourly.location_hourly)."""
    con.execute(model_sql("hourly/intensity_views"))


def build_hourly(
    con: duckdb.DuckDBPyConnection,
    settings: HourlySettings,
    sources: Sequence[str] = (),
    start: date = EVERY_MONTH[0],
    end: date = EVERY_MONTH[1],
) -> HourlyBuild:
    """Every hourly asset's work for the months [start, end) (default: every month), in one transaction: what
    the Dagster assets do one by one (carbon_pipeline/defs/hourly/). ``sources``: the CUR source ids kept at
    hour grain (hourly_sources)."""
    _require_enabled(settings)
    rows: dict[str, int] = {}
    with transaction(con):
        grid = load_grid_factors(con, settings, start, end)
        rows.update(grid.rows)
        for transform in HOURLY_TRANSFORMS:
            loader = LOADERS.get(transform.table)
            if loader is not None:
                rows.update(loader(con, settings, start, end))
            rows[transform.table] = run_transform(con, transform.table, start, end, sources)
        create_intensity_views(con)
    return HourlyBuild(rows, grid.grid_files, grid.synthetic)
