"""Uncertainty and data quality (issue 17), at model level on tiny hand-made tables in a real DuckDB warehouse:
the tier read from every factor_resolution path, the per-row range, propagation to the mart (rows sharing a
factor are one error, rows with different factors add in quadrature), the range checks, and an override from
the sources file reaching the model. Every expected figure is worked by hand in the test."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.transforms import policy_parameters
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months
from carbon_pipeline.warehouse.sql_models import run_model

MONTH = date(2025, 3, 1)
WINDOW = (date(2025, 3, 1), date(2025, 4, 1))
PARAMS = {
    "coefficient_profile": "default",
    "cloud_scope_policy": "scope3_category1",
    "pinned_model_version": None,
    "uncertainty_overrides": ";",
    "monte_carlo_seed": "issue17",
    "monte_carlo_draws": 10000,
    "uncertainty_period": "month",
}
# the shipped defaults the hand computations use (carbon_pipeline/factors/data/uncertainty_defaults.csv)
INVOICED, EXACT, OLDER, PROVIDER, SUPPLIER = 0.05, 0.05, 0.15, 0.20, 0.10


@pytest.fixture
def con(tmp_path: Path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def add_activity(
    con: duckdb.DuckDBPyConnection,
    activity_id: str,
    *,
    tco2e: float | None,
    factor_id: str | None = "f:a",
    resolution: str | None = "exact",
    method: str = "location",
    activity_type: str = "electricity",
    basis: str = "activity",
    flag: str | None = None,
    provider: str | None = None,
    scope: int = 2,
) -> None:
    """One ledger activity (inserted once) and one emission row of it."""
    exists = con.execute("SELECT COUNT(*) FROM ledger.activity WHERE activity_id = ?", [activity_id]).fetchone()[0]
    if not exists:
        con.execute(
            """INSERT INTO ledger.activity BY NAME SELECT ? AS activity_id, ? AS period_month, 'src' AS source_id,
                 'activity_csv' AS source_kind, 'obj' AS source_object, 'v1' AS source_version,
                 1 AS line_item_count, 1 AS first_line, ? AS activity_type, ? AS provider, 'us-east-1' AS region,
                 'AmazonEC2' AS service, 'site-1' AS site, 'compute' AS estimation_class""",
            [activity_id, MONTH, activity_type, provider],
        )
    con.execute(
        """INSERT INTO emissions.activity_emissions BY NAME SELECT ? AS activity_id, ? AS period_month,
             ? AS method, ? AS basis, ? AS scope, ? AS factor_id, ? AS factor_resolution, 'hand' AS formula,
             ? AS tco2e, ? AS flag""",
        [activity_id, MONTH, method, basis, scope, factor_id, resolution, tco2e, flag],
    )


def build(con: duckdb.DuckDBPyConnection, **overrides: object) -> None:
    params = {**PARAMS, **overrides}
    replace_months(con, "emissions.emission_uncertainty", ["emissions/emission_uncertainty"], *WINDOW, **params)
    replace_months(con, "marts.scope_summary", ["marts/scope_summary"], *WINDOW, **params)
    replace_months(con, "marts.uncertainty_ranges", ["marts/uncertainty_ranges"], *WINDOW, **params)
    replace_months(con, "marts.scope_summary_uncertainty", ["marts/scope_summary_uncertainty"], *WINDOW, **params)


def figure(con: duckdb.DuckDBPyConnection, figure_id: str, method: str = "location") -> dict:
    cursor = con.execute(
        "SELECT * FROM emissions.emission_uncertainty WHERE figure_id = ? AND method = ?", [figure_id, method]
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def mart(con: duckdb.DuckDBPyConnection, scope: int = 2, method: str = "location") -> tuple[float, float, float]:
    return con.execute(
        """SELECT tco2e, tco2e_low, tco2e_high FROM marts.scope_summary_uncertainty
           WHERE scope = ? AND method = ?""",
        [scope, method],
    ).fetchone()


def offences(con: duckdb.DuckDBPyConnection, check: str) -> list[tuple]:
    return run_model(con, f"checks/{check}", start=WINDOW[0], end=WINDOW[1], **PARAMS).fetchall()


# --- propagation --------------------------------------------------------------------------------------------


def test_two_rows_sharing_a_factor_are_one_factor_error(con):
    add_activity(con, "a1", tco2e=10.0, factor_id="f:shared")
    add_activity(con, "a2", tco2e=30.0, factor_id="f:shared")
    build(con)
    # activity errors independent: (10 x 0.05)^2 + (30 x 0.05)^2 = 0.25 + 2.25 = 2.5
    # one factor error on the sum: ((10 + 30) x 0.05)^2 = 4
    half_width = math.sqrt(2.5 + 4.0)
    tco2e, low, high = mart(con)
    assert tco2e == pytest.approx(40.0)
    assert high == pytest.approx(40.0 + half_width)
    assert low == pytest.approx(40.0 - half_width)
    assert offences(con, "uncertainty_ranges_hold") == []


def test_two_rows_with_different_factors_add_in_quadrature(con):
    add_activity(con, "a1", tco2e=10.0, factor_id="f:one")
    add_activity(con, "a2", tco2e=30.0, factor_id="f:two")
    build(con)
    # activity as above (2.5); the factor errors independent too: 0.25 + 2.25 = 2.5
    half_width = math.sqrt(2.5 + 2.5)
    _, low, high = mart(con)
    assert high == pytest.approx(40.0 + half_width)
    assert low == pytest.approx(40.0 - half_width)
    # shared factor range (sqrt 6.5) is wider than the independent one (sqrt 5): correlation is not diversified
    assert half_width < math.sqrt(6.5)


def test_usage_estimates_share_one_activity_error_and_provider_figures_one_method_error(con):
    usage = 0.651  # (3.5 - 0.74) / (3.5 + 0.74), the default profile's min/max watts, rounded
    for activity_id, tco2e in (("c1", 2.0), ("c2", 6.0)):
        add_activity(con, activity_id, tco2e=tco2e, activity_type="cloud_usage", provider="aws")
    build(con)
    row = figure(con, "c1")
    assert row["activity_tier"] == "usage_estimated"
    assert row["activity_u95"] == pytest.approx((3.5 - 0.74) / (3.5 + 0.74))
    assert row["activity_error_key"] == figure(con, "c2")["activity_error_key"] == "usage_model:default"
    half_width, propagation = con.execute(
        "SELECT half_width, propagation FROM marts.scope_summary_uncertainty WHERE scope = 3"
    ).fetchone()
    # one usage error: (8 x 0.651)^2; the factor f:a shared too: (8 x 0.05)^2
    assert half_width == pytest.approx(math.sqrt((8 * usage) ** 2 + (8 * EXACT) ** 2), rel=1e-3)
    # the usage estimate's tier is lognormal: the range itself is the Monte Carlo's (test_monte_carlo.py)
    assert propagation == "monte_carlo"


def test_provider_figure_replaces_the_estimate_and_carries_its_own_tiers(con):
    add_activity(con, "c1", tco2e=5.0, activity_type="cloud_usage", provider="aws")
    for service, tco2e in (("AmazonEC2", 1.0), ("AmazonS3", 3.0)):
        con.execute(
            """INSERT INTO ledger.provider_emissions BY NAME SELECT ? AS period_month, 'carbon' AS source_id,
                 'aws' AS provider, 'v3' AS model_version, 'd1' AS delivery_id, 'obj' AS source_object,
                 1 AS line_item_count, '111' AS account_id, 'us-east-1' AS region, ? AS service,
                 ? AS location_tco2e, TRUE AS is_selected""",
            [MONTH, service, tco2e],
        )
    build(con)
    assert figure(con, "c1")["counts_in_inventory"] is False
    tco2e, _, high = mart(con, scope=3)
    assert tco2e == pytest.approx(4.0)
    # allocation errors per row: (1 x 0.2)^2 + (3 x 0.2)^2; one provider-method error: (4 x 0.1)^2
    assert high - tco2e == pytest.approx(math.sqrt(0.04 + 0.36 + 0.16))


def test_ranges_never_invert_and_stop_at_zero(con):
    add_activity(con, "s1", tco2e=1.0, resolution="exact", basis="estimated_spend", activity_type="spend", scope=3)
    add_activity(con, "c1", tco2e=2.0, activity_type="cloud_usage", provider="aws", flag="estimated_from_cost")
    build(con, uncertainty_overrides=";eeio_sector=3.0000000000;")
    for figure_id in ("s1", "c1"):
        row = figure(con, figure_id)
        assert 0 <= row["tco2e_low"] <= row["tco2e"] <= row["tco2e_high"]
    assert figure(con, "s1")["tco2e_low"] == 0  # u95 above 100 %: clipped at zero, never negative
    assert figure(con, "c1")["activity_tier"] == "cost_estimated"
    assert offences(con, "uncertainty_rows_rated") == []
    assert offences(con, "uncertainty_ranges_hold") == []


def test_adding_rows_never_narrows_the_range(con):
    """Add figures one at a time (a shared factor, a new factor, a tiny row, a zero row): the total's half-width
    never shrinks, whatever the new row's size or group."""
    additions = [
        ("a1", 10.0, "f:one"),
        ("a2", 0.001, "f:one"),
        ("a3", 30.0, "f:two"),
        ("a4", 0.0, "f:three"),
        ("a5", 5.0, "f:two"),
    ]
    widths = []
    for activity_id, tco2e, factor_id in additions:
        add_activity(con, activity_id, tco2e=tco2e, factor_id=factor_id)
        build(con)
        total, _, high = mart(con)
        widths.append(high - total)
    assert all(later >= earlier - 1e-12 for earlier, later in zip(widths, widths[1:], strict=False))
    assert widths[-1] > widths[0]


