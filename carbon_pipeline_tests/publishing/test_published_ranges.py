"""A published summary line keeps the 95 % range it was published with, and the restatement log says whether the
figure now falls inside it (issue 17): model level, on a tiny warehouse, every figure set by hand."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.publishing import publish_period, snapshot_problems
from carbon_pipeline.publishing.snapshots import RECOMPUTED_HASHES, refresh_restatements, stage_model
from carbon_pipeline.sources.config import InventorySettings
from carbon_pipeline.warehouse.connection import open_warehouse

MARCH = date(2025, 3, 1)
# (scope, basis, tco2e, low, high) as published
LINES = [
    (1, "activity", 50.0, 45.0, 55.0),
    (2, "activity", 100.0, 90.0, 110.0),
    (3, "estimated_spend", 10.0, 6.0, 18.0),
]


@pytest.fixture
def con(tmp_path: Path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    for scope, basis, tco2e, low, high in LINES:
        connection.execute(
            """INSERT INTO marts.scope_summary BY NAME SELECT ? AS period_month, ? AS scope,
                 CASE WHEN ? = 3 THEN 1 END AS scope3_category, 'location' AS method, ? AS basis, ? AS tco2e""",
            [MARCH, scope, scope, basis, tco2e],
        )
        connection.execute(
            """INSERT INTO marts.scope_summary_uncertainty BY NAME SELECT ? AS period_month, ? AS scope,
                 CASE WHEN ? = 3 THEN 1 END AS scope3_category, 'location' AS method, ? AS basis, ? AS tco2e,
                 ? AS tco2e_low, ? AS tco2e_high""",
            [MARCH, scope, scope, basis, tco2e, low, high],
        )
    yield connection
    connection.close()


def test_publishing_records_each_lines_range(con):
    publish_period(con, MARCH, MARCH, InventorySettings())
    rows = con.execute(
        "SELECT scope, tco2e, tco2e_low, tco2e_high FROM published.scope_summary ORDER BY scope"
    ).fetchall()
    assert rows == [(scope, tco2e, low, high) for scope, _, tco2e, low, high in LINES]
    assert snapshot_problems(con) == []


def test_a_changed_range_after_publishing_breaks_the_snapshot_hash(con):
    publish_period(con, MARCH, MARCH, InventorySettings())
    con.execute("UPDATE published.scope_summary SET tco2e_high = 111.0 WHERE scope = 2")
    assert [problem for _, problem, *_ in snapshot_problems(con)] == ["published.scope_summary changed"]


def test_a_summary_row_without_a_range_hashes_as_before_ranges_were_recorded(con):
    # a snapshot published by an earlier release: no range columns filled. Its canonical text is unchanged:
    # period|scope|category|method|basis|tco2e, NULL as \N, rows sorted, joined by newlines
    publish_period(con, MARCH, MARCH, InventorySettings())
    con.execute("UPDATE published.scope_summary SET tco2e_low = NULL, tco2e_high = NULL")
    text = "\n".join(
        sorted(
            [
                "2025-03-01|1|\\N|location|activity|50.0",
                "2025-03-01|2|\\N|location|activity|100.0",
                "2025-03-01|3|1|location|estimated_spend|10.0",
            ]
        )
    )
    (recomputed,) = con.execute(
        "SELECT summary_sha256 FROM published.snapshots"  # what the publish recorded (with ranges)
    ).fetchone()
    assert recomputed != hashlib.sha256(text.encode()).hexdigest()
    stage_model(con, RECOMPUTED_HASHES, "publishing/snapshot_hashes")
    (without_range,) = con.execute(f"SELECT summary_sha256 FROM {RECOMPUTED_HASHES}").fetchone()
    assert without_range == hashlib.sha256(text.encode()).hexdigest()


def test_the_restatement_log_says_whether_each_change_fell_inside_the_published_range(con):
    publish_period(con, MARCH, MARCH, InventorySettings())
    # scope 1: 50 -> 60, above the published 45-55; scope 2: 100 -> 105, inside 90-110;
    # scope 3: 10 -> 18, on the published upper end (inside: the range is closed)
    for scope, tco2e in ((1, 60.0), (2, 105.0), (3, 18.0)):
        con.execute("UPDATE marts.scope_summary SET tco2e = ? WHERE scope = ?", [tco2e, scope])
    refresh_restatements(con, InventorySettings())
    rows = con.execute(
        """SELECT scope, published_tco2e, current_tco2e, published_tco2e_low, published_tco2e_high,
                  within_published_range
           FROM audit.restatement_log ORDER BY scope"""
    ).fetchall()
    assert rows == [
        (1, 50.0, 60.0, 45.0, 55.0, False),
        (2, 100.0, 105.0, 90.0, 110.0, True),
        (3, 10.0, 18.0, 6.0, 18.0, True),
    ]


def test_a_removed_line_counts_as_zero_and_a_line_without_a_published_range_says_nothing(con):
    publish_period(con, MARCH, MARCH, InventorySettings())
    con.execute("UPDATE published.scope_summary SET tco2e_low = NULL, tco2e_high = NULL WHERE scope = 2")
    con.execute("DELETE FROM marts.scope_summary WHERE scope = 1")  # gone: 0 is below 45
    con.execute("UPDATE marts.scope_summary SET tco2e = 101.0 WHERE scope = 2")
    con.execute(
        """INSERT INTO marts.scope_summary BY NAME SELECT ? AS period_month, 3 AS scope, 6 AS scope3_category,
             'location' AS method, 'activity' AS basis, 4.0 AS tco2e""",
        [MARCH],
    )  # a new line: never published, no range to fall in
    refresh_restatements(con, InventorySettings())
    rows = con.execute(
        """SELECT scope, scope3_category, current_tco2e, within_published_range FROM audit.restatement_log
           ORDER BY scope, scope3_category"""
    ).fetchall()
    assert rows == [(1, None, None, False), (2, None, 101.0, None), (3, 6, 4.0, None)]
