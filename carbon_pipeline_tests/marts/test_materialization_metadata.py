"""What the UI shows for a materialization: the published inventory's month-by-scope table and chart (an
inline PNG the Dagster UI renders from markdown, on the serving asset once per run), and the ledger's costs
per currency."""

from __future__ import annotations

import base64
import re
from datetime import date

import duckdb
import pytest

from carbon_pipeline.defs.ledger.assets import _activity_summary
from carbon_pipeline.defs.serving.assets import inventory_overview

START, END = date(2024, 1, 1), date(2026, 1, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def warehouse(built):
    con = duckdb.connect(str(built.settings.warehouse), read_only=True)
    yield con
    con.close()


def _png(markdown: str) -> bytes:
    match = re.fullmatch(r"!\[[^\]]+\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert match, markdown[:80]
    return base64.b64decode(match.group(1))


def test_the_serving_asset_shows_a_month_by_scope_table_and_a_chart(built):
    metadata = inventory_overview(built.settings.serving)
    table = metadata["month_by_scope"].value.splitlines()
    assert table[0].startswith("| month | S1 location |") and len(table) == 2 + 24
    png = _png(metadata["monthly_by_scope_chart"].value)
    assert png.startswith(PNG_SIGNATURE)
    assert 5_000 < len(png) < 200_000  # small enough for the event log
    # equal data, equal bytes (no timestamps in the PNG)
    assert _png(inventory_overview(built.settings.serving)["monthly_by_scope_chart"].value) == png


def test_the_ledger_shows_exact_costs_per_currency_never_summed_across(warehouse):
    metadata = _activity_summary(warehouse, START, END)
    expected = warehouse.execute(
        "SELECT currency, SUM(cost) FROM ledger.activity WHERE cost IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert {f"total_cost_{currency}": round(float(cost), 2) for currency, cost in expected} == {
        key: value for key, value in metadata.items() if key.startswith("total_cost_")
    }
    table = metadata["cost_by_currency"].value
    for currency, cost in expected:
        assert f"| {currency} |" in table and str(cost) in table
