"""An Azure Cost Management export read from its own folder (issue 14, item 3): ``<export>/<yyyymmdd-yyyymmdd>/
<run>/part_*.csv`` with a manifest per run. Before, such a folder gave "no deliveries found". The part file is
Microsoft's real FocusCost 1.0 sample (fixtures/focus, MIT, see its SOURCES.md); runs and manifests are laid
out here as an export writes them."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.focus import reader as focus
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import open_warehouse, transaction

AZURE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "azure_focuscost_1.0_export_sample_1000.csv"
JUNE = date(2024, 6, 1)
PERIOD = "20240601-20240630"


def manifest(folder: Path, run: str, submitted: str, files: list[str]) -> None:
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "runInfo": {"runId": run, "submittedTime": submitted},
                "blobs": [{"blobName": f"costs/focus-export/{PERIOD}/{run}/{f}"} for f in files],
            }
        )
    )


def june_rows() -> int:
    with AZURE.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for r in csv.DictReader(handle) if r["ChargePeriodStart"].startswith("2024-06"))


def loaded(con, export: Path) -> tuple[list[date], list[tuple]]:
    source = SourceConfig(id="azure-export", kind="focus", uri=str(export))
    landing = LocalLanding(source.id, export)
    months = focus.available_months(landing, source)
    for month in months:
        with transaction(con):
            focus.load_month(con, landing, source, month)
    rows = con.execute(
        "SELECT delivery_id, object_key, COUNT(*) FROM raw.focus_charges GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    return months, rows


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def test_only_the_newest_run_listed_by_its_manifest_is_read(con, tmp_path):
    export = tmp_path / "focus-export"
    old, new = export / PERIOD / "run-old", export / PERIOD / "run-new"
    for run in (old, new):
        run.mkdir(parents=True)
    # the stale run holds a full copy of an earlier state; the new run lists one part, a leftover is ignored
    shutil.copyfile(AZURE, old / "part_0_0001.csv")
    manifest(old, "run-old", "2024-07-01T05:00:00Z", ["part_0_0001.csv"])
    shutil.copyfile(AZURE, new / "part_0_0001.csv")
    (new / "part_9_9999.csv").write_text("not,a,focus,file\n")
    manifest(new, "run-new", "2024-07-02T05:00:00Z", ["part_0_0001.csv"])

    months, rows = loaded(con, export)

    assert months == [JUNE]
    # every row of the run belongs to the period (a charge outside June is kept and flagged)
    assert rows == [("run-new", f"{PERIOD}/run-new/part_0_0001.csv", 1000)]
    outside = con.execute(
        "SELECT COUNT(*) FROM raw.focus_charges WHERE flag = 'charge_outside_billing_period'"
    ).fetchone()[0]
    assert outside == 1000 - june_rows()


def test_a_single_run_without_manifest_reads_every_data_file_of_its_folder(con, tmp_path):
    export = tmp_path / "focus-export"
    run = export / PERIOD / "0f3c"
    run.mkdir(parents=True)
    shutil.copyfile(AZURE, run / "part_0_0001.csv")

    months, rows = loaded(con, export)

    assert months == [JUNE]
    assert rows == [("0f3c", f"{PERIOD}/0f3c/part_0_0001.csv", 1000)]


def test_several_runs_that_cannot_be_ordered_are_refused_naming_the_period(con, tmp_path):
    export = tmp_path / "focus-export"
    for run in ("a", "b"):
        (export / PERIOD / run).mkdir(parents=True)
        shutil.copyfile(AZURE, export / PERIOD / run / "part_0_0001.csv")
    source = SourceConfig(id="azure-export", kind="focus", uri=str(export))

    with pytest.raises(SourceError, match=r"2 export runs and no manifest") as raised:
        focus.load_month(con, LocalLanding(source.id, export), source, JUNE)
    assert raised.value.object_key == f"{PERIOD}/"
