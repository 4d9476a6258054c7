"""The electricity template's optional `reading` column (issue 17's last gap, docs/uncertainty.md): how a row's
kWh was obtained decides its activity tier. From an electricity file through staging, the ledger and the
emissions to emissions.emission_uncertainty, on a factor of the test's own so every figure is worked by hand:
a meter read is `metered` with the metered default, an estimated bill `profiled`, an invoice or a file without
the column `invoiced` (today's behaviour), and a value outside the list is refused naming row, column and value."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.warehouse.connection import replace_months, transaction
from carbon_pipeline_tests.emissions.own_operations_support import PARAMS, WINDOW, add_factor, build, load, warehouse

# the shipped defaults (carbon_pipeline/factors/data/uncertainty_defaults.csv): activity tiers and exact factor
METERED, INVOICED, PROFILED, EXACT = 0.02, 0.05, 0.20, 0.05
# 0.4 kg/kWh: 1,000 kWh are 0.4 t on the location method
FACTOR = 0.4
UNCERTAINTY = {**PARAMS, "uncertainty_overrides": ";"}


@pytest.fixture
def con(tmp_path: Path):
    connection = warehouse(tmp_path)
    add_factor(connection, "t:grid", "electricity_grid", "iso3:XTS", FACTOR, "kwh", 2025)
    yield connection
    connection.close()


def tiers(con: duckdb.DuckDBPyConnection, folder: Path, text: str) -> dict[str, dict]:
    """Load ``text`` as an electricity file, build through emission_uncertainty; location figures by site."""
    load(con, folder, "meters", "electricity", text)
    build(con)
    with transaction(con):
        replace_months(
            con, "emissions.emission_uncertainty", ("emissions/emission_uncertainty",), *WINDOW, **UNCERTAINTY
        )
    cursor = con.execute(
        """SELECT a.site, a.reading, u.activity_tier, u.activity_u95, u.factor_tier, u.u95, u.tco2e, u.tco2e_low,
                  u.tco2e_high, u.activity_error_key
           FROM emissions.emission_uncertainty AS u
           JOIN ledger.activity AS a ON a.activity_id = u.figure_id AND a.period_month = u.period_month
           WHERE u.method = 'location'"""
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_a_meter_read_is_metered_with_the_metered_default(con, tmp_path):
    found = tiers(
        con,
        tmp_path / "src",
        "month,site,country,kwh,reading\n2025-01,Meter,XTS,1000,meter\n2025-01,Spaced,XTS,1000, METER \n",
    )
    row = found["Meter"]
    assert (row["reading"], row["activity_tier"], row["factor_tier"]) == ("meter", "metered", "exact_current")
    assert row["activity_u95"] == pytest.approx(METERED)
    # 1,000 kWh x 0.4 kg/kWh = 0.4 t; u = sqrt(0.02^2 + 0.05^2) = 0.053852
    u = math.sqrt(METERED**2 + EXACT**2)
    assert row["tco2e"] == pytest.approx(0.4)
    assert row["u95"] == pytest.approx(u)
    assert (row["tco2e_low"], row["tco2e_high"]) == (pytest.approx(0.4 * (1 - u)), pytest.approx(0.4 * (1 + u)))
    # a meter read is still its own error: separate meters are independent
    assert row["activity_error_key"].startswith("row:")
    # case and spaces are not a different reading
    assert (found["Spaced"]["reading"], found["Spaced"]["activity_tier"]) == ("meter", "metered")


def test_an_estimated_bill_is_profiled_and_an_invoice_is_invoiced(con, tmp_path):
    found = tiers(
        con,
        tmp_path / "src",
        "month,site,country,kwh,reading\n2025-01,Estimate,XTS,1000,estimate\n2025-01,Invoice,XTS,1000,invoice\n"
        "2025-01,Empty,XTS,1000,\n",
    )
    assert (found["Estimate"]["activity_tier"], found["Estimate"]["activity_u95"]) == (
        "profiled",
        pytest.approx(PROFILED),
    )
    assert (found["Invoice"]["activity_tier"], found["Invoice"]["activity_u95"]) == (
        "invoiced",
        pytest.approx(INVOICED),
    )
    # an empty cell says nothing: read as an invoice, stored as not said
    assert (found["Empty"]["reading"], found["Empty"]["activity_tier"]) == (None, "invoiced")


def test_a_file_without_the_column_keeps_invoiced(con, tmp_path):
    found = tiers(con, tmp_path / "src", "month,site,country,kwh\n2025-01,Bill,XTS,1000\n")
    row = found["Bill"]
    assert (row["reading"], row["activity_tier"], row["activity_u95"]) == (None, "invoiced", pytest.approx(INVOICED))
    u = math.sqrt(INVOICED**2 + EXACT**2)
    assert (row["tco2e_low"], row["tco2e_high"]) == (pytest.approx(0.4 * (1 - u)), pytest.approx(0.4 * (1 + u)))


@pytest.mark.parametrize("value", ["actual", "estimated", "smart meter"])
def test_a_reading_outside_the_list_is_refused_naming_row_column_and_value(con, tmp_path, value):
    text = f"month,site,country,kwh,reading\n2025-01,A,XTS,10,meter\n2025-01,B,XTS,10,{value}\n"
    with pytest.raises(SourceError) as refused:
        load(con, tmp_path / "bad", "bad", "electricity", text)
    message = str(refused.value)
    assert "source 'bad'" in message and "electricity.csv" in message
    assert "row 3" in message and "column 'reading'" in message and value in message
    assert "is not meter, invoice or estimate" in message
    # the file is refused whole: nothing of it reaches raw
    assert con.execute("SELECT COUNT(*) FROM raw.activity_rows").fetchall() == [(0,)]
