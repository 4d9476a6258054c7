"""Shared fixtures: a generated demo organisation and a warehouse built from it, with real DuckDB
files in temporary folders."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")

from carbon_pipeline.demo.generator import generate_demo  # noqa: E402
from carbon_pipeline.runner import QUIET_LOGS, failure_messages, run_inventory  # noqa: E402
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

    def materialize(self, assets: list[str], first: date = FIRST, last: date = LAST):
        """Only ``assets`` (and their checks) of the inventory job, for first..last in one run."""
        return materialize_assets(self.settings, assets, first, last)

    def query(self, sql: str, params: list | None = None, *, serving: bool = False) -> list[tuple]:
        path = self.settings.serving if serving else self.settings.warehouse
        con = duckdb.connect(str(path), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def materialize_assets(settings: Settings, assets: list[str], first: date, last: date, instance=None):
    """What run_inventory does, for the named assets ("ledger/activity") only: tests of one stage need
    not pay for the report, the serving file and every check of the others."""
    import dagster as dg

    from carbon_pipeline.definitions import build_definitions
    from carbon_pipeline.orchestration.partitions import RANGE_END_TAG, RANGE_START_TAG

    job = build_definitions(settings).resolve_job_def("inventory_job")
    options = {
        "run_config": QUIET_LOGS,
        "tags": {RANGE_START_TAG: f"{first:%Y-%m-%d}", RANGE_END_TAG: f"{last:%Y-%m-%d}"},
        "raise_on_error": False,
        "asset_selection": [dg.AssetKey.from_user_string(name) for name in assets],
    }
    if instance is not None:
        return job.execute_in_process(instance=instance, **options)
    with dg.DagsterInstance.ephemeral() as ephemeral:
        return job.execute_in_process(instance=ephemeral, **options)


def copy_deployment(source: Deployment, root: Path) -> Deployment:
    """A copy of a built deployment (landing, sources file, warehouse, serving file, reports) that a test
    may change: cheaper than building one, and the built one stays as every other test expects it. Files
    keep their modification times, so the copy's deliveries are as unchanged as the original's."""
    shutil.copytree(source.root, root, symlinks=True)
    return Deployment(root, replace_root(source.settings, source.root, root))


def replace_root(settings: Settings, old: Path, new: Path) -> Settings:
    def moved(path: Path) -> Path:
        return new / path.relative_to(old)

    return dataclasses.replace(
        settings,
        sources_file=moved(settings.sources_file),
        warehouse=moved(settings.warehouse),
        serving=moved(settings.serving),
        staging=moved(settings.staging),
        reports=moved(settings.reports),
    )


def settings_under(root: Path, sources_file: Path, *, uses_demo: bool = False, **settings: Any) -> Settings:
    """Settings reading ``sources_file`` whose warehouse, serving file, staging and reports folders are all
    under ``root`` (a test's own folder); ``settings`` overrides the rest."""
    return Settings(
        sources_file=sources_file,
        warehouse=root / "warehouse.duckdb",
        serving=root / "serving.duckdb",
        uses_demo=uses_demo,
        staging=root / "staging",
        reports=root / "reports",
        **settings,
    )


def make_deployment(root: Path, demo: Path, **settings: Any) -> Deployment:
    """A deployment of its own (warehouse, serving file) over a copy of the demo landing zone; ``settings``
    overrides the rest (e.g. ``engine="spark"``, what CARBON_ENGINE=spark would configure)."""
    shutil.copytree(demo, root / "demo")
    return Deployment(root, settings_under(root, root / "demo" / "sources.yaml", uses_demo=True, **settings))


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
    """A deployment that a test may modify (landing files, warehouse), nothing built yet."""
    return make_deployment(tmp_path, demo_files)


@pytest.fixture
def built_copy(tmp_path: Path, built: Deployment) -> Deployment:
    """A copy of the session's built deployment that a test may modify: the demo as a full run leaves it,
    without running it again."""
    return copy_deployment(built, tmp_path / "built-copy")


@pytest.fixture(scope="session")
def moto_server() -> tuple[str, int]:
    """One moto server (S3, EMR, EMR Serverless over real HTTP) for the whole run, on a port the operating
    system picks while binding it (no port chosen beforehand, so none can be taken in between). Tests
    share it safely: each makes buckets and clusters with unique names."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield server.get_host_and_port()
    finally:
        server.stop()


def table_checksum(path: Path, table: str) -> str:
    """Order-independent digest of a table's full contents (every column, every row)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
    finally:
        con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()
