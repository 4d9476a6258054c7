"""Class 6 of issue 13: names are names, never patterns or markup. DuckDB reads exactly the listed object even
when its name holds glob characters; report CSV cells cannot be spreadsheet formulas; chart labels are not
mathtext."""

from __future__ import annotations

import csv
import html
import io
import shutil
from datetime import date
from html.parser import HTMLParser

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


# --------------------------------------------------------------------------------------------------
# HTML in any field stays text in the report
# --------------------------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
SVG = "<svg onload=alert(3)>"


class _Markup(HTMLParser):
    """What a browser would build: every element and attribute, and the text between them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(name for name, _ in attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markup_in_account_ids_service_names_and_source_ids_is_escaped_in_the_html_report(built, tmp_path):
    from carbon_pipeline.reporting.html_report import write_reports

    serving = tmp_path / "serving.duckdb"
    shutil.copy(built.settings.serving, serving)
    served = duckdb.connect(str(serving))
    for table in ("ledger.activity", "ledger.provider_emissions"):  # what the cloud breakdown and its chart read
        served.execute(f"UPDATE {table} SET account_id = ? || account_id WHERE account_id IS NOT NULL", [IMG])
        served.execute(f"UPDATE {table} SET service = ? WHERE service IS NOT NULL", [SCRIPT])
    served.execute("UPDATE ledger.provider_emissions SET source_id = ?", [SVG])  # the model-version section
    served.execute("UPDATE raw.deliveries SET source_id = ?, manifest_key = ?", [SVG, IMG])  # superseded deliveries
    served.execute(
        "INSERT INTO audit.restatements VALUES (?, DATE '2025-02-01', 'redelivery', ?, ?, 9, 18, ?)",
        [SVG, SCRIPT, IMG, SCRIPT],
    )
    before = served.execute("SELECT COUNT(*) FROM ledger.activity WHERE account_id LIKE '%<img%'").fetchall()[0][0]
    served.close()
    assert before > 0, "no account id carried the markup: the test would prove nothing"

    write_reports(serving, tmp_path / "out")
    page = (tmp_path / "out" / "inventory_2025.html").read_text(encoding="utf-8")
    parsed = _Markup()
    parsed.feed(page)
    parsed.close()

    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not [name for name in parsed.attributes if name.lower().startswith("on")]
    assert parsed.tags.count("svg") == page.count("<svg")  # only the charts' own SVG elements
    text = "".join(parsed.text)
    for markup in (SCRIPT, IMG, SVG):  # shown to the reader as the characters it is made of
        assert markup in text, markup
    assert html.escape(SCRIPT, quote=False) in page
