"""Building the hourly tables from the warehouse's ledger and emissions and the files named in ``hourly:``.

Why it runs after the inventory and rebuilds everything: the hourly figures are derived (monthly kWh shaped by
hour, times hourly factors), small beside the ledger, and must never change it. Every file is read and
validated before anything is written; the build is one transaction, so a bad file leaves the previous hourly
tables as they were. The hourly grid files are also recorded in factors.catalogue_files (origin
``hourly:<layout>``) with their licence and SHA-256, like annual factor files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.hourly import files
from carbon_pipeline.hourly.config import HourlySettings
from carbon_pipeline.sources.config import SourcesFile
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline.warehouse.sql_models import insert_model, model_sql

CUR_KINDS = ("aws_cur", "aws_cur2")
MODELS = (
    ("hourly.consumption", "hourly/site_consumption"),
    ("hourly.consumption", "hourly/cloud_consumption"),
    ("hourly.location_hourly", "hourly/location_hourly"),
    ("hourly.matching", "hourly/matching"),
    ("marts.hourly_vs_annual", "hourly/hourly_vs_annual"),
    ("marts.hourly_market_scope2", "hourly/hourly_market_scope2"),
)


@dataclass(frozen=True)
class HourlyBuild:
    """What one build read and wrote, for logs and asset metadata."""

    rows: dict[str, int]
    grid_files: list[dict[str, Any]]
    synthetic: bool


def hourly_sources(sources: SourcesFile) -> list[str]:
    """Ids of the CUR sources the user turned hourly on for (`hourly: true`): only their line items are kept at
    hour grain for the estimate; every other source's estimate is spread flat and labelled so."""
    return [s.id for s in sources.sources if s.kind in CUR_KINDS and s.options.get("hourly") is True]


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Column-wise insert through unnest: one statement however many rows (executemany is row by row)."""
    if not rows:
        return 0
    values = list(zip(*rows, strict=True))
    select = ", ".join(f"unnest(${i + 1}) AS {name}" for i, name in enumerate(columns))
    con.execute(f"INSERT INTO {table} BY NAME (SELECT {select})", [list(v) for v in values])
    return len(rows)


def build_hourly(con: duckdb.DuckDBPyConnection, settings: HourlySettings, sources: Sequence[str] = ()) -> HourlyBuild:
    """Read every hourly file, then (re)create the hourly tables and run the hourly models in one transaction.
    ``sources``: the CUR source ids kept at hour grain (hourly_sources)."""
    if not settings.enabled:
        raise ConfigError("hourly is not enabled in the sources file (hourly.enabled: true)")
    grids = [files.read_grid_file(entry) for entry in settings.grid_files]
    zone_map = files.read_zone_map(settings.zone_map) if settings.zone_map else []
    profiles = files.read_load_profiles(settings.load_profiles) if settings.load_profiles else []
    unknown = sorted(set(settings.site_profiles.values()) - {p for p, _, _ in profiles})
    if unknown:
        raise ConfigError(f"hourly.site_profiles names profile '{unknown[0]}', which hourly.load_profiles lacks")
    meters = [row for entry in settings.meter_files for row in files.read_meter_file(entry)]
    instruments = [row for entry in settings.instrument_files for row in files.read_instrument_file(entry)]
    rows: dict[str, int] = {}
    with transaction(con):
        con.execute(model_sql("hourly/schema"))
        grid_columns = ("zone", "hour_utc", "kgco2e_per_kwh", "boundary")
        con.execute("DELETE FROM factors.catalogue_files WHERE origin LIKE 'hourly:%'")
        for entry, grid in zip(settings.grid_files, grids, strict=True):
            provenance = (
                entry.layout,
                grid.publisher,
                grid.dataset,
                grid.edition,
                grid.licence,
                grid.redistributable,
                grid.source_file,
                grid.file_sha256,
            )
            names = grid_columns + (
                "layout",
                "publisher",
                "dataset",
                "edition",
                "licence",
                "redistributable",
                "source_file",
                "file_sha256",
            )
            count = _insert(con, "hourly.grid_factors", names, [row + provenance for row in grid.rows])
            con.execute(
                "INSERT INTO factors.catalogue_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    grid.source_file,
                    f"hourly:{entry.layout}",
                    "hourly.grid_factors",
                    count,
                    grid.licence,
                    grid.redistributable,
                    grid.file_sha256,
                ],
            )
        duplicate = con.execute(
            "SELECT zone, hour_utc, boundary, count(*) FROM hourly.grid_factors "
            "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        if duplicate:
            zone, hour, boundary, _ = duplicate[0]
            raise ConfigError(f"hourly grid files: zone {zone} hour {hour} ({boundary}) is given by two files")
        rows["hourly.grid_factors"] = sum(len(g.rows) for g in grids)
        rows["hourly.zone_map"] = _insert(
            con, "hourly.zone_map", ("kind", "key", "zone", "residual_geography"), zone_map
        )
        rows["hourly.load_profiles"] = _insert(
            con, "hourly.load_profiles", ("profile", "hour_of_day", "weight"), profiles
        )
        _insert(con, "hourly.site_profiles", ("site", "profile"), list(settings.site_profiles.items()))
        rows["hourly.meter_hours"] = _insert(
            con, "hourly.meter_hours", ("site", "hour_utc", "kwh", "source_file"), meters
        )
        rows["hourly.instruments"] = _insert(
            con,
            "hourly.instruments",
            ("instrument_id", "instrument", "hour_utc", "kwh", "zone", "technology", "source_file"),
            instruments,
        )
        for table, model in MODELS:
            rows[table] = rows.get(table, 0) + insert_model(con, table, model, hourly_sources=list(sources))
        con.execute(model_sql("hourly/intensity_views"))
    grid_summary = [
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
    return HourlyBuild(rows, grid_summary, any(g.publisher == "synthetic" for g in grids))
