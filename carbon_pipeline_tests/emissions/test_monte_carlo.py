"""The seeded Monte Carlo of marts/uncertainty_ranges.sql (issue 17, docs/uncertainty.md), on tiny hand-made
tables: where a cell has a lognormal tier its range is drawn, and every draw is checked against a closed form
worked here by hand: a single lognormal term's 2.5 % and 97.5 % quantiles, independent normals adding in
quadrature, rows sharing one lognormal factor moving as one. The draws are fixed by the seed: the same on
every run and thread count."""

from __future__ import annotations

import math

import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.warehouse.connection import open_warehouse
from carbon_pipeline_tests.emissions.test_uncertainty import add_activity, build, offences

# 10,000 draws: the 2.5 % quantile of a standard normal moves by about 0.027 (1.4 %) between seeds
TOLERANCE = 0.03


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def lognormal_quantiles(tco2e: float, u95: float) -> tuple[float, float]:
    """2.5 % and 97.5 % quantiles of tco2e x exp(s z - s^2/2), s^2 = ln(1 + (u95/1.96)^2): the lognormal with
    mean tco2e and the standard deviation of the normal of the same u95."""
    s = math.sqrt(math.log(1 + (u95 / 1.96) ** 2))
    return tco2e * math.exp(-1.96 * s - s * s / 2), tco2e * math.exp(1.96 * s - s * s / 2)


