"""Class 6 of issue 13: names are names, never patterns or markup. DuckDB reads exactly the listed object even
when its name holds glob characters; report CSV cells cannot be spreadsheet formulas; chart labels are not
mathtext."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb
import pytest

from carbon_pipeline.reporting import charts
from carbon_pipeline.reporting.html_report import _csv_cell
from carbon_pipeline.safety.names import literal, spreadsheet_cell
from carbon_pipeline.sources.activity_csv import reader as activity_csv
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.warehouse.connection import transaction
from carbon_pipeline_tests.sources.test_cur_formats import DAILY, NOVEMBER, con, legacy_report, load  # noqa: F401

ROW = "date,fuel,quantity,unit\n2025-01-15,diesel,{quantity},litres\n"


@pytest.mark.parametrize("name", ["x[1].csv", "*.csv", "?.csv", "a[!b].csv"])
def test_duckdb_reads_exactly_the_named_file_whatever_its_name(tmp_path, name):
    (tmp_path / name).write_text("v\nmine\n")
    for decoy in ("x1.csv", "a.csv", "ab.csv"):
        (tmp_path / decoy).write_text("v\ndecoy\n")
    rows = duckdb.connect().read_csv(literal(tmp_path / name)).fetchall()
    assert rows == [("mine",)]


def test_an_activity_file_named_star_csv_is_one_file_not_the_whole_folder(con, tmp_path):  # noqa: F811
    (tmp_path / "*.csv").write_text(ROW.format(quantity=1))
    (tmp_path / "fleet.csv").write_text(ROW.format(quantity=10))
    source = SourceConfig(id="fleet", kind="activity_csv", uri=str(tmp_path), options={"template": "fuel"})
    landing = LocalLanding("fleet", tmp_path)
    assert activity_csv.available_months(landing, source) == [date(2025, 1, 1)]
    with transaction(con):
        activity_csv.load_month(con, landing, source, date(2025, 1, 1))
    assert con.execute("SELECT object_key, quantity FROM raw.activity_rows ORDER BY 1").fetchall() == [
        ("*.csv", 1.0),
        ("fleet.csv", 10.0),
    ]


def test_a_cur_object_named_with_brackets_is_read_not_its_unbracketed_namesake(con, tmp_path):  # noqa: F811
    text = DAILY.read_text()
    header, first = text.splitlines()[:2]
    source = legacy_report(tmp_path, NOVEMBER, {"r[1].csv": f"{header}\n{first}\n".encode()}, layout="overwrite")
    folder = next(p.parent for p in tmp_path.rglob("r[[]1].csv"))
    (folder / "r1.csv").write_bytes(DAILY.read_bytes())  # the decoy a glob would read instead
    assert load(con, aws_cur, source, NOVEMBER).rows == 1


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_report_csv_cells_that_a_spreadsheet_would_evaluate_are_prefixed(value):
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_csv_cell(value)])
    cell = next(csv.reader(io.StringIO(buffer.getvalue())))[0]
    assert cell == "'" + value


@pytest.mark.parametrize("value", ["EC2", "012345678901", 1.5, -2.0, None])
def test_ordinary_cells_and_numbers_are_unchanged(value):
    assert spreadsheet_cell(value) == value


def test_a_service_name_with_dollar_signs_is_drawn_not_parsed_as_mathtext():
    svg = charts.cloud_by_service([("aws / $\\notacommand{$", 1.0, 2.0), ("aws / $x$", 0.5, 0.5)])
    assert svg.startswith("<svg") or "<svg" in svg
