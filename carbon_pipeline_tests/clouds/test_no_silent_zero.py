"""No silent zero (issue 14, item 4): cloud usage the estimator cannot classify still gets a figure, from
the kWh per cost of its own provider and month where there is one, else from spend with USEEIO's data
processing & hosting factor, flagged; and a blocking check fails a provider-month that rests mostly on that
last fallback, naming its services. Raw rows go in, the ledger, emissions and check models run.

Expected values are written from the inputs and the published factor (US EPA USEEIO v1.3, NAICS 518210:
0.093 kgCO2e per 2022 US dollar, purchaser price with margins), not read back from the project's tables.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months
from carbon_pipeline.warehouse.sql_models import run_model

APRIL, MAY = date(2024, 4, 1), date(2024, 5, 1)
USEEIO_HOSTING_KG_PER_USD = 0.093
PARAMS = {"coefficient_profile": "default", "cloud_scope_policy": "scope3_category1"}


@pytest.fixture
def con(tmp_path: Path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def charge(
    con: duckdb.DuckDBPyConnection,
    line: int,
    provider: str,
    service: str,
    unit: str,
    quantity: float,
    cost: float,
    *,
    currency: str = "USD",
    region: str | None = "eastus",
    details: str | None = None,
    sku_meter: str | None = None,
) -> None:
    con.execute(
        """INSERT INTO raw.focus_charges (source_id, period_month, focus_version, delivery_id, object_key,
               object_line, provider, sub_account_id, region, service_name, charge_category, charge_period_start,
               consumed_quantity, consumed_unit, billed_cost, currency, sku_meter, sku_price_details)
           VALUES ('f', ?, '1.0', 'sha256:x', 'focus.csv', ?, ?, 'sub-1', ?, ?, 'Usage', ?, ?, ?, ?, ?, ?, ?)""",
        [APRIL, line, provider, region, service, APRIL, quantity, unit, cost, currency, sku_meter, details],
    )


def build(con: duckdb.DuckDBPyConnection) -> dict[int, dict]:
    """Ledger and emissions for April; {first raw line: the location-based emission row + ledger class}."""
    replace_months(
        con, "ledger.activity", ["ledger/activity_cloud_billing", "ledger/activity_focus"], APRIL, MAY, **PARAMS
    )
    replace_months(
        con,
        "emissions.activity_emissions",
        ["emissions/activity_emissions"],
        APRIL,
        MAY,
        pinned_model_version=None,
        **PARAMS,
    )
    cursor = con.execute(
        """SELECT a.first_line, a.estimation_class, a.provider, e.*
           FROM ledger.activity AS a
           JOIN emissions.activity_emissions AS e ON e.activity_id = a.activity_id AND e.method = 'location'"""
    )
    columns = [d[0] for d in cursor.description]
    return {r[0]: dict(zip(columns, r, strict=True)) for r in cursor.fetchall()}


def check(con: duckdb.DuckDBPyConnection, max_share: float = 0.2, all_rows: bool = False) -> list[tuple]:
    return run_model(
        con, "checks/cloud_spend_fallback_share", start=APRIL, end=MAY, max_share=max_share, all_rows=all_rows
    ).fetchall()


def test_an_all_unclassified_month_is_estimated_from_spend_and_fails_the_check_naming_its_services(con):
    charge(con, 2, "azure", "Storage", "Units", 10, 30.0, sku_meter="Storage | Tables")
    charge(con, 3, "azure", "Azure Monitor", "Units", 5, 12.5)
    charge(con, 4, "azure", "Key Vault", "Units", 1, 0.5)

    rows = build(con)

    for line, cost in ((2, 30.0), (3, 12.5), (4, 0.5)):
        row = rows[line]
        assert row["estimation_class"] == "unclassified"
        assert row["flag"] == "estimated_from_spend"
        assert row["factor_resolution"] == "spend_fallback"
        assert row["factor_id"] == "useeio:supply-chain-ghg-v1.3:naics:518210"
        assert row["tco2e"] == pytest.approx(cost * USEEIO_HOSTING_KG_PER_USD / 1000, rel=1e-12)
        assert row["energy_kwh"] is None
        assert "spend-based fallback" in row["formula"]
    total = con.execute("SELECT SUM(tco2e) FROM emissions.activity_emissions WHERE method = 'location'").fetchone()[0]
    assert total == pytest.approx(43.0 * USEEIO_HOSTING_KG_PER_USD / 1000) and total > 0
    # the market row carries the same fallback figure
    market = con.execute(
        "SELECT SUM(tco2e), MIN(factor_resolution) FROM emissions.activity_emissions WHERE method = 'market'"
    ).fetchone()
    assert market == (pytest.approx(total), "spend_fallback")

    offending = check(con)
    assert len(offending) == 1
    month, provider, usage_cost, classified, fallback, max_share, top = offending[0]
    assert (month, provider, usage_cost, classified, fallback, max_share) == (APRIL, "azure", 43.0, 0.0, 1.0, 0.2)
    assert top == "Storage 30.0, Azure Monitor 12.5, Key Vault 0.5"


def test_unclassified_usage_borrows_the_kwh_per_cost_of_its_own_provider_month_and_passes(con):
    # a classified Azure VM: 100 h x 2 vCPU, cost 10; and an unclassified Azure row of cost 1
    charge(con, 2, "azure", "Virtual Machines", "Hours", 100, 10.0, details='{"VCPUs":2}')
    charge(con, 3, "azure", "Azure Monitor", "Units", 5, 1.0)
    # a Google Cloud row in the same month must not borrow Azure's ratio: its provider has none
    charge(con, 4, "gcp", "Cloud Logging", "Units", 5, 2.0, region="europe-west1")

    rows = build(con)

    vm, monitor, logging = rows[2], rows[3], rows[4]
    assert vm["estimation_class"] == "compute" and vm["flag"] is None
    assert monitor["flag"] == "estimated_from_cost"
    assert monitor["energy_kwh"] == pytest.approx(vm["energy_kwh"] / 10.0 * 1.0, rel=1e-9)
    assert monitor["tco2e"] == pytest.approx(monitor["energy_kwh"] * vm["factor_value"] / 1000, rel=1e-9)
    assert "azure billing rows (all estimated rows)" in monitor["formula"]
    assert logging["flag"] == "estimated_from_spend"
    assert logging["tco2e"] == pytest.approx(2.0 * USEEIO_HOSTING_KG_PER_USD / 1000)

    # Azure: 1 of 11 on the prior, nothing on the last fallback; Google: all of it
    overview = {r[1]: r for r in check(con, all_rows=True)}
    assert overview["azure"][3] == pytest.approx(10 / 11) and overview["azure"][4] == 0.0
    assert overview["gcp"][4] == 1.0
    assert [r[1] for r in check(con)] == ["gcp"]
    # the share is configurable: with everything allowed, nothing offends
    assert check(con, max_share=1.0) == []


def test_aws_focus_usage_without_a_usage_type_is_never_a_silent_zero(con):
    """The issue's case: AWS FOCUS rows without x_UsageType stay unclassified and the month has no classified
    AWS row to take a kWh per cost from. They used to give 0 t; now they give the spend-based figure."""
    charge(con, 2, "aws", "Amazon Simple Queue Service", "Requests", 1e6, 0.4, region="us-west-2")
    charge(con, 3, "aws", "AWS Key Management Service", "Requests", 1e4, 0.03, region="us-west-2")

    rows = build(con)

    assert {rows[n]["flag"] for n in (2, 3)} == {"estimated_from_spend"}
    assert sum(rows[n]["tco2e"] for n in (2, 3)) == pytest.approx(0.43 * USEEIO_HOSTING_KG_PER_USD / 1000)
    assert check(con)[0][1] == "aws"


def test_spend_in_another_currency_without_an_exchange_rate_is_flagged_and_counts_against_the_check(con):
    charge(con, 2, "azure", "Azure Monitor", "Units", 5, 100.0, currency="NOK")
    con.execute("INSERT INTO factors.exchange_rates VALUES ('EUR', 2024, 0.92, 'test')")

    row = build(con)[2]

    assert row["tco2e"] is None and row["flag"] == "no_exchange_rate"
    assert check(con)[0][4] == 1.0


def test_spend_in_another_currency_goes_through_the_years_exchange_rate(con):
    charge(con, 2, "azure", "Azure Monitor", "Units", 5, 100.0, currency="NOK")
    con.execute("INSERT INTO factors.exchange_rates VALUES ('NOK', 2023, 10.0, 'test'), ('NOK', 2024, 10.5, 'test')")

    row = build(con)[2]

    assert row["flag"] == "estimated_from_spend"
    assert row["tco2e"] == pytest.approx(100.0 / 10.5 * USEEIO_HOSTING_KG_PER_USD / 1000)


@pytest.mark.parametrize(
    ("value", "ok"), [(0.35, True), (0, True), (1, True), (20, False), ("x", False), (True, False)]
)
def test_the_share_is_a_setting_from_0_to_1(tmp_path, value, ok):
    path = tmp_path / "sources.yaml"
    path.write_text(f"sources: []\nsettings:\n  max_spend_fallback_share: {value}\n")
    if ok:
        assert load_sources_file(path).settings.max_spend_fallback_share == float(value)
    else:
        with pytest.raises(ConfigError, match="max_spend_fallback_share"):
            load_sources_file(path)


def test_the_default_share_is_20_percent(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources: []\n")
    assert load_sources_file(path).settings.max_spend_fallback_share == 0.2


def test_coverage_per_provider_month_and_service_splits_usage_cost_by_rung(con):
    """reports/cloud_usage_coverage.sql: classified, kWh/$ prior, spend fallback, no figure, per service."""
    charge(con, 2, "azure", "Virtual Machines", "Hours", 100, 10.0, details='{"VCPUs":2}')
    charge(con, 3, "azure", "Azure Monitor", "Units", 5, 1.0)
    charge(con, 4, "gcp", "Cloud Logging", "Units", 5, 2.0, region="europe-west1")
    charge(con, 5, "azure", "Virtual Machines", "Hours", 10, 4.0, region="nowhere-1", details='{"VCPUs":2}')
    build(con)

    rows = run_model(con, "reports/cloud_usage_coverage", start=APRIL, end=MAY).fetchall()

    by_key = {(r[1], r[2]): r[3:] for r in rows}
    # usage cost, classified, prior, spend, no figure, classified share, last-fallback share
    assert by_key[("azure", "Virtual Machines")] == (14.0, 10.0, 0.0, 0.0, 4.0, 10 / 14, 4 / 14)
    assert by_key[("azure", "Azure Monitor")] == (1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    assert by_key[("gcp", "Cloud Logging")] == (2.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0)