def cell(con, scope: int) -> dict:
    cursor = con.execute(
        """SELECT tco2e, tco2e_low, tco2e_high, half_width, propagation FROM marts.scope_summary_uncertainty
           WHERE scope = ? AND method = 'location'""",
        [scope],
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def test_a_single_lognormal_term_has_the_closed_form_quantiles(con):
    # a cost-estimated cloud row (u95 100 %, lognormal) with the factor's error set to 0: one lognormal term
    add_activity(con, "c1", tco2e=8.0, activity_type="cloud_usage", provider="aws", flag="estimated_from_cost")
    build(con, uncertainty_overrides=";exact_current=0.0000000000;")
    # s^2 = ln(1 + (1/1.96)^2) = ln 1.26031 = 0.23136, s = 0.48100:
    # 8 x exp(-0.94275 - 0.11568) = 8 x 0.34700 = 2.776 and 8 x exp(0.94275 - 0.11568) = 8 x 2.28662 = 18.293
    low, high = lognormal_quantiles(8.0, 1.0)
    assert (low, high) == (pytest.approx(2.776, abs=1e-3), pytest.approx(18.293, abs=1e-3))
    got = cell(con, scope=3)
    assert got["propagation"] == "monte_carlo"
    assert got["tco2e_low"] == pytest.approx(low, rel=TOLERANCE)
    assert got["tco2e_high"] == pytest.approx(high, rel=TOLERANCE)
    # right-skewed: the upper side is the wider, and neither side is the symmetric +/- 8
    assert got["tco2e_high"] - 8.0 > 8.0 - got["tco2e_low"]
    assert got["half_width"] == pytest.approx(8.0)


def test_independent_normals_in_a_drawn_cell_add_in_quadrature(con):
    # two normal rows of their own factors, and a third whose lognormal factor (parent_geography) is made
    # negligible: the cell is drawn, and the draws must give back the closed form of the normal part
    add_activity(con, "a1", tco2e=10.0, factor_id="f:one")
    add_activity(con, "a2", tco2e=30.0, factor_id="f:two")
    add_activity(con, "a3", tco2e=20.0, factor_id="f:three", resolution="parent_geography")
    build(con, uncertainty_overrides=";parent_geography=0.0000001000;")
    # activity 5 % each, factors 5 % (a3's ~0): (0.5^2 + 1.5^2 + 1^2) + (0.5^2 + 1.5^2) = 3.5 + 2.5 = 6
    half_width = math.sqrt(6.0)
    got = cell(con, scope=2)
    assert got["propagation"] == "monte_carlo"
    assert got["half_width"] == pytest.approx(half_width, rel=1e-6)
    assert got["tco2e_high"] - 60.0 == pytest.approx(half_width, rel=TOLERANCE)
    assert 60.0 - got["tco2e_low"] == pytest.approx(half_width, rel=TOLERANCE)


def test_rows_sharing_a_lognormal_factor_are_one_draw(con):
    # two spend rows on one sector factor (eeio_sector, 50 %, lognormal), their invoiced amounts made exact:
    # one draw scales both, so the cell is the closed form of a single 40 t term
    add_activity(con, "s1", tco2e=10.0, factor_id="f:sector", basis="estimated_spend", activity_type="spend", scope=3)
    add_activity(con, "s2", tco2e=30.0, factor_id="f:sector", basis="estimated_spend", activity_type="spend", scope=3)
    build(con, uncertainty_overrides=";spend_based=0.0000000000;")
    shared = cell(con, scope=3)
    low, high = lognormal_quantiles(40.0, 0.5)
    assert shared["tco2e_low"] == pytest.approx(low, rel=TOLERANCE)
    assert shared["tco2e_high"] == pytest.approx(high, rel=TOLERANCE)
    # the same rows on two sector factors: two independent draws, a narrower range
    con.execute("UPDATE emissions.activity_emissions SET factor_id = 'f:other' WHERE activity_id = 's1'")
    build(con, uncertainty_overrides=";spend_based=0.0000000000;")
    independent = cell(con, scope=3)
    assert independent["tco2e_high"] - independent["tco2e_low"] < shared["tco2e_high"] - shared["tco2e_low"]


def test_wide_skewed_ranges_never_invert_nor_go_negative(con):
    add_activity(con, "s1", tco2e=1.0, basis="estimated_spend", activity_type="spend", scope=3)
    add_activity(con, "c1", tco2e=2.0, activity_type="cloud_usage", provider="aws", flag="estimated_from_cost")
    build(con, uncertainty_overrides=";eeio_sector=3.0000000000;cost_estimated=5.0000000000;")
    rows = con.execute(
        "SELECT basis, propagation, tco2e, tco2e_low, tco2e_high FROM marts.scope_summary_uncertainty ORDER BY 1"
    ).fetchall()
    assert [(basis, propagation, tco2e) for basis, propagation, tco2e, _, _ in rows] == [
        ("estimated_spend", "monte_carlo", pytest.approx(1.0)),
        ("estimated_usage", "monte_carlo", pytest.approx(2.0)),
    ]
    for _, _, tco2e, low, high in rows:
        assert 0 <= low <= tco2e <= high
        assert high - tco2e > tco2e - low  # skewed right, not clipped symmetric
    assert offences(con, "uncertainty_ranges_hold") == []


def test_the_draws_depend_on_the_seed_only_not_on_threads_or_reruns(con):
    add_activity(con, "c1", tco2e=8.0, activity_type="cloud_usage", provider="aws")
    add_activity(con, "c2", tco2e=3.0, activity_type="cloud_usage", provider="aws", factor_id="f:b")
    con.execute("SET threads TO 1")
    build(con)
    one_thread = cell(con, scope=3)
    con.execute("SET threads TO 4")
    build(con)
    assert cell(con, scope=3) == one_thread
    build(con, monte_carlo_seed="another seed")
    reseeded = cell(con, scope=3)
    assert reseeded["tco2e_high"] != one_thread["tco2e_high"]
    assert reseeded["tco2e_high"] == pytest.approx(one_thread["tco2e_high"], rel=TOLERANCE)


def test_a_cell_with_more_than_four_skewed_terms_is_drawn_as_their_sum(con):
    # six spend rows on six sector factors (lognormal each): past the four terms a draw is computed in one row,
    # so the cell takes the summing path. Five factors are made negligible by scaling their rows down to
    # 1e-9 t: the range is the closed form of the one 40 t row, and the threads do not change it
    add_activity(con, "big", tco2e=40.0, factor_id="f:big", basis="estimated_spend", activity_type="spend", scope=3)
    for n in range(5):
        add_activity(
            con, f"tiny{n}", tco2e=1e-9, factor_id=f"f:tiny{n}", basis="estimated_spend", activity_type="spend", scope=3
        )
    con.execute("SET threads TO 1")
    build(con, uncertainty_overrides=";spend_based=0.0000000000;")
    got = cell(con, scope=3)
    low, high = lognormal_quantiles(40.0, 0.5)
    assert got["propagation"] == "monte_carlo"
    assert got["tco2e_low"] == pytest.approx(low, rel=TOLERANCE)
    assert got["tco2e_high"] == pytest.approx(high, rel=TOLERANCE)
    con.execute("SET threads TO 4")
    build(con, uncertainty_overrides=";spend_based=0.0000000000;")
    assert cell(con, scope=3) == got


def test_thousands_of_drawn_cloud_cells_fit_in_a_small_memory_limit(con):
    # a month of a large bill: 3,000 cloud usage estimates (lognormal), each its own reconciliation cell
    # (account x region x service), 30 million draws. A quantile aggregate holding every cell's draws needs
    # 240 MB of doubles alone (and ran out of 1 GB on a 1M-line-item month); counting draws into bins and
    # ranking only the wanted bins spills instead, so 250 MB of DuckDB memory is enough, and every cell's
    # range is the closed form of its one term
    cells = 3000
    con.execute(
        """INSERT INTO ledger.activity BY NAME SELECT 'c' || i AS activity_id, DATE '2025-03-01' AS period_month,
             'src' AS source_id, 'aws_cur' AS source_kind, 'obj' AS source_object, 'v1' AS source_version,
             1 AS line_item_count, 1 AS first_line, 'cloud_usage' AS activity_type, 'aws' AS provider,
             'acct-' || (i % 40) AS account_id, 'region-' || (i // 40) AS region, 'AmazonEC2' AS service,
             'compute' AS estimation_class
           FROM range(?) AS r(i)""",
        [cells],
    )
    con.execute(
        """INSERT INTO emissions.activity_emissions BY NAME SELECT 'c' || i AS activity_id,
             DATE '2025-03-01' AS period_month, 'location' AS method, 'estimated_usage' AS basis, 3 AS scope,
             'f:a' AS factor_id, 'exact' AS factor_resolution, 'hand' AS formula, 1.0 + i % 7 AS tco2e,
             'estimated_from_cost' AS flag
           FROM range(?) AS r(i)""",
        [cells],
    )
    con.execute("SET memory_limit = '250MB'")
    con.execute("SET threads TO 2")
    build(con, uncertainty_overrides=";exact_current=0.0000000000;")
    rows = con.execute(
        """SELECT tco2e, tco2e_low, tco2e_high FROM marts.uncertainty_ranges
           WHERE cell_kind = 'cloud_estimate' AND propagation = 'monte_carlo'"""
    ).fetchall()
    assert len(rows) == cells
    for tco2e, low, high in rows:
        expected_low, expected_high = lognormal_quantiles(tco2e, 1.0)
        assert low == pytest.approx(expected_low, rel=TOLERANCE)
        assert high == pytest.approx(expected_high, rel=TOLERANCE)