def test_range_check_catches_a_narrowed_total(con):
    add_activity(con, "a1", tco2e=10.0, factor_id="f:one")
    add_activity(con, "a2", tco2e=30.0, factor_id="f:two")
    build(con)
    con.execute("UPDATE marts.scope_summary_uncertainty SET half_width = 0.1")  # narrower than row a2's
    assert [row[-1] for row in offences(con, "uncertainty_ranges_hold")] == ["narrower than its widest row"]


# --- tiers from every resolution path ------------------------------------------------------------------------

RESOLUTIONS = [
    ("exact", "exact_current", EXACT),
    ("older_year", "older_year", OLDER),
    ("newer_year", "older_year", OLDER),
    ("parent_geography", "parent_geography", 0.30),
    ("parent_geography+older_year", "parent_geography", 0.30),
    ("global_average", "global_average", 0.50),
    ("global_average+newer_year", "global_average", 0.50),
    ("supplier", "supplier", SUPPLIER),
    ("certificates+supplier", "supplier", SUPPLIER),
    ("residual_mix", "residual_mix", 0.15),
    ("certificates+residual_mix", "residual_mix", 0.15),
    ("location_fallback", "location_fallback", 0.30),
    ("certificates+location_fallback", "location_fallback", 0.30),
    ("ccf_region", "ccf_coefficient", 0.30),
    ("ccf_unknown_region_average", "global_average", 0.50),
    ("spend_fallback", "eeio_sector", 0.50),
]


