"""Tiny warehouses for the hourly tests: a real DuckDB file with the annual schema, a few hand-written ledger and
emission rows, and hourly files written into the test's own temporary folder."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from carbon_pipeline.hourly.config import HourlyFile, HourlySettings
from carbon_pipeline.warehouse.connection import open_warehouse


def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return open_warehouse(tmp_path / "warehouse.duckdb")


def _insert(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, Any]) -> None:
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(row.values()))


def activity(con: duckdb.DuckDBPyConnection, activity_id: str, month: date, **columns: Any) -> None:
    """One ledger.activity row with the NOT NULL columns filled and ``columns`` on top."""
    row = {
        "activity_id": activity_id,
        "period_month": month,
        "source_id": "src",
        "source_kind": "activity_csv",
        "source_object": "file.csv",
        "source_version": "v1",
        "line_item_count": 1,
        "first_line": 2,
        "activity_type": "electricity",
        "estimation_class": "electricity",
        **columns,
    }
    _insert(con, "ledger.activity", row)


def emission(con: duckdb.DuckDBPyConnection, activity_id: str, month: date, method: str, **columns: Any) -> None:
    row = {
        "activity_id": activity_id,
        "period_month": month,
        "method": method,
        "basis": "activity",
        "formula": "test",
        **columns,
    }
    _insert(con, "emissions.activity_emissions", row)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def residual_mix(con: duckdb.DuckDBPyConnection, geography: str, year: int, value: float) -> str:
    factor_id = f"user:aib:test:{geography}:{year}"
    _insert(
        con,
        "factors.emission_factors",
        {
            "factor_id": factor_id,
            "value": value,
            "unit": "kgCO2e/kWh",
            "activity_unit": "kwh",
            "boundary": "direct",
            "geography": geography,
            "item": "electricity_residual_mix",
            "data_year": year,
            "publisher": "AIB",
            "dataset": "residual-mix",
            "edition": "test",
            "licence": "test",
            "redistributable": False,
            "source_file": "aib.csv",
            "file_sha256": hashlib.sha256(b"aib").hexdigest(),
        },
    )
    return factor_id


def settings(tmp_path: Path, *, grid: list[HourlyFile], zone_map: str, **kwargs: Any) -> HourlySettings:
    return HourlySettings(
        enabled=True, grid_files=tuple(grid), zone_map=write(tmp_path / "zones.csv", zone_map), **kwargs
    )
