"""Class 3 of issue 13: no silent loss. A CUR month whose manifest disappeared keeps its previous data and the
load fails naming the missing manifest; only a delivery that exists replaces a month."""

from __future__ import annotations

import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline_tests.sources.test_cur_formats import DAILY, NOVEMBER, con, legacy_report, load  # noqa: F401


@pytest.mark.parametrize("layout", ["create_new", "overwrite"])
def test_a_cur_month_whose_manifest_vanished_keeps_its_rows_and_the_error_names_the_manifest(con, tmp_path, layout):  # noqa: F811
    source = legacy_report(tmp_path, NOVEMBER, {"r-1.csv": DAILY.read_bytes()}, layout=layout)
    load(con, aws_cur, source, NOVEMBER)
    before = con.execute("SELECT COUNT(*), SUM(unblended_cost) FROM raw.aws_cur_line_items").fetchall()
    assert before[0][0] > 0
    for manifest in tmp_path.rglob("acme-cur-Manifest.json"):
        manifest.unlink()  # the period folder and the data objects are still there

    with pytest.raises(SourceError) as error:
        load(con, aws_cur, source, NOVEMBER)

    assert "object '20231101-20231201/acme-cur-Manifest.json'" in str(error.value)
    assert "keeps its previous data" in str(error.value)
    assert con.execute("SELECT COUNT(*), SUM(unblended_cost) FROM raw.aws_cur_line_items").fetchall() == before
    assert con.execute("SELECT status FROM raw.deliveries").fetchall() == [("loaded",)]


def test_a_month_never_delivered_is_still_simply_empty(con, tmp_path):  # noqa: F811
    source = legacy_report(tmp_path, NOVEMBER, {"r-1.csv": DAILY.read_bytes()}, layout="overwrite")
    assert load(con, aws_cur, source, NOVEMBER.replace(month=10)).rows == 0


# --------------------------------------------------------------------------------------------------
# activity files: the same content twice, text in numeric cells
# --------------------------------------------------------------------------------------------------

FUEL = "date,fuel,quantity,unit,cost,currency\n2025-01-15,diesel,100,litres,{cost},EUR\n"


def fuel_source(folder):
    from carbon_pipeline.sources.config import SourceConfig

    return SourceConfig(id="fleet", kind="activity_csv", uri=str(folder), options={"template": "fuel"})


def load_activity(con, folder):  # noqa: F811
    from datetime import date

    from carbon_pipeline.sources.activity_csv import reader as activity_csv
    from carbon_pipeline.sources.landing import LocalLanding
    from carbon_pipeline.warehouse.connection import transaction

    with transaction(con):
        return activity_csv.load_month(con, LocalLanding("fleet", folder), fuel_source(folder), date(2025, 1, 1))


def test_the_same_activity_file_under_two_names_is_refused_not_counted_twice(con, tmp_path):  # noqa: F811
    (tmp_path / "fuel.csv").write_text(FUEL.format(cost="12.50"))
    (tmp_path / "fuel (1).csv").write_text(FUEL.format(cost="12.50"))
    with pytest.raises(SourceError, match=r"object 'fuel.csv': has the same content as 'fuel \(1\).csv'"):
        load_activity(con, tmp_path)
    assert con.execute("SELECT COUNT(*) FROM raw.activity_rows").fetchall() == [(0,)]


def test_two_different_files_both_count(con, tmp_path):  # noqa: F811
    (tmp_path / "a.csv").write_text(FUEL.format(cost="12.50"))
    (tmp_path / "b.csv").write_text(FUEL.format(cost="13.50"))
    assert load_activity(con, tmp_path).rows == 2


@pytest.mark.parametrize("cost", ["one hundred", '"1,234.50"', "12 EUR"])
def test_text_in_a_cost_cell_is_an_error_naming_row_column_and_value_never_a_null_cost(con, tmp_path, cost):  # noqa: F811
    (tmp_path / "fuel.csv").write_text(FUEL.format(cost=cost))
    with pytest.raises(SourceError, match=r"object 'fuel.csv', row 2, column 'cost': value '.+' is not a number"):
        load_activity(con, tmp_path)
    assert con.execute("SELECT COUNT(*) FROM raw.activity_rows").fetchall() == [(0,)]


def test_an_oversized_bad_value_is_truncated_in_the_message(con, tmp_path):  # noqa: F811
    (tmp_path / "fuel.csv").write_text(FUEL.format(cost="x" * 1_000_000))
    with pytest.raises(SourceError) as error:
        load_activity(con, tmp_path)
    assert len(str(error.value)) < 1000 and "(1000000 characters)" in str(error.value)


