"""Factor files a user brings under their own licence: each kind loads, marked non-redistributable with the
user's licence note and the file's checksum; malformed files fail naming file, row and column and change
nothing; the sources file section is strict. Every file here is synthetic, made in a temporary folder:
the project never ships such data."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from carbon_pipeline.defs.factors.assets import factor_catalogue
from carbon_pipeline.errors import ConfigError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.factors.user_files import UserFactorFile, UserFactorFileError
from carbon_pipeline.orchestration.resources import SourcesResource, WarehouseResource
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse.connection import open_warehouse
from carbon_pipeline.warehouse.sql_models import run_model

SYNTHETIC = {
    "iea": "country_iso3,year,kgco2e_per_kwh,note\nDEU,2023,0.111,synthetic\nFRA,2023,0.022,\n",
    "aib_residual_mix": "country_iso3,year,gco2_per_kwh\nDEU,2024,333.0\nNLD,2024,444.5\n",
    "greene_residual_mix": "egrid_subregion,year,lb_co2e_per_mwh\nRFCW,2023,1000\n",
    "supplier_factors": (
        "supplier_id,year,kgco2e_per_kwh,valid_from,valid_to\n"
        "acme-energy,2025,0.05,2025-01-01,2025-12-31\nacme-energy,2024,0.07,,\n"
    ),
    "certificates": (
        "certificate_id,site,period_start,period_end,kwh,instrument,registry\n"
        "SYN-0001,berlin-office,2025-01-01,2025-06-30,12000,GO,synthetic-registry\n"
    ),
}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def user_file(folder: Path, kind: str, text: str | None = None) -> UserFactorFile:
    path = write(folder, f"{kind}.csv", SYNTHETIC[kind] if text is None else text)
    return UserFactorFile(kind, path, f"synthetic {kind} 2025", f"synthetic test data ({kind}), licensed to the user")


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()


def test_each_kind_loads_non_redistributable_with_the_users_licence_and_checksum(tmp_path, con):
    files = [user_file(tmp_path, kind) for kind in SYNTHETIC]
    loaded = load_catalogue(con, user_files=files)
    for f in files:
        assert loaded["rows"][str(f.path)] == SYNTHETIC[f.kind].count("\n") - 1
    rows = con.execute(
        """SELECT item, geography, value, redistributable, licence, file_sha256, source_file
           FROM factors.emission_factors WHERE factor_id LIKE 'user:%' ORDER BY factor_id"""
    ).fetchall()
    by_geo = {(item, geo): (value, redist, licence, sha, src) for item, geo, value, redist, licence, sha, src in rows}
    assert by_geo[("electricity_grid", "iso3:DEU")][0] == 0.111
    assert by_geo[("electricity_residual_mix", "iso3:NLD")][0] == pytest.approx(0.4445)
    assert by_geo[("electricity_residual_mix", "egrid:RFCW")][0] == pytest.approx(1000 * 0.45359237 / 1000)
    assert len([r for r in rows if r[0] == "electricity_supplier" and r[1] == "supplier:acme-energy"]) == 2
    for f in files[:-1]:
        sha = hashlib.sha256(f.path.read_bytes()).hexdigest()
        mine = [r for r in by_geo.values() if r[4] == str(f.path)]
        assert mine and all(r[1] is False and r[2] == f.licence_note and r[3] == sha for r in mine), f.kind
    assert con.execute("SELECT certificate_id, site, kwh, instrument FROM factors.certificates").fetchall() == [
        ("SYN-0001", "berlin-office", 12000.0, "GO")
    ]
    origins = dict(con.execute("SELECT source_file, origin FROM factors.catalogue_files").fetchall())
    assert origins[str(files[0].path)] == "user:iea"
    # user rows do not upset the integrity check: non-redistributable rows are allowed in user files
    assert run_model(con, "checks/factor_catalogue_integrity").fetchall() == []


def test_supplier_validity_is_carried_and_the_parent_table_leaves_suppliers_alone(tmp_path, con):
    load_catalogue(con, user_files=[user_file(tmp_path, "supplier_factors")])
    got = con.execute(
        """SELECT data_year, CAST(valid_from AS VARCHAR), CAST(valid_to AS VARCHAR) FROM factors.emission_factors
           WHERE item = 'electricity_supplier' ORDER BY data_year"""
    ).fetchall()
    assert got == [(2024, None, None), (2025, "2025-01-01", "2025-12-31")]
    assert con.execute("SELECT COUNT(*) FROM factors.geography_parents WHERE child LIKE 'supplier:%'").fetchall() == [
        (0,)
    ]


@pytest.mark.parametrize(
    ("kind", "text", "row", "column", "says"),
    [
        (
            "aib_residual_mix",
            "country_iso3,year,gco2_per_kwh\nDEU,2024,333\nNLD,2024,lots\n",
            2,
            "gco2_per_kwh",
            "finite number",
        ),
        ("aib_residual_mix", "country_iso3,year,gco2_per_kwh\nDEU,2024,-1\n", 1, "gco2_per_kwh", ">= 0"),
        ("iea", "country_iso3,year,kgco2e_per_kwh\nGermany,2023,0.3\n", 1, "country_iso3", "alpha-3"),
        ("iea", "country_iso3,year\nDEU,2023\n", None, "kgco2e_per_kwh", "missing column"),
        ("iea", "country_iso3,year,kgco2e_per_kwh,colour\nDEU,2023,0.3,red\n", None, "colour", "unknown column"),
        ("iea", "country_iso3,year,kgco2e_per_kwh\nDEU,2023,0.3\nDEU,2023,0.4\n", 2, "country_iso3", "duplicate"),
        ("greene_residual_mix", "egrid_subregion,year,lb_co2e_per_mwh\nRFCW,,900\n", 1, "year", "empty value"),
        (
            "supplier_factors",
            "supplier_id,year,kgco2e_per_kwh,valid_from,valid_to\nacme,2025,0.1,2025-06-01,2025-01-01\n",
            1,
            "valid_to",
            "before valid_from",
        ),
        (
            "certificates",
            "certificate_id,site,period_start,period_end,kwh,instrument,registry\nC1,hq,2025-02-01,2025-01-01,5,GO,r\n",
            1,
            "period_end",
            "before period_start",
        ),
        (
            "certificates",
            "certificate_id,site,period_start,period_end,kwh,instrument,registry\nC1,hq,2025-01-01,2025-02-01,5,TIGR,r\n",
            1,
            "instrument",
            "expected one of",
        ),
    ],
)
def test_a_malformed_file_fails_naming_file_row_and_column_and_changes_nothing(
    tmp_path, con, kind, text, row, column, says
):
    load_catalogue(con)
    before = con.execute("SELECT COUNT(*) FROM factors.emission_factors").fetchall()
    bad = user_file(tmp_path, kind, text)
    with pytest.raises(UserFactorFileError) as raised:
        load_catalogue(con, user_files=[bad])
    message = str(raised.value)
    assert str(bad.path) in message and f"column '{column}'" in message and says in message
    assert (f"row {row}" in message) if row is not None else ("row" not in message.split(str(bad.path))[1])
    assert (raised.value.row, raised.value.column) == (row, column)
    assert con.execute("SELECT COUNT(*) FROM factors.emission_factors").fetchall() == before


def test_a_missing_or_empty_user_file_is_an_error_naming_it(tmp_path, con):
    missing = UserFactorFile("iea", tmp_path / "nowhere.csv", "e", "n")
    with pytest.raises(UserFactorFileError, match="nowhere.csv.*file not found"):
        load_catalogue(con, user_files=[missing])
    empty = user_file(tmp_path, "iea", "country_iso3,year,kgco2e_per_kwh\n")
    with pytest.raises(UserFactorFileError, match="no data rows"):
        load_catalogue(con, user_files=[empty])


def sources_yaml(tmp_path: Path, section: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("sources: []\n" + textwrap.dedent(section), encoding="utf-8")
    return path


def test_the_sources_file_section_is_parsed_relative_to_the_file(tmp_path):
    write(tmp_path, "aib.csv", SYNTHETIC["aib_residual_mix"])
    parsed = load_sources_file(
        sources_yaml(
            tmp_path,
            """
            user_factor_files:
              - kind: aib_residual_mix
                path: aib.csv
                edition: European Residual Mixes 2024 (synthetic)
                licence_note: licensed to the user by AIB; not for redistribution
            """,
        )
    )
    assert parsed.user_factor_files == (
        UserFactorFile(
            "aib_residual_mix",
            (tmp_path / "aib.csv").resolve(),
            "European Residual Mixes 2024 (synthetic)",
            "licensed to the user by AIB; not for redistribution",
        ),
    )
    assert load_sources_file(sources_yaml(tmp_path, "")).user_factor_files == ()  # absent = fine


@pytest.mark.parametrize(
    ("section", "says"),
    [
        (
            "user_factor_files:\n  - {kind: ecoinvent, path: a.csv, edition: e, licence_note: n}\n",
            "unknown kind 'ecoinvent'",
        ),
        (
            "user_factor_files:\n  - {kind: iea, path: a.csv, edition: e, licence_note: n, licence: x}\n",
            "unknown key 'user_factor_files.licence'",
        ),
        ("user_factor_files:\n  - {kind: iea, path: a.csv, edition: e}\n", "missing required key 'licence_note'"),
        ("user_factor_files: {kind: iea}\n", "'user_factor_files' must be a list"),
        ("user_factors: []\n", "unknown key 'user_factors'"),
    ],
)
def test_the_sources_file_section_is_strict(tmp_path, section, says):
    with pytest.raises(ConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        load_sources_file(sources_yaml(tmp_path, section))


def test_the_factor_asset_loads_the_files_the_sources_file_names(tmp_path):
    write(tmp_path, "iea.csv", SYNTHETIC["iea"])
    sources = sources_yaml(
        tmp_path,
        """
        user_factor_files:
          - {kind: iea, path: iea.csv, edition: synthetic IEA 2025, licence_note: user's IEA licence}
        """,
    )
    warehouse = tmp_path / "warehouse.duckdb"
    result = dg.materialize(
        [factor_catalogue],
        resources={"warehouse": WarehouseResource(path=str(warehouse)), "sources": SourcesResource(path=str(sources))},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("factors__emission_factors")[0].metadata
    assert "synthetic IEA 2025" in metadata["user_factor_files"].value
    con = open_warehouse(warehouse, read_only=True)
    try:
        assert con.execute(
            "SELECT geography, redistributable, licence FROM factors.emission_factors WHERE publisher = 'IEA' "
            "ORDER BY 1"
        ).fetchall() == [("iso3:DEU", False, "user's IEA licence"), ("iso3:FRA", False, "user's IEA licence")]
    finally:
        con.close()
