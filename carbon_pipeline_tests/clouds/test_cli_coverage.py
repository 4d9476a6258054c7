"""The issue's own case, through the command users run (two whole-job tests; the rules are tested on tiny
tables in test_no_silent_zero.py).

* A month of AWS FOCUS usage none of which can be classified (request-priced services, no x_UsageType):
  it used to print 0 t with exit 0. Now the run fails, the blocking coverage check is named, and the CLI
  prints the coverage per provider with the services on the last fallback.
* The FinOps Foundation's real FOCUS 1.0 sample (AWS, Microsoft, Oracle rows) passes, and the CLI prints
  the coverage of each of its providers after the inventory.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from carbon_pipeline import cli

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "finops_focus_1.0_sample_1000.csv"
UNCLASSIFIABLE = [
    # service, unit, quantity, cost
    ("Amazon Simple Queue Service", "Requests", "1000000", "0.40"),
    ("AWS Key Management Service", "Requests", "10000", "0.03"),
    ("Amazon Simple Queue Service", "Requests", "2000000", "0.80"),
]


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_landing) -> None:
    landing = tmp_path / "landing" / "focus"
    landing.mkdir(parents=True)
    write_landing(landing)
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - {id: focus-files, kind: focus, uri: landing/focus}\n")
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


def write_unclassifiable(folder: Path) -> None:
    with (folder / "aws-focus.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["BilledCost", "BillingCurrency", "ChargeCategory", "ChargePeriodStart", "ProviderName", "ServiceName",
             "SubAccountId", "RegionId", "ConsumedQuantity", "ConsumedUnit"]
        )  # fmt: skip
        for service, unit, quantity, cost in UNCLASSIFIABLE:
            writer.writerow([cost, "USD", "Usage", "2024-09-10 00:00:00", "AWS", service, "012345678901", "us-west-2",
                             quantity, unit])  # fmt: skip


def test_an_all_unclassified_month_fails_loudly_naming_check_and_services(tmp_path, monkeypatch, capsys):
    configure(tmp_path, monkeypatch, write_unclassifiable)

    code = cli.main(["run"])

    captured = capsys.readouterr()
    assert code == 1
    assert "GHG inventory" not in captured.out  # no inventory printed as if complete
    err = captured.err
    assert "check cloud_usage_mostly_estimated_from_usage on emissions/activity_emissions failed" in err
    aws = next(line for line in err.splitlines() if line.strip().startswith("aws "))
    assert "usage cost 1.23: classified 0.0%, spend-based or no figure 100.0%" in aws
    assert "2024-09 100% on fallback (Amazon Simple Queue Service 1.2, AWS Key Management Service 0.03)" in err


def test_the_real_finops_sample_passes_and_prints_coverage_per_provider(tmp_path, monkeypatch, capsys):
    configure(tmp_path, monkeypatch, lambda folder: shutil.copyfile(SAMPLE, folder / SAMPLE.name))

    code = cli.main(["run"])

    out = capsys.readouterr().out
    assert code == 0
    coverage = out.split("cloud usage coverage", 1)[1].splitlines()[1:]
    assert {line.split()[0] for line in coverage if line.strip()} == {"aws", "azure", "oci"}
    assert all("spend-based or no figure 0.0%" in line for line in coverage if line.strip())
