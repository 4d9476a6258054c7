"""Shared fixtures: a generated demo organisation and a warehouse built from it, with real DuckDB
files in temporary folders."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")

from carbon_pipeline.demo.generator import generate_demo  # noqa: E402
from carbon_pipeline.runner import failure_messages, run_inventory  # noqa: E402
from carbon_pipeline.settings import Settings  # noqa: E402

FIRST, LAST = date(2024, 1, 1), date(2025, 12, 1)


@dataclass(frozen=True)
class Deployment:
    root: Path
    settings: Settings

    @property
    def landing(self) -> Path:
        return self.root / "demo" / "landing"

    def run(self, first: date = FIRST, last: date = LAST, **kwargs):
        return run_inventory(self.settings, first, last, **kwargs)

    def query(self, sql: str, params: list | None = None, *, serving: bool = False) -> list[tuple]:
        path = self.settings.serving if serving else self.settings.warehouse
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def make_deployment(root: Path, demo: Path) -> Deployment:
    """A deployment of its own (warehouse, serving file) over a copy of the demo landing zone."""
    shutil.copytree(demo, root / "demo")
    settings = Settings(
        sources_file=root / "demo" / "sources.yaml",
        warehouse=root / "warehouse.duckdb",
        serving=root / "serving.duckdb",
        uses_demo=True,
        staging=root / "staging",
        reports=root / "reports",
    )
    return Deployment(root, settings)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-files")
    generate_demo(root)
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, demo_files: Path) -> Deployment:
    """The demo materialized end to end once; tests that only read share it."""
    deployment = make_deployment(tmp_path_factory.mktemp("built"), demo_files)
    result = deployment.run()
    assert result.success, failure_messages(result)
    return deployment


@pytest.fixture
def fresh(tmp_path: Path, demo_files: Path) -> Deployment:
    """A deployment that a test may modify (landing files, warehouse)."""
    return make_deployment(tmp_path, demo_files)


def table_checksum(path: Path, table: str) -> str:
    """Order-independent digest of a table's full contents (every column, every row)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
