"""The demo organisation end to end: the inventory covers every month, scope and method, and equals
an independent recomputation from the landing files."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from carbon_pipeline.months import months_between
from carbon_pipeline_tests.independent import inventory

MONTHS = list(months_between(date(2024, 1, 1), date(2026, 1, 1)))


def test_scope_summary_has_every_month_both_methods_and_all_three_scopes(built):
    rows = built.query("SELECT DISTINCT period_month, scope, method FROM marts.scope_summary")
    present = {(m, s, meth) for m, s, meth in rows}
    missing = [
        (m, s, meth)
        for m in MONTHS
        for s in (1, 2, 3)
        for meth in ("location", "market")
        if (m, s, meth) not in present
    ]
    assert not missing
    assert len({m for m, _, _ in rows}) == 24


def test_scope_summary_equals_an_independent_recomputation_from_the_raw_files(built):
    expected = inventory(built.landing, MONTHS)
    actual: dict = defaultdict(float)
    for month, scope, category, method, tco2e in built.query(
        "SELECT period_month, scope, scope3_category, method, tco2e FROM marts.scope_summary"
    ):
        actual[(month, scope, category, method)] += tco2e
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_cloud_counts_in_scope3_category1_never_as_the_organisations_scope1_or_2(built):
    cloud_scopes = built.query(
        "SELECT DISTINCT scope, scope3_category FROM marts.scope_summary WHERE basis IN ('reported', 'estimated_usage')"
    )
    assert cloud_scopes == [(3, 1)]
    provider_scopes = {r[0] for r in built.query("SELECT DISTINCT provider_scope FROM marts.cloud_emissions")}
    assert {1, 2} <= provider_scopes  # kept as a breakdown in the cloud mart


def test_two_model_versions_for_one_month_are_never_summed(built):
    overlap = built.query(
        """SELECT period_month, model_version, is_selected, COUNT(*) FROM ledger.provider_emissions
           WHERE period_month BETWEEN DATE '2025-01-01' AND DATE '2025-03-01' GROUP BY ALL ORDER BY ALL"""
    )
    assert {(m, v) for m, v, selected, _ in overlap if selected} == {(date(2025, m, 1), "v2.0.0") for m in (1, 2, 3)}
    assert {(m, v) for m, v, selected, _ in overlap if not selected} == {(date(2025, m, 1), "v1") for m in (1, 2, 3)}
    versions_in_mart = built.query(
        "SELECT DISTINCT model_version FROM marts.cloud_emissions "
        "WHERE basis = 'reported' AND period_month = DATE '2025-02-01'"
    )
    assert versions_in_mart == [("v2.0.0",)]


def test_usage_estimates_fill_only_months_and_methods_the_provider_did_not_report(built):
    bases = built.query(
        """SELECT year(period_month), method, basis, COUNT(DISTINCT period_month) FROM marts.scope_summary
           WHERE scope3_category = 1 AND basis <> 'estimated_spend' GROUP BY ALL ORDER BY ALL"""
    )
    # (spend-based category 1, other suppliers than AWS, is test_no_double_counting.py's)
    # v1 (2024) reports market-based only: location comes from the estimate; 2025 (v2.0.0) reports both.
    assert bases == [
        (2024, "location", "estimated_usage", 12),
        (2024, "market", "reported", 12),
        (2025, "location", "reported", 12),
        (2025, "market", "reported", 12),
    ]


def test_the_contract_columns_and_types_are_as_the_spec_says(built):
    def columns(table: str) -> list[tuple[str, str]]:
        schema, name = table.split(".")
        return built.query(
            """SELECT column_name, data_type FROM information_schema.columns
               WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position""",
            [schema, name],
            serving=True,
        )

    assert columns("marts.scope_summary") == [
        ("period_month", "DATE"),
        ("scope", "INTEGER"),
        ("scope3_category", "INTEGER"),
        ("method", "VARCHAR"),
        ("basis", "VARCHAR"),
        ("tco2e", "DOUBLE"),
    ]
    assert columns("marts.cloud_emissions") == [
        ("period_month", "DATE"),
        ("provider", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("region", "VARCHAR"),
        ("service", "VARCHAR"),
        ("basis", "VARCHAR"),
        ("provider_scope", "INTEGER"),
        ("location_tco2e", "DOUBLE"),
        ("market_tco2e", "DOUBLE"),
        ("energy_kwh", "DOUBLE"),
        ("model_version", "VARCHAR"),
    ]
    assert [c for c, _ in columns("marts.cloud_reconciliation")] == [
        "period_month",
        "provider",
        "account_id",
        "region",
        "service",
        "reported_location_tco2e",
        "estimated_location_tco2e",
        "reported_to_estimated_ratio",
    ]


def test_account_ids_keep_their_leading_zeros(built):
    accounts = {r[0] for r in built.query("SELECT DISTINCT account_id FROM marts.cloud_emissions")}
    assert accounts == {"012345678901", "123456789012", "009876543210"}
