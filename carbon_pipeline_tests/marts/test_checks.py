"""The blocking checks catch what they are for: each is run against a warehouse that was tampered
with, and must then report the offending rows."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest

from carbon_pipeline.warehouse.sql_models import run_model

WINDOW = {"start": date(2024, 1, 1), "end": date(2026, 1, 1)}


@pytest.fixture
def tampered(built, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(built.settings.warehouse, path)
    con = duckdb.connect(str(path))
    yield con
    con.close()


def offending(con, model, **params):
    return run_model(con, f"checks/{model}", **{**WINDOW, **params}).fetchall()


def test_every_check_passes_on_the_demo(tampered):
    for model, params in (
        ("raw_rows_match_deliveries", {"source_kind": "aws_cur"}),
        ("raw_rows_match_deliveries", {"source_kind": "aws_carbon"}),
        ("raw_rows_match_deliveries", {"source_kind": "activity_csv"}),
        ("ledger_reconciles_with_raw", {}),
        ("provider_emissions_one_version", {}),
        ("factor_catalogue_integrity", {}),
        ("emissions_cover_ledger", {}),
        ("cloud_emissions_match_ledger", {}),
        ("scope_summary_reconciles", {}),
    ):
        assert offending(tampered, model, **params) == [], model


@pytest.mark.parametrize(
    ("tamper", "model", "params"),
    [
        (
            "DELETE FROM raw.aws_cur_line_items WHERE object_line = 5 AND period_month = DATE '2024-04-01'",
            "raw_rows_match_deliveries",
            {"source_kind": "aws_cur"},
        ),
        (
            "UPDATE ledger.activity SET cost = cost + 0.0000000001 WHERE activity_id = "
            "(SELECT MIN(activity_id) FROM ledger.activity WHERE source_kind = 'aws_cur')",
            "ledger_reconciles_with_raw",
            {},
        ),
        (
            "UPDATE ledger.provider_emissions SET is_selected = TRUE WHERE period_month = DATE '2025-02-01'",
            "provider_emissions_one_version",
            {},
        ),
        (
            "UPDATE factors.emission_factors SET value = -1 WHERE factor_id = 'epa:egrid2023rev2:SRVC'",
            "factor_catalogue_integrity",
            {},
        ),
        (
            "DELETE FROM emissions.activity_emissions WHERE method = 'market' AND activity_id = "
            "(SELECT MIN(activity_id) FROM emissions.activity_emissions)",
            "emissions_cover_ledger",
            {},
        ),
        (
            "UPDATE emissions.activity_emissions SET tco2e = -tco2e WHERE activity_id = "
            "(SELECT MIN(activity_id) FROM emissions.activity_emissions WHERE tco2e > 0)",
            "emissions_cover_ledger",
            {},
        ),
        (
            "UPDATE marts.cloud_emissions SET market_tco2e = market_tco2e * 2 WHERE basis = 'reported' "
            "AND period_month = DATE '2024-07-01'",
            "cloud_emissions_match_ledger",
            {},
        ),
        (
            "UPDATE marts.scope_summary SET tco2e = tco2e + 0.5 WHERE scope = 1 AND period_month = DATE '2025-09-01' "
            "AND method = 'market'",
            "scope_summary_reconciles",
            {},
        ),
        (
            "INSERT INTO marts.scope_summary SELECT * FROM marts.scope_summary WHERE period_month = DATE '2024-02-01' "
            "AND scope = 2 AND method = 'location'",
            "scope_summary_reconciles",
            {},
        ),
    ],
)
def test_a_check_reports_the_problem_it_guards_against(tampered, tamper, model, params):
    tampered.execute(tamper)
    assert offending(tampered, model, **params) != []


def test_the_great_expectations_contracts_pass_on_the_demo_and_catch_a_broken_account_id(tampered):
    from carbon_pipeline.quality.expectations import validate_contract

    for table in ("raw.aws_cur_line_items", "ledger.activity"):
        result = validate_contract(tampered, table, **WINDOW)
        assert result.passed, result.failures
        assert result.sampled_rows == result.total_rows > 0
    tampered.execute(
        "UPDATE ledger.activity SET account_id = '12345' WHERE activity_id = (SELECT MIN(activity_id) "
        "FROM ledger.activity WHERE account_id IS NOT NULL)"
    )
    broken = validate_contract(tampered, "ledger.activity", **WINDOW)
    assert not broken.passed
    assert broken.failures == [
        {
            "expectation": "expect_column_values_to_match_regex",
            "column": "account_id",
            "unexpected_count": 1,
            "examples": ["12345"],
        }
    ]
