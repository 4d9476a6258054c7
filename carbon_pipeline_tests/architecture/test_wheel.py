"""`pip install .` (a wheel, not the editable checkout) installs a package that runs: the SQL models, factor
files, demo templates and IAM templates ship inside it, and the demo inventory prints from a working
directory outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # built from a copy: setuptools writes build/ inside the tree it builds, and a stale one must not leak in
    tree = out / "tree"
    top_level = {".git", ".venv", ".pytest_cache", "data", "build", "carbon_pipeline.egg-info"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {"__pycache__", "node_modules"} & set(names)
        return skipped | (top_level & set(names) if Path(folder) == REPO else set())

    shutil.copytree(REPO, tree, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(tree)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("carbon_pipeline-*.whl")
    return built


def test_the_wheel_carries_the_sql_models_and_data_inside_the_package(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        n.removeprefix("carbon_pipeline/sql/")
        for n in names
        if n.startswith("carbon_pipeline/sql/") and n.endswith(".sql")
    }
    in_checkout = {p.relative_to(REPO / "dbt_like_sql").as_posix() for p in (REPO / "dbt_like_sql").rglob("*.sql")}
    assert shipped == in_checkout
    assert {"carbon_pipeline/iam/s3-export-read-policy.json", "carbon_pipeline/factors/data/SOURCES.md"} <= names
    assert not any(n.startswith(("dbt_like_sql/", "carbon_pipeline_tests/")) for n in names)


def test_the_installed_wheel_prints_the_demo_inventory_from_another_folder(wheel: Path, tmp_path: Path):
    """A fresh venv holding only the wheel, with the test environment's third-party packages visible behind it
    (a .pth line: its editable finder for the checkout is not loaded), run from a folder outside the checkout."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # what pip does with a pure-Python wheel, without needing pip in the venv
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARBON_", "DAGSTER_HOME", "PYTHONPATH"))}
    where = subprocess.run(
        [str(python), "-c", "import carbon_pipeline; print(carbon_pipeline.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site), where
    done = subprocess.run(
        [str(python), "-m", "carbon_pipeline.cli", "run"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "GHG inventory (tCO2e)" in done.stdout and "Total" in done.stdout
    assert (work / "data" / "serving.duckdb").is_file()