def test_a_ten_megabyte_field_is_a_short_error_naming_the_object(con, tmp_path):  # noqa: F811
    (tmp_path / "fuel.csv").write_text(FUEL.format(cost="9" * 10_000_000))
    with pytest.raises(SourceError) as error:
        load_activity(con, tmp_path)
    assert "object 'fuel.csv'" in str(error.value) and len(str(error.value)) < 1000


def activity_months(folder):
    from carbon_pipeline.sources.activity_csv import reader as activity_csv
    from carbon_pipeline.sources.landing import LocalLanding

    return activity_csv.available_months(LocalLanding("fleet", folder), fuel_source(folder))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("fuel,quantity,unit\ndiesel,1,litres\n", "has no column 'date'"),
        (FUEL.format(cost="9" * 10_000_000), "cannot be read as CSV"),
    ],
    ids=["no-date-column", "ten-megabyte-field"],
)
def test_discovering_an_activity_files_months_fails_with_a_short_message_naming_the_file(tmp_path, content, message):
    (tmp_path / "fuel.csv").write_text(content)
    with pytest.raises(SourceError, match=message) as error:
        activity_months(tmp_path)
    assert "object 'fuel.csv'" in str(error.value) and len(str(error.value)) < 1000


# --------------------------------------------------------------------------------------------------
# a delivery the contract refuses is not left loaded
# --------------------------------------------------------------------------------------------------


DAILY_ID = "111122223333"


def with_cell(row_index: int, column: str, value: str) -> bytes:
    import csv as csv_module
    import io

    from carbon_pipeline_tests.sources.test_cur_formats import csv_rows

    rows = csv_rows(DAILY)[:5]
    rows[row_index][column] = value
    text = io.StringIO()
    writer = csv_module.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode()


def legacy_settings(tmp_path, source):
    """Settings over ``tmp_path`` whose one source, ``legacy``, is the legacy CUR report ``source`` from 2023-11."""
    from carbon_pipeline_tests.conftest import settings_under

    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        f"settings: {{start_month: '2023-11'}}\nsources:\n  - {{id: legacy, kind: aws_cur, uri: '{source.uri}'}}\n"
    )
    return settings_under(tmp_path, sources_file)


def test_a_delivery_breaking_the_contract_is_refused_before_commit_naming_object_row_column_value(tmp_path):
    """Through the job: the blocking great-expectations check used to fail only after raw had committed the
    refused delivery, naming just the check."""
    import duckdb

    from carbon_pipeline.runner import failure_messages, run_inventory

    source = legacy_report(
        tmp_path, NOVEMBER, {"r-1.csv": with_cell(0, "lineItem/UsageAccountId", DAILY_ID)}, layout="overwrite"
    )
    settings = legacy_settings(tmp_path, source)
    assert run_inventory(settings, NOVEMBER, NOVEMBER).success

    def raw_state() -> list:
        wh = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            return [
                wh.execute("SELECT delivery_id, status FROM raw.deliveries ORDER BY ALL").fetchall(),
                wh.execute("SELECT * FROM raw.cur_line_item_groups ORDER BY ALL").fetchall(),
                wh.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall(),
            ]
        finally:
            wh.close()

    before = raw_state()
    legacy_report(
        tmp_path,
        NOVEMBER,
        {"r-1.csv": with_cell(1, "lineItem/UsageAccountId", "12345")},  # the second data row: line 3
        layout="overwrite",
        assembly_id="assembly-2",
    )

    result = run_inventory(settings, NOVEMBER, NOVEMBER)

    assert not result.success
    messages = "\n".join(failure_messages(result))
    assert "object '20231101-20231201/r-1.csv', row 3, column 'lineItem/UsageAccountId': value '12345'" in messages
    assert raw_state() == before
    assert before[0] == [("assembly-1", "loaded")]


def test_a_range_run_refuses_a_contract_breach_in_any_of_its_months_not_only_the_last(tmp_path):
    """The before-commit rules run for every month a range run reads: November's delivery breaks the contract,
    December has none, and the run Nov..Dec refuses it before commit as a November-only run does."""
    from datetime import date

    import duckdb

    from carbon_pipeline.runner import failure_messages, run_inventory

    source = legacy_report(
        tmp_path, NOVEMBER, {"r-1.csv": with_cell(1, "lineItem/UsageAccountId", "12345")}, layout="overwrite"
    )
    settings = legacy_settings(tmp_path, source)

    result = run_inventory(settings, NOVEMBER, date(2023, 12, 1))

    assert not result.success
    messages = "\n".join(failure_messages(result))
    assert "object '20231101-20231201/r-1.csv', row 3, column 'lineItem/UsageAccountId': value '12345'" in messages
    wh = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        assert wh.execute("SELECT COUNT(*) FROM raw.aws_cur_line_items").fetchall() == [(0,)]
        assert wh.execute("SELECT COUNT(*) FROM raw.deliveries WHERE status = 'loaded'").fetchall() == [(0,)]
    finally:
        wh.close()