@pytest.mark.parametrize(("resolution", "tier", "u95"), RESOLUTIONS)
def test_factor_tier_of_every_resolution(con, resolution, tier, u95):
    add_activity(con, "a1", tco2e=10.0, resolution=resolution)
    build(con)
    row = figure(con, "a1")
    assert (row["factor_tier"], row["factor_u95"]) == (tier, pytest.approx(u95))
    expected_activity = "spend_based" if resolution == "spend_fallback" else "invoiced"
    assert row["activity_tier"] == expected_activity
    assert row["tco2e_high"] == pytest.approx(10.0 * (1 + math.hypot(row["activity_u95"], u95)))


def test_an_unknown_resolution_fails_the_check_instead_of_taking_a_default(con):
    add_activity(con, "a1", tco2e=10.0, resolution="hourly_matched")
    build(con)
    assert figure(con, "a1")["factor_tier"] == "unrecognised:hourly_matched"
    (problem,) = [row[-1] for row in offences(con, "uncertainty_rows_rated")]
    assert problem.startswith("factor tier unknown")


def test_a_flagged_row_without_figure_keeps_its_tier_and_no_range(con):
    add_activity(con, "s1", tco2e=None, basis="estimated_spend", flag="no_exchange_rate", scope=3)
    build(con)
    row = figure(con, "s1")
    assert (row["activity_tier"], row["factor_tier"], row["tco2e_low"]) == ("spend_based", "eeio_sector", None)
    assert offences(con, "uncertainty_rows_rated") == []


