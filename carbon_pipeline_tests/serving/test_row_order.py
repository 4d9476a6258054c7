"""The serving file's activity-grain tables are copied in no fixed order (carbon_pipeline/serving/publish.py,
UNSORTED_TABLES), so nothing read from them may depend on the order of their rows: a DOUBLE sum does (0.1 + 0.2
+ 0.3 is 0.6000000000000001 added in that order, 0.6 in the reverse), a DECIMAL sum does not. Each view and
report query that adds up ledger or activity-emission rows gives the same figures, to the bit, for the same rows
stored in opposite orders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.warehouse.connection import open_warehouse
from carbon_pipeline.warehouse.sql_models import model_sql, run_model

JAN = date(2025, 1, 1)
AMOUNTS = ("0.1", "0.2", "0.3")


def _warehouse(path: Path, amounts: tuple[str, ...]):
    """Three cloud usage rows costing ``amounts`` and three electricity rows of as many kWh, in that order."""
    con = open_warehouse(path)
    for index, amount in enumerate(amounts):
        for activity_type, unit, kind in (("cloud_usage", "Hrs", "aws_cur"), ("electricity", "kWh", "activity_csv")):
            con.execute(
                """INSERT INTO ledger.activity (activity_id, period_month, source_id, source_kind, source_object,
                       source_version, line_item_count, first_line, activity_type, provider, account_id, region,
                       service, quantity, unit, cost, currency, scope, scope3_category, estimation_class)
                   VALUES (?, ?, 's', ?, 'o.csv', 'v1', 1, 2, ?, 'aws', '012345678901', 'us-east-1', 'AmazonEC2',
                       ?, ?, ?, 'USD', 3, 1, 'unclassified')""",
                [f"{activity_type}-{index}", JAN, kind, activity_type, float(amount), unit, amount],
            )
    con.execute(model_sql("serving/views"))
    return con


@pytest.fixture
def both_orders(tmp_path: Path):
    forward = _warehouse(tmp_path / "forward.duckdb", AMOUNTS)
    backward = _warehouse(tmp_path / "backward.duckdb", tuple(reversed(AMOUNTS)))
    yield forward, backward
    forward.close()
    backward.close()


def test_a_double_sum_of_these_rows_depends_on_their_order(both_orders):
    """The premise: without exact sums these rows would give two different figures."""
    query = "SELECT SUM(CAST(cost AS DOUBLE)) FROM ledger.activity WHERE activity_type = 'cloud_usage'"
    sums = [con.execute(query).fetchone()[0] for con in both_orders]
    assert sums[0] != sums[1]


def test_cloud_usage_coverage_view_is_the_same_in_any_row_order(both_orders):
    rows = [con.execute("SELECT * FROM bi.cloud_usage_coverage ORDER BY ALL").fetchall() for con in both_orders]
    assert rows[0] == rows[1]
    assert rows[0][0][3] == 0.6  # usage_cost, exactly


@pytest.mark.parametrize(
    "model, params",
    [("reports/cloud_usage_coverage", {"start": JAN, "end": date(2025, 2, 1)}), ("reports/energy", {"year": 2025})],
)
def test_report_queries_are_the_same_in_any_row_order(both_orders, model, params):
    rows = [run_model(con, model, **params).fetchall() for con in both_orders]
    assert rows[0] == rows[1]
