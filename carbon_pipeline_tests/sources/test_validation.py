"""One way to validate delivered rows (carbon_pipeline/sources/validation.py): each staging model's declared
companion ``__invalid`` model returns the unusable cells, one function turns the first into the one error type.
Here on tiny tables: the message, and the CUR staging model's single-pass guard refusing exactly the cells its
companion names."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.sources.aws_cur.reader import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from carbon_pipeline.sources.validation import INVALID_COLUMNS, invalid_cells, refuse_invalid_rows
from carbon_pipeline.warehouse.sql_models import model_sql, strip_comments


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def cur_file(con: duckdb.DuckDBPyConnection, rows: list[dict[str, str | None]]) -> None:
    """A `cur_file` view of all-text CUR columns (what the reader makes of an object), line numbers from 2."""
    columns = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    good = {
        "line_item_usage_account_id": "111122223333",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": "2025-03-01T00:00:00Z",
        "line_item_usage_amount": "1.5",
        "line_item_unblended_cost": "0.25",
    }
    con.execute(
        "CREATE OR REPLACE TABLE cur_file (" + ", ".join(f"{c} VARCHAR" for c in columns) + ", object_line BIGINT)"
    )
    for line, changes in enumerate(rows, start=2):
        row = {**good, **changes}
        con.execute(
            f"INSERT INTO cur_file VALUES ({', '.join('?' for _ in columns)}, ?)",
            [row.get(c) for c in columns] + [line],
        )


STAGING_PARAMS = {
    "source_id": "s",
    "period_month": date(2025, 3, 1),
    "assembly_id": "a",
    "object_key": "k.csv",
}

BAD_CELLS = [
    ({"line_item_usage_amount": "1,234.5"}, "line_item_usage_amount", "value '1,234.5' is not usable"),
    ({"line_item_usage_amount": "inf"}, "line_item_usage_amount", "value 'inf' is not usable"),
    ({"line_item_unblended_cost": "USD 3.20"}, "line_item_unblended_cost", "value 'USD 3.20' is not usable"),
    ({"line_item_usage_start_date": "18/03/2025"}, "line_item_usage_start_date", "value '18/03/2025'"),
    ({"line_item_usage_start_date": ""}, "line_item_usage_start_date", "is empty, but required"),
    ({"line_item_usage_account_id": ""}, "line_item_usage_account_id", "is empty, but required"),
    ({"line_item_line_item_type": None}, "line_item_line_item_type", "is empty, but required"),
]


def staging_rows(con: duckdb.DuckDBPyConnection) -> int:
    sql = strip_comments(model_sql("staging/aws_cur_line_items"))
    return con.execute(f"SELECT COUNT(*) FROM ({sql})", STAGING_PARAMS).fetchall()[0][0]


@pytest.mark.parametrize(("changes", "column", "words"), BAD_CELLS)
def test_the_cur_guard_refuses_exactly_the_cells_its_companion_names(con, changes, column, words):
    cur_file(con, [{}, changes, {}])
    with pytest.raises(duckdb.Error, match="an unusable cell"):
        staging_rows(con)
    with pytest.raises(SourceError) as refused:
        refuse_invalid_rows(
            con, "staging/aws_cur_line_items__invalid", source_id="s", object_key="k.csv", display=str.upper
        )
    assert f"source 's', object 'k.csv', row 3, column '{column.upper()}': {words}" in str(refused.value)


def test_good_cur_rows_pass_both_the_guard_and_the_companion(con):
    cur_file(con, [{}, {"line_item_usage_amount": "", "line_item_unblended_cost": ""}, {}])
    assert staging_rows(con) == 3
    refuse_invalid_rows(con, "staging/aws_cur_line_items__invalid", source_id="s", object_key="k.csv")


def test_the_first_bad_cell_is_reported_with_how_many_the_object_has(con):
    cur_file(
        con, [{}, {"line_item_unblended_cost": "x"}, {"line_item_usage_amount": "y", "line_item_unblended_cost": "z"}]
    )
    cells = invalid_cells(con, "staging/aws_cur_line_items__invalid", object_key="k.csv")
    assert [(c.object_line, c.column_name) for c in cells] == [
        (3, "line_item_unblended_cost"),
        (4, "line_item_usage_amount"),
        (4, "line_item_unblended_cost"),
    ]
    with pytest.raises(SourceError, match=r"row 3, column 'line_item_unblended_cost': value 'x' .* \(3 bad cells"):
        refuse_invalid_rows(con, "staging/aws_cur_line_items__invalid", source_id="s", object_key="k.csv")


def test_a_huge_bad_value_is_shown_truncated(con):
    cur_file(con, [{"line_item_unblended_cost": "9" * 5000 + "x"}])
    with pytest.raises(SourceError) as refused:
        refuse_invalid_rows(con, "staging/aws_cur_line_items__invalid", source_id="s", object_key="k.csv")
    assert len(str(refused.value)) < 400 and "(5001 characters)" in str(refused.value)


def test_a_model_that_does_not_return_the_declared_columns_is_refused(con, tmp_path, monkeypatch):
    (tmp_path / "schema").mkdir()
    (tmp_path / "staging").mkdir()
    (tmp_path / "staging" / "odd__invalid.sql").write_text("SELECT 1 AS object_line, 'c' AS column_name")
    monkeypatch.setenv("CARBON_SQL_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=", ".join(INVALID_COLUMNS)):
        invalid_cells(con, "staging/odd__invalid")
