"""A small real warehouse for own-operations tests: the project's schema and factor catalogue in a DuckDB
file, activity files loaded through the activity_csv reader, and the ledger and emissions models run for
the files' months exactly as the assets run them (same models, same order, one transaction)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.activity_csv import reader as activity_csv
from carbon_pipeline.sources.config import SourceConfig
from carbon_pipeline.sources.landing import open_landing
from carbon_pipeline.warehouse.connection import open_warehouse, replace_months, transaction

PARAMS = {"coefficient_profile": "default", "cloud_scope_policy": "scope3_category1", "pinned_model_version": None}
WINDOW = (date(2020, 1, 1), date(2030, 1, 1))


def warehouse(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = open_warehouse(tmp_path / "warehouse.duckdb")
    load_catalogue(con)
    return con


def add_factor(
    con: duckdb.DuckDBPyConnection,
    factor_id: str,
    item: str,
    geography: str,
    value: float,
    activity_unit: str,
    data_year: int,
    *,
    boundary: str = "direct",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> None:
    """A factor row of the test's own (publisher `test`), for behaviour the shipped catalogue cannot pin."""
    con.execute(
        """INSERT INTO factors.emission_factors BY NAME SELECT
             ? AS factor_id, ? AS value, 'kgCO2e/' || ? AS unit, ? AS activity_unit, 'CO2e' AS gases,
             'AR5' AS gwp_set, ? AS boundary, ? AS geography, ? AS item, ? AS data_year, 'test' AS publisher,
             'test' AS dataset, 'test' AS edition, 'test' AS licence, TRUE AS redistributable,
             'test' AS source_file, 'test' AS file_sha256, ? AS valid_from, ? AS valid_to""",
        [factor_id, value, activity_unit, activity_unit, boundary, geography, item, data_year, valid_from, valid_to],
    )


def load(
    con: duckdb.DuckDBPyConnection, folder: Path, source_id: str, template: str, csv_text: str, **options: object
) -> list[date]:
    """Write ``csv_text`` as the source's one file and load every month it has; return the months."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{template}.csv").write_text(csv_text, encoding="utf-8")
    source = SourceConfig(id=source_id, kind="activity_csv", uri=str(folder), options={"template": template, **options})
    landing = open_landing(source)
    months = activity_csv.available_months(landing, source)
    with transaction(con):
        for month in months:
            activity_csv.load_month(con, landing, source, month)
    return months


def build(con: duckdb.DuckDBPyConnection, start: date = WINDOW[0], end: date = WINDOW[1]) -> None:
    """Ledger and emissions of the window, as ledger.activity and emissions.activity_emissions assets do."""
    with transaction(con):
        replace_months(con, "ledger.activity", ("ledger/activity_own_operations",), start, end, **PARAMS)
        replace_months(
            con,
            "emissions.activity_emissions",
            ("emissions/activity_emissions", "emissions/own_operations_emissions"),
            start,
            end,
            **PARAMS,
        )


def rows(con: duckdb.DuckDBPyConnection, method: str = "location", where: str = "TRUE") -> list[dict[str, object]]:
    """Emission rows joined to their ledger row, in file-line order."""
    result = con.execute(
        f"""SELECT a.first_line, a.source_id, a.activity_type, a.category, a.geography, a.quantity, a.unit, a.scope,
                   a.scope3_category, a.flag AS ledger_flag, a.provider, e.*
            FROM emissions.activity_emissions AS e
            JOIN ledger.activity AS a ON a.activity_id = e.activity_id AND a.period_month = e.period_month
            WHERE e.method = ? AND {where}
            ORDER BY a.source_id, a.first_line""",
        [method],
    )
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
