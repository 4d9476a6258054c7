"""Emissions by gas: where the factor applied gives CO2, CH4 and N2O (eGRID, EPA Hub), the inventory's tCO2e is
split in that factor's proportions into tCO2, tCH4 and tN2O; everything else (CO2e-only factors, providers'
reported figures, cloud embodied emissions) is reported as CO2e only, never split and never zeroed. The mart
(marts.emissions_by_gas, built at publish; bi.emissions_by_gas by year) adds up to the inventory."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import duckdb
import pytest

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.reporting.report_data import Table
from carbon_pipeline.reporting.report_sections import gas_section
from carbon_pipeline.serving.publish import publish_serving
from carbon_pipeline.warehouse.connection import open_warehouse
from carbon_pipeline.warehouse.sql_models import model_sql

JAN = date(2025, 1, 1)


def _served(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """The three served tables the mart reads, with only the columns it uses."""
    con = duckdb.connect(":memory:")
    for schema in ("emissions", "factors"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute(
        "CREATE TABLE emissions.emission_uncertainty (figure_id VARCHAR, period_month DATE, method VARCHAR, "
        "figure_kind VARCHAR, scope INTEGER, counts_in_inventory BOOLEAN, tco2e DOUBLE, factor_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE emissions.activity_emissions (activity_id VARCHAR, period_month DATE, method VARCHAR, "
        "embodied_tco2e DOUBLE)"
    )
    con.execute(
        "CREATE TABLE factors.emission_factors (factor_id VARCHAR, value DOUBLE, co2_kg_per_unit DOUBLE, "
        "ch4_kg_per_unit DOUBLE, n2o_kg_per_unit DOUBLE, gwp_ch4 DOUBLE, gwp_n2o DOUBLE)"
    )
    # a grid factor with gases: 0.4 kg CO2 + 28 x 0.001 kg CH4 + 265 x 0.0002 kg N2O = 0.481 kgCO2e per kWh
    con.execute("INSERT INTO factors.emission_factors VALUES ('grid', 0.481, 0.4, 0.001, 0.0002, 28, 265)")
    # a factor published as CO2e only
    con.execute("INSERT INTO factors.emission_factors VALUES ('desnz', 2.0, NULL, NULL, NULL, NULL, NULL)")
    con.executemany("INSERT INTO emissions.emission_uncertainty VALUES (?, ?, 'location', ?, ?, ?, ?, ?)", rows)
    # the cloud estimate's 0.1 t of embodied emissions
    con.execute("INSERT INTO emissions.activity_emissions VALUES ('cloud', ?, 'location', 0.1)", [JAN])
    return con


ROWS = [
    ("office", JAN, "activity_emission", 2, True, 0.481, "grid"),  # 1,000 kWh x 0.481
    ("cloud", JAN, "activity_emission", 2, True, 0.581, "grid"),  # 1,000 kWh x 0.481 + 0.1 embodied
    ("heating", JAN, "activity_emission", 2, True, 2.0, "desnz"),
    ("aws-reported", JAN, "provider_reported", 2, True, 0.3, None),
    ("cloud-estimate-not-counted", JAN, "activity_emission", 2, False, 5.0, "grid"),
    ("fleet", JAN, "activity_emission", 1, True, 1.5, "desnz"),
]


def test_hand_worked_split_by_gas_and_co2e_only_rows():
    con = _served(ROWS)
    got = {
        r[0]: r[1:]
        for r in con.execute(
            f"SELECT scope, tco2e, gases_known_tco2e, co2_t, ch4_t, n2o_t, co2e_from_gases_t, co2e_only_tco2e "
            f"FROM ({model_sql('serving/emissions_by_gas')})"
        ).fetchall()
    }
    tco2e, known, co2, ch4, n2o, from_gases, only = got[2]
    assert tco2e == pytest.approx(0.481 + 0.581 + 2.0 + 0.3)  # the counted rows only
    assert known == pytest.approx(0.962)  # two 1,000 kWh rows, embodied left out
    assert co2 == pytest.approx(0.8)  # 0.962 x 0.4 / 0.481
    assert ch4 == pytest.approx(0.002)  # tonnes of CH4, not CO2e
    assert n2o == pytest.approx(0.0004)
    assert from_gases == pytest.approx(0.8 + 28 * 0.002 + 265 * 0.0004)
    assert only == pytest.approx(0.1 + 2.0 + 0.3)  # embodied, the CO2e-only factor, the provider's figure
    assert known + only == pytest.approx(tco2e)
    # scope 1 has only a CO2e-only factor: its gases are unknown (NULL), never 0
    assert got[1] == (1.5, None, None, None, None, None, 1.5)


def test_the_report_says_co2e_only_instead_of_zero():
    data = SimpleNamespace(
        emissions_by_gas=Table(
            (
                "scope",
                "method",
                "tco2e",
                "gases_known_tco2e",
                "co2_t",
                "ch4_t",
                "n2o_t",
                "co2e_from_gases_t",
                "co2e_only_tco2e",
            ),
            [
                (1, "location", 1.5, None, None, None, None, None, 1.5),
                (2, "location", 3.362, 0.962, 0.8, 0.002, 0.0004, 0.962, 2.4),
            ],
        )
    )
    html = gas_section(data)
    assert html.count("CO2e only</td>") == 5  # scope 1's five unknown gas columns
    assert '<td class="num">0.80000</td>' not in html and "0.800" in html and "0.00200" in html


@pytest.fixture(scope="module")
def demo_serving(built, tmp_path_factory):
    """The demo's warehouse with the current factor catalogue (per-gas columns), published."""
    folder = tmp_path_factory.mktemp("gas")
    warehouse = folder / "warehouse.duckdb"
    warehouse.write_bytes(built.settings.warehouse.read_bytes())
    con = open_warehouse(warehouse)
    try:
        load_catalogue(con)
    finally:
        con.close()
    serving = folder / "serving.duckdb"
    publish_serving(warehouse, serving)
    con = duckdb.connect(str(serving), read_only=True)
    yield con
    con.close()


