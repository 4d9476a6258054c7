"""Every served view adds up to the inventory: dbt_like_sql/checks/served_views_reconcile.sql on tiny tables.

A month with own operations, a provider-reported cloud figure and the same provider's usage estimate (not
counted: the reported figure is), and a month with the estimate only (counted, market = location). The check
passes on the real views and fails on each doctored one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.warehouse.connection import open_warehouse, replace_months
from carbon_pipeline.warehouse.sql_models import model_sql, run_model

JAN, FEB, END = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def _activity(con, activity_id, month, activity_type, provider, scope, category):
    con.execute(
        """INSERT INTO ledger.activity (activity_id, period_month, source_id, source_kind, source_object,
               source_version, line_item_count, first_line, activity_type, provider, account_id, region, service,
               quantity, unit, cost, currency, scope, scope3_category, estimation_class)
           VALUES (?, ?, 's', ?, 'o.csv', 'v1', 1, 2, ?, ?, '012345678901', 'us-east-1', 'AmazonEC2', 1, 'Hrs', 1,
               'USD', ?, ?, 'compute')""",
        [activity_id, month, "aws_cur" if provider else "activity_csv", activity_type, provider, scope, category],
    )


def _emission(con, activity_id, month, method, basis, scope, category, tco2e):
    con.execute(
        """INSERT INTO emissions.activity_emissions (activity_id, period_month, method, basis, scope, scope3_category,
               formula, tco2e) VALUES (?, ?, ?, ?, ?, ?, 'f', ?)""",
        [activity_id, month, method, basis, scope, category, tco2e],
    )


@pytest.fixture
def con(tmp_path: Path):
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    try:
        _activity(con, "elec", JAN, "electricity", None, 2, None)
        _emission(con, "elec", JAN, "location", "activity", 2, None, 1.0)
        _emission(con, "elec", JAN, "market", "activity", 2, None, 0.8)
        for month, activity_id, tco2e in ((JAN, "ec2-jan", 0.5), (FEB, "ec2-feb", 0.4)):
            _activity(con, activity_id, month, "cloud_usage", "aws", 3, 1)
            for method in ("location", "market"):  # the estimate's market row carries the location figure
                _emission(con, activity_id, month, method, "estimated_usage", 3, 1, tco2e)
        con.execute(
            """INSERT INTO ledger.provider_emissions (period_month, source_id, provider, model_version, delivery_id,
                   source_object, line_item_count, account_id, region, service, provider_scope, location_tco2e,
                   market_tco2e, is_selected)
               VALUES (?, 'carbon', 'aws', 'v3.0.0', 'd1', 'carbon.csv', 1, '012345678901', 'us-east-1', 'AmazonEC2',
                   2, 0.7, 0.6, true)""",
            [JAN],
        )
        for table, model in (
            ("marts.cloud_emissions", "marts/cloud_emissions"),
            ("marts.cloud_reconciliation", "marts/cloud_reconciliation"),
            ("marts.scope_summary", "marts/scope_summary"),
        ):
            replace_months(con, table, [model], JAN, END, cloud_scope_policy="scope3_category1")
        con.execute(model_sql("serving/views"))
        yield con
    finally:
        con.close()


def offending(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return run_model(con, "checks/served_views_reconcile", start=JAN, end=END).fetchall()


def test_every_view_adds_up_to_the_inventory(con):
    assert offending(con) == []
    # the figures a BI user gets by following the data dictionary
    counted = con.execute(
        "SELECT method, SUM(tco2e) FROM bi.audit_trail WHERE counted GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert counted == [("location", pytest.approx(1.0 + 0.7 + 0.4)), ("market", pytest.approx(0.8 + 0.6 + 0.4))]
    cloud = con.execute(
        """SELECT SUM(location_tco2e) FILTER (WHERE counted_location),
               SUM(inventory_market_tco2e) FILTER (WHERE counted_market) FROM bi.cloud_emissions"""
    ).fetchall()
    assert cloud == [(pytest.approx(0.7 + 0.4), pytest.approx(0.6 + 0.4))]
    assert con.execute("SELECT SUM(inventory_location_tco2e) FROM bi.cloud_reconciliation").fetchall() == [
        (pytest.approx(0.7 + 0.4),)
    ]


def _doctor(con, view: str, old: str, new: str) -> None:
    """Re-create the views from dbt_like_sql/serving/views.sql with one edit inside ``view``'s statement."""
    sql = model_sql("serving/views")
    begin = sql.index(f"CREATE OR REPLACE VIEW bi.{view} AS")
    stop = sql.index(";", begin)
    assert old in sql[begin:stop], (view, old)
    con.execute(sql[:begin] + sql[begin:stop].replace(old, new, 1) + sql[stop:])


@pytest.mark.parametrize(
    "view, old, new, flagged",
    [
        # the audit trail counting the estimate the reported figure replaces (the old view's 65.382 vs 66.869 t)
        ("audit_trail", "OR rc.provider IS NULL)", "OR true)", "bi.audit_trail (counted)"),
        # ... or leaving out the provider-reported rows
        ("audit_trail", "WHERE p.is_selected", "WHERE p.is_selected AND false", "bi.audit_trail (counted)"),
        # cloud emissions: market NULL for estimates, as marts.cloud_emissions has it
        (
            "cloud_emissions",
            "ELSE c.location_tco2e END AS inventory_market_tco2e",
            "ELSE c.market_tco2e END AS inventory_market_tco2e",
            "bi.cloud_emissions (counted_market)",
        ),
        # cloud emissions: an estimate counted beside its provider's reported figure
        (
            "cloud_emissions",
            "NOT COALESCE(r.has_location, false)",
            "true",
            "bi.cloud_emissions (counted_location)",
        ),
        # reconciliation: the estimate where the provider reported
        (
            "cloud_reconciliation",
            "THEN c.reported_location_tco2e ELSE",
            "THEN c.estimated_location_tco2e ELSE",
            "bi.cloud_reconciliation (inventory_location_tco2e)",
        ),
        # reconciliation: a column that no longer matches bi.cloud_emissions
        (
            "cloud_reconciliation",
            "c.reported_location_tco2e, c.estimated_location_tco2e,",
            "c.reported_location_tco2e * 1.01 AS reported_location_tco2e, c.estimated_location_tco2e,",
            "bi.cloud_reconciliation (reported_location_tco2e)",
        ),
    ],
)
def test_the_check_fails_on_a_doctored_view(con, view, old, new, flagged):
    _doctor(con, view, old, new)
    assert flagged in {row[0] for row in offending(con)}
