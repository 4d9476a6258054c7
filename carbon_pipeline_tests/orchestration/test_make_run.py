"""`carbon-pipeline run` (what `make run` calls) on a fresh folder: demo generated, inventory
printed per year."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_run_on_a_fresh_folder_generates_the_demo_and_prints_the_inventory_per_year(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARBON_", "DAGSTER_HOME"))}
    completed = subprocess.run(
        [sys.executable, "-m", "carbon_pipeline.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    for needle in (
        "GHG inventory (tCO2e)",
        "2024",
        "2025",
        "Scope 1",
        "Scope 2",
        "Scope 3",
        "Total",
        "location",
        "market",
    ):
        assert needle in out
    assert (tmp_path / "data" / "serving.duckdb").is_file()
    assert (tmp_path / "data" / "demo" / "sources.yaml").is_file()


def test_run_with_an_invalid_sources_file_names_the_key(tmp_path: Path):
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - id: a\n    kind: aws_cur\n    uri: .\n    bukcet: x\n")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_HOME")}, "CARBON_SOURCES": str(sources)}
    completed = subprocess.run(
        [sys.executable, "-m", "carbon_pipeline.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "unknown key 'bukcet'" in completed.stderr


def test_run_backfills_a_chosen_range_of_months_as_one_run(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARBON_", "DAGSTER_HOME"))}
    completed = subprocess.run(
        [sys.executable, "-m", "carbon_pipeline.cli", "run", "--from", "2025-03", "--to", "2025-04"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert ": 2025-03..2025-04 in " in completed.stdout
    import duckdb

    con = duckdb.connect(str(tmp_path / "data" / "serving.duckdb"), read_only=True)
    try:
        months = con.execute("SELECT DISTINCT strftime(period_month, '%Y-%m') FROM marts.scope_summary ORDER BY 1")
        assert [m for (m,) in months.fetchall()] == ["2025-03", "2025-04"]
    finally:
        con.close()