# --- the sources file's override ------------------------------------------------------------------------------


def test_override_in_the_sources_file_reaches_the_model(con, tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: []\nsettings:\n  uncertainty:\n    invoiced: 0.2\n    exact_current: 0.0\n")
    params = policy_parameters(load_sources_file(path).settings)
    assert params["uncertainty_overrides"] == ";exact_current=0.0000000000;invoiced=0.2000000000;"
    add_activity(con, "a1", tco2e=10.0)
    build(con, uncertainty_overrides=params["uncertainty_overrides"])
    row = figure(con, "a1")
    assert (row["activity_u95"], row["factor_u95"]) == (pytest.approx(0.2), pytest.approx(0.0))
    assert row["tco2e_high"] == pytest.approx(12.0)
    assert "settings.uncertainty.invoiced" in row["u95_sources"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("uncertainty:\n    invoicd: 0.1\n", "unknown tier 'settings.uncertainty.invoicd'"),
        ("uncertainty:\n    invoiced: -0.1\n", "settings.uncertainty.invoiced is '-0.1'"),
        ("uncertainty:\n    invoiced: ten\n", "settings.uncertainty.invoiced is 'ten'"),
        ("uncertainty: 0.1\n", "settings.uncertainty must be a mapping"),
    ],
)
def test_a_bad_override_is_an_error_naming_the_key(tmp_path, text, message):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: []\nsettings:\n  " + text)
    with pytest.raises(ConfigError, match=message):
        load_sources_file(path)


# --- the activity tier of every path a figure can take ----------------------------------------------------------

ACTIVITY_PATHS = [
    # (activity_type, basis, factor_resolution, flag, expected tier, its error group)
    ("electricity", "activity", "exact", None, "invoiced", "row"),
    ("fuel", "activity", "older_year", None, "invoiced", "row"),
    ("vehicle", "activity", "exact", None, "invoiced", "row"),
    ("travel", "activity", "parent_geography", None, "invoiced", "row"),
    ("spend", "estimated_spend", "exact", None, "spend_based", "row"),
    ("cloud_usage", "estimated_usage", "exact", None, "usage_estimated", "usage_model"),
    ("cloud_usage", "estimated_usage", "exact", "estimated_from_cost", "cost_estimated", "usage_model"),
    ("cloud_usage", "estimated_usage", "spend_fallback", "estimated_from_spend", "spend_based", "row"),
]


@pytest.mark.parametrize(("activity_type", "basis", "resolution", "flag", "tier", "group"), ACTIVITY_PATHS)
def test_activity_tier_of_every_path(con, activity_type, basis, resolution, flag, tier, group):
    provider = "aws" if activity_type == "cloud_usage" else None
    add_activity(
        con,
        "a1",
        tco2e=1.0,
        activity_type=activity_type,
        basis=basis,
        resolution=resolution,
        flag=flag,
        provider=provider,
        scope=3 if activity_type in ("spend", "travel") else 2,
    )
    build(con)
    row = figure(con, "a1")
    assert row["activity_tier"] == tier
    assert row["activity_error_key"].split(":")[0] == group
    assert offences(con, "uncertainty_rows_rated") == []


def test_a_provider_figure_is_provider_reported_with_the_providers_method_as_its_factor_error(con):
    con.execute(
        """INSERT INTO ledger.provider_emissions BY NAME SELECT ? AS period_month, 'carbon' AS source_id,
             'aws' AS provider, 'v3' AS model_version, 'd1' AS delivery_id, 'obj' AS source_object,
             1 AS line_item_count, '111' AS account_id, 'us-east-1' AS region, 'AmazonEC2' AS service,
             2.0 AS location_tco2e, TRUE AS is_selected""",
        [MONTH],
    )
    build(con)
    rows = con.execute(
        """SELECT activity_tier, factor_tier, factor_error_key FROM emissions.emission_uncertainty
           WHERE figure_kind = 'provider_reported'"""
    ).fetchall()
    assert rows == [("provider_reported", "supplier", "provider_model:aws:v3")]
