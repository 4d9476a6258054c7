"""One organisation with all three kinds of cloud figure (issue 4 item 7): AWS's reported carbon export for
some months, AWS usage estimated from billing for months the export does not cover, and a spend file
with AWS invoices next to other suppliers. Each tonne is counted once in marts.scope_summary: AWS spend
never adds to AWS's reported or estimated figures, while a cloud provider the inventory has no figure for
(and every other supplier) counts spend-based."""

from __future__ import annotations

import csv
import shutil
from datetime import date

import pytest

from carbon_pipeline.demo.generator import CARBON_EXPORT, CARBON_PREFIX
from carbon_pipeline.factors.catalogue import DATA_DIR
from carbon_pipeline.runner import failure_messages

REPORTED, ESTIMATED = date(2025, 3, 1), (date(2025, 4, 1), date(2025, 5, 1))
USEEIO = "useeio_v1_3_naics_co2e_usd2022.csv"


def _useeio(code: str) -> float:
    """kg CO2e per 2022 US dollar, supply chain with margins: the factor CSV's own value."""
    with (DATA_DIR / USEEIO).open(encoding="utf-8-sig") as handle:
        return next(
            float(r["Supply Chain Emission Factors with Margins"])
            for r in csv.DictReader(handle)
            if r["2017 NAICS Code"] == code
        )


@pytest.fixture(scope="module")
def organisation(tmp_path_factory, demo_files):
    from carbon_pipeline_tests.conftest import make_deployment

    deployment = make_deployment(tmp_path_factory.mktemp("three-kinds"), demo_files)
    export = deployment.landing / CARBON_PREFIX / CARBON_EXPORT
    # the carbon export stops after March 2025: April and May are estimated from the CUR
    for part in ("data", "metadata"):
        for version in (export / part).iterdir():
            for month in ESTIMATED:
                shutil.rmtree(version / f"usage_period={month:%Y-%m}", ignore_errors=True)
    # a Google Cloud invoice: no Google Cloud figure is in this inventory, so its spend is the only one
    with (deployment.landing / "activity" / "spend" / "spend_2025.csv").open("a", encoding="utf-8") as handle:
        handle.write("2025-04-20,Google Cloud EMEA Limited,518210,1000.00,USD,BigQuery\n")
    result = deployment.run(REPORTED, ESTIMATED[-1])
    assert result.success, failure_messages(result)
    return deployment


def test_each_cloud_month_has_one_basis_and_aws_spend_is_left_out(organisation):
    bases = organisation.query(
        """SELECT period_month, method, string_agg(DISTINCT basis, ',' ORDER BY basis) FROM marts.scope_summary
           WHERE scope = 3 AND scope3_category = 1 GROUP BY ALL ORDER BY ALL"""
    )
    expected_cloud = {REPORTED: "reported", ESTIMATED[0]: "estimated_usage", ESTIMATED[1]: "estimated_usage"}
    for month, method, found in bases:
        assert found == f"estimated_spend,{expected_cloud[month]}", (month, method)
    flags = organisation.query(
        """SELECT a.period_month, e.flag, COUNT(*), COUNT(e.tco2e) FROM emissions.activity_emissions e
           JOIN ledger.activity a USING (activity_id)
           WHERE a.activity_type = 'spend' AND a.provider = 'aws' GROUP BY ALL ORDER BY ALL"""
    )
    assert flags == [
        (REPORTED, "excluded_provider_reported", 2, 0),
        (ESTIMATED[0], "excluded_provider_estimated", 2, 0),
        (ESTIMATED[1], "excluded_provider_estimated", 2, 0),
    ]


