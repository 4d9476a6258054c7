"""Disclosure of uncertainty on the demo (issue 17): the bi views the report reads agree with the inventory,
their ranges hold the figures and propagate as documented, the report shows them, and `make run`'s printed
inventory carries the ranges without changing a single printed figure."""

from __future__ import annotations

import math

import pytest

from carbon_pipeline.reporting.html_report import write_reports
from carbon_pipeline.reporting.inventory import format_inventory


@pytest.fixture(scope="module")
def html(built, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("uncertainty_reports")
    write_reports(built.settings.serving, out)
    return (out / "inventory_2025.html").read_text(encoding="utf-8")


def test_yearly_ranges_hold_the_inventory_figures(built):
    ranges = built.query(
        """SELECT reporting_year, scope_label, method, tco2e, tco2e_low, tco2e_high, tco2e * u95_relative
           FROM bi.inventory_uncertainty""",
        serving=True,
    )
    inventory = {
        (year, f"Scope {scope}", method): tco2e
        for year, scope, method, tco2e, _ in built.query("SELECT * FROM bi.inventory_by_year", serving=True)
    }
    assert {(y, label, m) for y, label, m, *_ in ranges if label != "Total"} == set(inventory)
    for year, label, method, tco2e, low, high, _ in ranges:
        assert 0 <= low <= tco2e <= high, (year, label, method)
        if label != "Total":
            assert tco2e == pytest.approx(inventory[(year, label, method)], abs=1e-9)
    # the widening rules hold for the Approach 1 half-width (a Monte Carlo range is not symmetric)
    by_key = {(y, label, m): (t, half_width) for y, label, m, t, _, _, half_width in ranges}
    for (year, label, method), (tco2e, half_width) in by_key.items():
        if label == "Total":
            scopes = [v for (y, lb, m), v in by_key.items() if (y, m) == (year, method) and lb != "Total"]
            assert tco2e == pytest.approx(sum(t for t, _ in scopes), abs=1e-9)
            # never narrower than a part, never wider than the parts fully correlated
            assert max(h for _, h in scopes) <= half_width + 1e-9 <= sum(h for _, h in scopes) + 2e-9


def test_the_yearly_range_is_recomputed_from_the_figures_not_added_from_months(built):
    """Hand-propagate 2025 Scope 2 location from the figures (summing each error group first) and compare."""
    rows = built.query(
        """SELECT tco2e, activity_u95, factor_u95, activity_error_key, factor_error_key
           FROM emissions.emission_uncertainty
           WHERE counts_in_inventory AND tco2e IS NOT NULL AND year(period_month) = 2025 AND scope = 2
             AND method = 'location'""",
        serving=True,
    )
    groups: dict[tuple[str, str], float] = {}
    for tco2e, u_activity, u_factor, activity_key, factor_key in rows:
        groups[("a", activity_key)] = groups.get(("a", activity_key), 0.0) + tco2e * u_activity
        groups[("f", factor_key)] = groups.get(("f", factor_key), 0.0) + tco2e * u_factor
    expected = math.sqrt(sum(v * v for v in groups.values()))
    ((tco2e, half_width),) = built.query(
        """SELECT tco2e, tco2e * u95_relative FROM bi.inventory_uncertainty
           WHERE reporting_year = 2025 AND scope_label = 'Scope 2' AND method = 'location'""",
        serving=True,
    )
    assert half_width == pytest.approx(expected, rel=1e-9)
    monthly = built.query(
        """SELECT SUM(half_width) FROM marts.scope_summary_uncertainty
           WHERE year(period_month) = 2025 AND scope = 2 AND method = 'location'""",
        serving=True,
    )[0][0]
    assert half_width < monthly  # independent monthly activity errors partly cancel over the year


def test_a_yearly_total_is_drawn_where_a_tier_is_skewed_and_closed_form_otherwise(built):
    rows = built.query(
        """SELECT i.scope_label, i.method, i.propagation, i.tco2e, i.tco2e_low, i.tco2e_high, i.tco2e * i.u95_relative,
                  EXISTS (SELECT 1 FROM emissions.emission_uncertainty AS u
                          JOIN factors.uncertainty_defaults AS d ON d.tier IN (u.activity_tier, u.factor_tier)
                          WHERE u.counts_in_inventory AND u.tco2e IS NOT NULL AND year(u.period_month) = 2025
                            AND u.method = i.method AND d.distribution = 'lognormal'
                            AND (i.scope_label = 'Total' OR 'Scope ' || CAST(u.scope AS VARCHAR) = i.scope_label))
           FROM bi.inventory_uncertainty AS i WHERE i.reporting_year = 2025""",
        serving=True,
    )
    assert {row[2] for row in rows} == {"quadrature", "monte_carlo"}  # the demo has both kinds
    for label, method, propagation, tco2e, low, high, half_width, skewed in rows:
        assert propagation == ("monte_carlo" if skewed else "quadrature"), (label, method)
        assert 0 <= low <= tco2e <= high
        if propagation == "quadrature":
            assert (low, high) == (pytest.approx(max(tco2e - half_width, 0)), pytest.approx(tco2e + half_width))


def test_tier_shares_and_contributors_are_consistent(built):
    shares = built.query(
        "SELECT reporting_year, method, SUM(share_of_total) FROM bi.uncertainty_tier_shares GROUP BY ALL",
        serving=True,
    )
    assert shares and all(total == pytest.approx(1.0) for _, _, total in shares)
    contributors = built.query(
        """SELECT reporting_year, method, uncertainty_rank, share_of_variance FROM bi.uncertainty_contributors
           ORDER BY 1, 2, 3""",
        serving=True,
    )
    per_year: dict[tuple[int, str], list[float]] = {}
    for year, method, _, share in contributors:
        per_year.setdefault((year, method), []).append(share)
    for values in per_year.values():
        assert len(values) <= 10 and values == sorted(values, reverse=True) and sum(values) <= 1 + 1e-9


def test_reconciliation_places_each_reported_line_against_the_estimate_range(built):
    rows = built.query(
        """SELECT reported_location_tco2e, estimated_location_tco2e, estimated_tco2e_low, estimated_tco2e_high,
                  reported_position FROM bi.cloud_reconciliation_ranges""",
        serving=True,
    )
    assert {r[-1] for r in rows} >= {"within_range"}
    for reported, estimated, low, high, position in rows:
        if position in ("below_range", "within_range", "above_range"):
            assert low <= estimated <= high
            expected = "below_range" if reported < low else "above_range" if reported > high else "within_range"
            assert position == expected


def test_report_shows_ranges_primary_share_and_contributors(html):
    assert '<section id="uncertainty">' in html
    for heading in (
        "Totals with their 95 % range",
        "Shares by tier",
        "Largest contributors to the total",
        "Provider-reported cloud figures against the estimate",
    ):
        assert heading in html


def test_printed_inventory_keeps_its_figures_and_adds_ranges(built):
    text = format_inventory(built.settings.serving)
    assert "95 % range (docs/uncertainty.md)" in text
    ((location_total,),) = built.query(
        "SELECT SUM(tco2e) FROM marts.scope_summary WHERE year(period_month) = 2025 AND method = 'location'",
        serving=True,
    )
    year_2025 = text.split("\n2025")[1]
    assert f"{location_total:,.3f}" in year_2025.split("95 % range")[0]
