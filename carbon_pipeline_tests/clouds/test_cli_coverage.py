"""The issue's own case, through the command users run: the FinOps Foundation's real FOCUS 1.0 sample,
whose AWS rows carry no x_UsageType. It used to print an inventory with exit 0 while its AWS usage had no
figure; now the run fails, the blocking coverage check is named and the CLI prints the coverage per
provider with the services on the last fallback. One whole-job test; the rules are tested on tiny tables in
test_no_silent_zero.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from carbon_pipeline import cli

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "finops_focus_1.0_sample_1000.csv"


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str = "") -> None:
    landing = tmp_path / "landing" / "finops"
    landing.mkdir(parents=True)
    shutil.copyfile(SAMPLE, landing / SAMPLE.name)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {id: finops-focus, kind: focus, uri: landing/finops}\n" + settings)
    for name, value in {
        "CARBON_SOURCES": sources,
        "CARBON_WAREHOUSE": tmp_path / "warehouse.duckdb",
        "CARBON_SERVING": tmp_path / "serving.duckdb",
        "CARBON_STAGING": tmp_path / "staging",
        "CARBON_REPORTS": tmp_path / "reports",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.delenv("CARBON_PARTITION_STORE", raising=False)


def test_a_month_resting_on_the_spend_fallback_fails_loudly_naming_check_and_services(tmp_path, monkeypatch, capsys):
    configure(tmp_path, monkeypatch)

    code = cli.main(["run"])

    err = capsys.readouterr().err
    assert code == 1
    assert "check cloud_usage_mostly_estimated_from_usage on emissions/activity_emissions failed" in err
    assert "cloud usage coverage" in err
    aws = next(line for line in err.splitlines() if line.strip().startswith("aws "))
    assert "spend-based or no figure" in aws
    # the month above the threshold, with its top services by cost on the fallback
    assert "2024-09" in err and "Amazon Elastic Compute Cloud" in err


def test_with_the_share_raised_the_run_passes_and_prints_coverage_per_provider(tmp_path, monkeypatch, capsys):
    configure(tmp_path, monkeypatch, "settings: {max_spend_fallback_share: 1}\n")

    code = cli.main(["run"])

    out = capsys.readouterr().out
    assert code == 0
    assert "cloud usage coverage" in out
    providers = {line.split()[0] for line in out.split("cloud usage coverage", 1)[1].splitlines()[1:] if line.strip()}
    assert {"aws", "azure", "oci"} <= providers