def test_spend_based_category_1_is_the_other_suppliers_by_hand(organisation):
    # the spend file's USD rows that are not AWS, x the USEEIO factor of their NAICS code
    expected: dict[date, float] = {}
    with (organisation.landing / "activity" / "spend" / "spend_2025.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            month = date.fromisoformat(row["date"]).replace(day=1)
            if REPORTED <= month <= ESTIMATED[-1] and row["currency"] == "USD" and "Amazon" not in row["supplier"]:
                expected[month] = expected.get(month, 0.0) + float(row["amount"]) * _useeio(row["naics"]) / 1000
    non_usd = organisation.query(
        """SELECT a.period_month, a.quantity, a.category, e.tco2e, e.flag FROM emissions.activity_emissions e
           JOIN ledger.activity a USING (activity_id)
           WHERE a.activity_type = 'spend' AND a.currency <> 'USD' AND e.method = 'location'"""
    )
    rates = dict(organisation.query("SELECT currency || ':' || year, units_per_usd FROM factors.exchange_rates"))
    for month, amount, item, tco2e, flag in non_usd:
        rate = rates.get(f"EUR:{month.year}")
        if rate is None:
            assert (tco2e, flag) == (None, "no_exchange_rate")
        else:
            expected[month] += amount / rate * _useeio(item.split(":")[1]) / 1000
    actual = dict(
        organisation.query(
            """SELECT period_month, SUM(tco2e) FROM marts.scope_summary
               WHERE basis = 'estimated_spend' AND method = 'location' GROUP BY ALL"""
        )
    )
    assert actual.keys() == expected.keys()
    for month, value in expected.items():
        assert actual[month] == pytest.approx(value, rel=1e-9), month
    # the Google Cloud invoice counts: no Google Cloud emissions came from anywhere else
    google = organisation.query(
        """SELECT a.provider, e.flag, e.tco2e
           FROM emissions.activity_emissions e JOIN ledger.activity a USING (activity_id)
           WHERE a.supplier = 'Google Cloud EMEA Limited' AND e.method = 'location'"""
    )
    assert google == [("gcp", None, pytest.approx(1000 * _useeio("518210") / 1000, rel=1e-12))]


def test_each_tonne_once_cloud_plus_spend_equals_category_1(organisation):
    cloud = dict(
        organisation.query(
            """SELECT period_month || method, SUM(tco2e) FROM marts.scope_summary
               WHERE basis IN ('reported', 'estimated_usage') GROUP BY ALL"""
        )
    )
    reported = dict(
        organisation.query(
            """SELECT period_month || 'location', SUM(location_tco2e) FROM ledger.provider_emissions
               WHERE is_selected GROUP BY ALL"""
        )
    )
    estimated = dict(
        organisation.query(
            """SELECT e.period_month || e.method, SUM(e.tco2e) FROM emissions.activity_emissions e
               JOIN ledger.activity a USING (activity_id) WHERE a.activity_type = 'cloud_usage' GROUP BY ALL"""
        )
    )
    assert cloud[f"{REPORTED}location"] == pytest.approx(reported[f"{REPORTED}location"], rel=1e-12)
    for month in ESTIMATED:
        assert cloud[f"{month}location"] == pytest.approx(estimated[f"{month}location"], rel=1e-12)
    # what AWS spend would have added had it been counted: it is not in the category 1 total
    would_be = organisation.query(
        """SELECT SUM(a.quantity * f.value / 1000) FROM ledger.activity a
           JOIN factors.emission_factors f ON f.item = a.category AND f.geography = 'iso3:USA'
           WHERE a.activity_type = 'spend' AND a.provider = 'aws' AND a.currency = 'USD'"""
    )[0][0]
    assert would_be > 0
    total = organisation.query(
        "SELECT SUM(tco2e) FROM marts.scope_summary WHERE scope = 3 AND scope3_category = 1 AND method = 'location'"
    )[0][0]
    spend = organisation.query(
        "SELECT SUM(tco2e) FROM marts.scope_summary WHERE basis = 'estimated_spend' AND method = 'location'"
    )[0][0]
    assert total == pytest.approx(sum(v for k, v in cloud.items() if k.endswith("location")) + spend, rel=1e-12)
