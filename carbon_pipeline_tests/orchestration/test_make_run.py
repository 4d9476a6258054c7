"""`carbon-pipeline run` (what `make run` calls) on a fresh folder: demo generated, inventory
printed per year. One test starts it as `make run` does, in a process of its own (the smoke test: the
entry point, the environment, the exit code); the others call the same command in this process, which
spares a Python start and the imports per test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from carbon_pipeline.cli import main as cli_main


@pytest.fixture
def in_a_fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process as `make run` starts it in an empty folder: no CARBON_* setting, no DAGSTER_HOME."""
    for name in list(os.environ):
        if name.startswith(("CARBON_", "DAGSTER_HOME")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_on_a_fresh_folder_generates_the_demo_and_prints_the_inventory_per_year(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARBON_", "DAGSTER_HOME"))}
    completed = subprocess.run(
        [sys.executable, "-m", "carbon_pipeline.cli", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,  # a guard against a hang, not a speed expectation: a loaded machine may take minutes
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


def test_run_with_an_invalid_sources_file_names_the_key(in_a_fresh_folder: Path, monkeypatch, capsys):
    sources = in_a_fresh_folder / "sources.yaml"
    sources.write_text("sources:\n  - id: a\n    kind: aws_cur\n    uri: .\n    bukcet: x\n")
    monkeypatch.setenv("CARBON_SOURCES", str(sources))
    assert cli_main(["run"]) == 2
    assert "unknown key 'bukcet'" in capsys.readouterr().err


def test_run_backfills_a_chosen_range_of_months_as_one_run(in_a_fresh_folder: Path, capsys):
    assert cli_main(["run", "--from", "2025-03", "--to", "2025-04"]) == 0
    assert ": 2025-03..2025-04 in " in capsys.readouterr().out
    import duckdb

    con = duckdb.connect(str(in_a_fresh_folder / "data" / "serving.duckdb"), read_only=True)
    try:
        months = con.execute("SELECT DISTINCT strftime(period_month, '%Y-%m') FROM marts.scope_summary ORDER BY 1")
        assert [m for (m,) in months.fetchall()] == ["2025-03", "2025-04"]
    finally:
        con.close()
