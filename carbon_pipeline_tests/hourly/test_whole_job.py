"""`carbon-pipeline run` with hourly turned on (one whole-job test): the demo organisation with its CUR source
turned hourly, every site and region mapped to a SYNTHETIC zone, a PPA profile in one zone and a certificate
outside every boundary. The run builds the hourly assets for every month beside the annual ones; with the hourly
tables and the hourly catalogue rows taken away again, the warehouse and the serving file equal the golden
fingerprint: the annual inventory is unchanged byte for byte. The report has its hourly chart, labelled
synthetic, and the intensity asset carries the chart as an inline PNG in the Dagster UI."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from carbon_pipeline.cli import main as cli_main
from carbon_pipeline_tests.fingerprint import fingerprint
from carbon_pipeline_tests.hourly.support import write

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "demo_fingerprint.json"
ZONES = {
    "HQ Arlington VA": "Z-US",
    "Office Dublin": "Z-IE",
    "Office Stockholm": "Z-SE",
    "aws:us-east-1": "Z-US",
    "aws:eu-west-1": "Z-IE",
    "aws:eu-north-1": "Z-SE",
    "aws:ap-southeast-2": "Z-AU",
}
ANNUAL = {"Z-US": 0.35, "Z-IE": 0.3, "Z-SE": 0.03, "Z-AU": 0.6}
HOURLY_TABLES = ("marts.hourly_vs_annual", "marts.hourly_market_scope2", "marts.hourly_intensity_by_hour_of_day")


def hourly_section() -> str:
    grid = "".join(
        f"    - {{layout: synthetic, zone: {zone}, annual_kgco2e_per_kwh: {value}, year: {year}}}\n"
        for zone, value in ANNUAL.items()
        for year in (2024, 2025)
    )
    return (
        "hourly:\n  enabled: true\n  zone_map: hourly/zones.csv\n  grid_files:\n" + grid + "  instrument_files:\n"
        "    - {layout: ppa_profile, path: hourly/ppa.csv, edition: test PPA, licence_note: test data}\n"
        "    - {layout: granular_certificates, path: hourly/gc.csv, edition: test GCs, licence_note: test data}\n"
    )


@pytest.fixture(scope="module")
def hourly_run(tmp_path_factory, demo_files):
    root = tmp_path_factory.mktemp("hourly-job")
    shutil.copytree(demo_files, root / "demo")
    sources = root / "demo" / "sources.yaml"
    text = sources.read_text(encoding="utf-8").replace(
        "    kind: aws_cur\n", "    kind: aws_cur\n    hourly: true\n", 1
    )
    sources.write_text(text + hourly_section(), encoding="utf-8")
    (root / "demo" / "hourly").mkdir()
    zone_map = "kind,key,zone\n" + "".join(
        f"{'cloud_region' if key.startswith('aws:') else 'site'},{key},{zone}\n" for key, zone in ZONES.items()
    )
    write(root / "demo" / "hourly" / "zones.csv", zone_map)
    # a solar PPA in Dublin's zone, noon of 2025-06-02 only; a certificate in a zone with no site
    write(root / "demo" / "hourly" / "ppa.csv", "contract_id,hour_utc,kwh,zone\nPPA-1,2025-06-02T12:00Z,1000,Z-IE\n")
    write(
        root / "demo" / "hourly" / "gc.csv",
        "certificate_id,production_start_utc,production_end_utc,kwh,zone\n"
        "GC-1,2025-06-02T12:00Z,2025-06-02T13:00Z,50,Z-NOWHERE\n",
    )
    env = {
        "CARBON_SOURCES": str(sources),
        "CARBON_WAREHOUSE": str(root / "warehouse.duckdb"),
        "CARBON_SERVING": str(root / "serving.duckdb"),
        "CARBON_STAGING": str(root / "staging"),
        "CARBON_REPORTS": str(root / "reports"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    (root / "dagster").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = cli_main(["run"])
        with dg.DagsterInstance.get() as instance:
            event = instance.get_latest_materialization_event(dg.AssetKey(["marts", "hourly_intensity"]))
            # the asset's metadata on its last materialization, with the month (partition) it is about
            materialization = event.asset_materialization if event else None
            metadata = (materialization.partition, dict(materialization.metadata)) if materialization else (None, {})
    return root, code, metadata, printed.getvalue()


def query(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_run_builds_the_hourly_marts_for_every_month(hourly_run):
    root, code, _, printed = hourly_run
    assert code == 0
    # the command says it: the hourly figures after the inventory, the synthetic profile named first
    hourly = printed[printed.index("Hourly carbon, beside the inventory") :]
    assert "SYNTHETIC hourly grid profile" in hourly.splitlines()[1]
    assert "2025 location, sites: annual" in hourly and "2025 market Scope 2: hourly-matched" in hourly
    months = query(root / "warehouse.duckdb", "SELECT DISTINCT period_month FROM marts.hourly_vs_annual ORDER BY 1")
    assert [m for (m,) in months] == [date(2024 + i // 12, i % 12 + 1, 1) for i in range(24)]
    entities = query(root / "warehouse.duckdb", "SELECT DISTINCT entity FROM marts.hourly_vs_annual ORDER BY 1")
    assert {e for (e,) in entities} == set(ZONES)  # every site and region, each with its zone
    notes = query(root / "warehouse.duckdb", "SELECT DISTINCT note LIKE '%SYNTHETIC%' FROM marts.hourly_vs_annual")
    assert notes == [(True,)]
    # the demo's CUR is hourly: its cloud estimate is shaped by the line items' hours, not spread flat
    shapes = query(
        root / "warehouse.duckdb", "SELECT DISTINCT shape FROM hourly.consumption WHERE entity_kind = 'cloud_region'"
    )
    assert ("cur_hourly",) in shapes


def test_the_ppa_matches_its_hour_and_the_outside_certificate_nothing(hourly_run):
    root, *_ = hourly_run
    rows = query(
        root / "warehouse.duckdb",
        "SELECT zone, status, matched_kwh FROM hourly.matching "
        "WHERE hour_utc = TIMESTAMP '2025-06-02 12:00' AND zone IN ('Z-IE', 'Z-NOWHERE') ORDER BY 1",
    )
    assert [(zone, status) for zone, status, _ in rows] == [("Z-IE", "surplus"), ("Z-NOWHERE", "outside_boundary")]
    dublin_hour_kwh = query(
        root / "warehouse.duckdb",
        "SELECT consumption_kwh FROM hourly.matching WHERE zone = 'Z-IE' AND hour_utc = TIMESTAMP '2025-06-02 12:00'",
    )[0][0]
    assert rows[0][2] == pytest.approx(dublin_hour_kwh)  # an office's hour is far below 1 MWh: all of it matched
    cfe = query(
        root / "warehouse.duckdb",
        "SELECT cfe_score FROM marts.hourly_market_scope2 WHERE zone = 'Z-IE' AND period_month = '2025-06-01'",
    )[0][0]
    assert 0 < cfe < 0.01  # one hour of 720 covered, surplus not carried over


def test_the_annual_warehouse_and_serving_file_are_unchanged(hourly_run, tmp_path):
    root, *_ = hourly_run
    golden = json.loads(GOLDEN.read_text())
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(root / "warehouse.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        assert (
            con.execute("SELECT count(*) FROM factors.catalogue_files WHERE origin LIKE 'hourly:%'").fetchone()[0] == 8
        )
        con.execute("DELETE FROM factors.catalogue_files WHERE origin LIKE 'hourly:%'")
        con.execute("DROP VIEW marts.hourly_intensity; DROP VIEW marts.hourly_intensity_by_hour_of_day")
        con.execute("DROP TABLE marts.hourly_vs_annual; DROP TABLE marts.hourly_market_scope2")
        con.execute("DROP SCHEMA hourly CASCADE")
    finally:
        con.close()
    actual = fingerprint(warehouse, root)
    assert sorted(actual) == sorted(golden["warehouse"])
    assert [name for name in golden["warehouse"] if actual[name] != golden["warehouse"][name]] == []
    serving = tmp_path / "serving.duckdb"
    shutil.copy(root / "serving.duckdb", serving)
    con = duckdb.connect(str(serving))
    try:
        for table in HOURLY_TABLES:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
            con.execute(f"DROP TABLE {table}")
    finally:
        con.close()
    actual = fingerprint(serving, root)
    assert sorted(actual) == sorted(golden["serving"])
    assert [name for name in golden["serving"] if actual[name] != golden["serving"][name]] == []


def test_the_report_and_the_asset_show_when_use_was_dirtiest_labelled_synthetic(hourly_run):
    root, _, (month, metadata), _ = hourly_run
    page = (root / "reports" / "inventory_2025.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="hourly">') :]
    section = section[: section.index("</section>")]
    assert 'aria-label="hourly-intensity"' in section
    assert "SYNTHETIC hourly grid profile" in section
    assert "Office Dublin" in section and "aws:eu-north-1" in section
    chart = metadata["intensity_by_hour_of_day"]
    # each month's chart is that month's (a backfill's charts are drawn in two halves, one in the helper process)
    assert chart.value.startswith(f"![kg CO2e per kWh by UTC hour of day, {month[:7]}]")
    assert "data:image/png;base64," in chart.value
    assert "dirtiest_hour_of_day" in metadata