def test_every_month_scope_and_method_adds_up_to_the_inventory(demo_serving):
    off = demo_serving.execute(
        """SELECT s.period_month, s.scope, s.method, s.tco2e, g.tco2e, g.gases_known_tco2e, g.co2e_only_tco2e
           FROM (SELECT period_month, scope, method, SUM(tco2e) AS tco2e FROM marts.scope_summary GROUP BY ALL) AS s
           FULL JOIN marts.emissions_by_gas AS g USING (period_month, scope, method)
           WHERE g.tco2e IS NULL OR s.tco2e IS NULL OR abs(s.tco2e - g.tco2e) > 1e-9
              OR abs(COALESCE(g.gases_known_tco2e, 0) + g.co2e_only_tco2e - g.tco2e) > 1e-9"""
    ).fetchall()
    assert off == []
    by_year = dict(
        demo_serving.execute(
            "SELECT method, SUM(tco2e) FROM bi.emissions_by_gas WHERE reporting_year = 2025 GROUP BY 1"
        ).fetchall()
    )
    assert math.isclose(by_year["location"], 333.071, abs_tol=5e-4)
    assert math.isclose(by_year["market"], 319.512, abs_tol=5e-4)


def test_the_demo_has_gases_where_egrid_and_the_epa_hub_apply_and_they_give_back_the_co2e(demo_serving):
    rows = demo_serving.execute(
        "SELECT scope, gases_known_tco2e, co2_t, ch4_t, n2o_t, co2e_from_gases_t FROM bi.emissions_by_gas "
        "WHERE reporting_year = 2025 AND method = 'location' AND gases_known_tco2e IS NOT NULL"
    ).fetchall()
    assert {scope for scope, *_ in rows} >= {2}  # US offices on eGRID
    for _, known, co2, ch4, n2o, from_gases in rows:
        assert 0 < co2 < known and ch4 > 0 and n2o > 0
        # the published CO2e factor is rounded (eGRID's to 1e-5 kg/kWh): the gases give it back to 1e-4
        assert math.isclose(from_gases, known, rel_tol=1e-4)


def test_per_gas_factors_are_loaded_where_the_publisher_gives_them(demo_serving):
    rows = demo_serving.execute(
        "SELECT dataset, COUNT(*), COUNT(co2_kg_per_unit), "
        "MAX(abs(co2_kg_per_unit + gwp_ch4 * ch4_kg_per_unit + gwp_n2o * n2o_kg_per_unit - value) / value) "
        "FROM factors.emission_factors GROUP BY dataset"
    ).fetchall()
    by_dataset = {dataset: (n, with_gases, worst) for dataset, n, with_gases, worst in rows}
    for dataset in ("egrid2023rev2", "egrid2022", "ghg-emission-factors-hub"):
        n, with_gases, worst = by_dataset[dataset]
        assert with_gases == n and worst < 1e-4, dataset
    for dataset in ("ghg-conversion-factors", "yearly-electricity", "supply-chain-ghg-emission-factors"):
        assert by_dataset[dataset][1] == 0, dataset
