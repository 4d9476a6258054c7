"""Readers: manifest-driven, full fidelity for what they read, and loud about what they cannot use."""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from carbon_pipeline.errors import SourceError
from carbon_pipeline.factors.catalogue import load_catalogue
from carbon_pipeline.sources.activity_csv import reader as activity_csv
from carbon_pipeline.sources.aws_carbon import reader as aws_carbon
from carbon_pipeline.sources.aws_cur import reader as aws_cur
from carbon_pipeline.sources.landing import LocalLanding
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.sources.tabular import athena_name
from carbon_pipeline.warehouse.connection import open_warehouse, transaction
from carbon_pipeline_tests.sources import months_together


@pytest.fixture
def con(tmp_path):
    connection = open_warehouse(tmp_path / "w.duckdb")
    load_catalogue(connection)
    yield connection
    connection.close()


def source(deployment, source_id):
    return next(s for s in load_sources_file(deployment.settings.sources_file).sources if s.id == source_id)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("lineItem/UsageAccountId", "line_item_usage_account_id"),
        ("savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_a_r_n"),
        ("resourceTags/user:Project", "resource_tags_user_project"),
        ("product/vcpu", "product_vcpu"),
    ],
)
def test_csv_headers_map_to_the_athena_names(header, name):
    assert athena_name(header) == name


def test_cur_reads_only_the_objects_the_period_manifest_names(fresh, con):
    cur = source(fresh, "demo-cur")
    landing = LocalLanding(cur.id, Path(cur.uri))
    delivery = aws_cur.discover_delivery(landing, cur, date(2025, 6, 1))
    assert len(delivery.object_keys) == 1 and delivery.assembly_id in delivery.object_keys[0]
    assert [a for a, _ in delivery.superseded] != [delivery.assembly_id] and len(delivery.superseded) == 1
    # a stray file in the current assembly folder is not a delivery: never globbed
    folder = Path(cur.uri) / "20250601-20250701" / delivery.assembly_id
    (folder / "demo-cur-2.csv.gz").write_bytes((folder / "demo-cur-1.csv.gz").read_bytes())
    with transaction(con):
        summary = aws_cur.load_month(con, landing, cur, date(2025, 6, 1))
    rows = gzip.decompress((folder / "demo-cur-1.csv.gz").read_bytes()).decode().count("\n") - 1
    assert summary.rows == rows


def test_cur_manifest_that_is_not_json_is_a_clear_error(fresh, con):
    cur = source(fresh, "demo-cur")
    (Path(cur.uri) / "20240201-20240301" / "demo-cur-Manifest.json").write_text("{not json")
    with pytest.raises(SourceError, match=r"source 'demo-cur', object '20240201-20240301/demo-cur-Manifest.json'"):
        aws_cur.load_month(con, LocalLanding(cur.id, Path(cur.uri)), cur, date(2024, 2, 1))


def test_cur_manifest_listing_a_missing_object_is_a_clear_error(fresh, con):
    cur = source(fresh, "demo-cur")
    manifest_path = Path(cur.uri) / "20240201-20240301" / "demo-cur-Manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["reportKeys"].append(manifest["reportKeys"][0].replace("-1.csv.gz", "-2.csv.gz"))
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(SourceError, match="object listed by the manifest does not exist"):
        aws_cur.load_month(con, LocalLanding(cur.id, Path(cur.uri)), cur, date(2024, 2, 1))


def test_cur_object_without_a_required_column_names_it(fresh, con):
    cur = source(fresh, "demo-cur")
    landing = LocalLanding(cur.id, Path(cur.uri))
    delivery = aws_cur.discover_delivery(landing, cur, date(2024, 2, 1))
    path = landing.local_path(delivery.object_keys[0])
    text = gzip.decompress(path.read_bytes()).decode().replace("lineItem/UnblendedCost", "lineItem/Cost", 1)
    path.write_bytes(gzip.compress(text.encode()))
    with pytest.raises(SourceError, match=r"row 1, column 'lineItem/UnblendedCost': required column missing"):
        aws_cur.load_month(con, landing, cur, date(2024, 2, 1))


def test_cur_rows_outside_the_billing_period_are_kept_and_flagged(fresh, con):
    cur = source(fresh, "demo-cur")
    landing = LocalLanding(cur.id, Path(cur.uri))
    path = landing.local_path(aws_cur.discover_delivery(landing, cur, date(2024, 2, 1)).object_keys[0])
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    lines[1] = lines[1].replace("2024-02-01T00:00:00Z", "2024-01-31T00:00:00Z")
    path.write_bytes(gzip.compress("".join(lines).encode()))
    with transaction(con):
        aws_cur.load_month(con, landing, cur, date(2024, 2, 1))
    flagged = con.execute("SELECT object_line, flag FROM raw.aws_cur_line_items WHERE flag IS NOT NULL").fetchall()
    assert flagged == [(2, "usage_outside_billing_period")]


def test_carbon_export_loads_every_model_version_of_an_overlap_month(fresh, con):
    carbon = source(fresh, "demo-carbon")
    with transaction(con):
        summary = aws_carbon.load_month(con, LocalLanding(carbon.id, Path(carbon.uri)), carbon, date(2025, 2, 1))
    assert summary.model_versions == ("v1", "v2.0.0")
    ranks = dict(
        con.execute("SELECT DISTINCT model_version, model_version_rank FROM raw.aws_carbon_emissions").fetchall()
    )
    assert ranks["v1"] < ranks["v2.0.0"]
    assert aws_carbon.model_version_rank("v10.0.0") > aws_carbon.model_version_rank("v2.0.0")


def test_carbon_export_in_another_unit_is_refused(fresh, con):
    carbon = source(fresh, "demo-carbon")
    path = Path(carbon.uri) / "data" / "model_version=v2.0.0" / "usage_period=2025-04" / "demo-carbon-00001.csv.gz"
    text = gzip.decompress(path.read_bytes()).decode()
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace("MTCO2e", "kgCO2e", 1)
    path.write_bytes(gzip.compress("".join(lines).encode()))
    with pytest.raises(SourceError, match=r"row 3, column 'total_lbm_emissions_unit': value 'kgCO2e'"):
        aws_carbon.load_month(con, LocalLanding(carbon.id, Path(carbon.uri)), carbon, date(2025, 4, 1))


def test_activity_row_with_a_non_numeric_quantity_is_refused_with_its_row(fresh, con):
    fuel = source(fresh, "demo-fleet-fuel")
    path = Path(fuel.uri) / "fleet_fuel_2024.csv"
    lines = path.read_text().splitlines(keepends=True)
    parts = lines[4].split(",")
    parts[4] = "twelve"
    lines[4] = ",".join(parts)
    path.write_text("".join(lines))
    with pytest.raises(
        SourceError, match=r"source 'demo-fleet-fuel', object 'fleet_fuel_2024.csv', row 5, column 'quantity'"
    ):
        activity_csv.load_month(con, LocalLanding(fuel.id, Path(fuel.uri)), fuel, date(2024, 1, 1))


def test_an_activity_sources_months_read_together_are_its_months_read_one_by_one(fresh, tmp_path):
    """A run reads an activity source's months at once (load_months, docs/performance.md, Profile 27): the raw
    rows (in the same order), the deliveries, the summaries and, once a file has changed, the restatements are
    those of reading the months one by one. A third file adds rows to a month the yearly files also cover."""
    fuel = source(fresh, "demo-fleet-fuel")
    folder = Path(fuel.uri)
    header = (folder / "fleet_fuel_2024.csv").read_text().splitlines()[0]
    row = dict.fromkeys(header.split(","), "")
    row.update({"date": "2024-12-30", "vehicle": "VAN-9", "fuel": "diesel", "vehicle_class": "light_truck"})
    row.update({"quantity": "40", "unit": "gal_us"})
    (folder / "late_statement.csv").write_text(header + "\n" + ",".join(row.values()) + "\n")
    landing = LocalLanding(fuel.id, folder)
    months = [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)]

    results = {}
    for together in (False, True):
        (folder / "late_statement.csv").write_text(header + "\n" + ",".join(row.values()) + "\n")
        con = open_warehouse(tmp_path / f"{together}.duckdb")
        try:
            first = months_together.load(activity_csv, con, landing, fuel, months, together=together)
            (folder / "late_statement.csv").write_text(header + "\n" + ",".join(row.values()).replace(",40,", ",45,"))
            second = months_together.load(activity_csv, con, landing, fuel, months, together=together)
            results[together] = (
                first,
                second,
                *months_together.table_rows(
                    con, ("raw.activity_rows", "raw.deliveries", "audit.restatements"), ordered=True
                ),
            )
        finally:
            con.close()
    assert results[True] == results[False]
    first, second, rows, deliveries, restatements = results[True]
    assert [s.rows for s in first] == [s.rows for s in second] and first[1].rows == first[0].rows + 1
    assert [s.restated for s in second] == [False, True, False] and len(restatements) == 1
    assert sum(d[2] == date(2024, 12, 1) for d in deliveries) == 2  # the month's two files, a delivery each
    # stored by month, then file (as listed), then line: the order the month-by-month load wrote them in before
    files = [key for key, _ in activity_csv.distinct_files(landing, fuel)]
    placed = [(r[2], files.index(r[3]), r[5]) for r in rows]
    late = (date(2024, 12, 1), files.index("late_statement.csv"))
    assert placed == sorted(placed) and late in {p[:2] for p in placed}


def test_activity_row_with_an_unknown_unit_is_kept_and_flagged_in_the_ledger(fresh):
    fuel = source(fresh, "demo-fleet-fuel")
    path = Path(fuel.uri) / "fleet_fuel_2024.csv"
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(",gal_us,", ",barrel,")
    path.write_text("".join(lines))
    # only the stages under test: the factor catalogue, the activity files, the ledger and the emissions
    stages = ["factors/emission_factors", "raw/activity_rows", "ledger/activity", "emissions/activity_emissions"]
    result = fresh.materialize(stages, date(2024, 1, 1), date(2024, 1, 1))
    assert result.success
    assert fresh.query("SELECT unit, flag FROM ledger.activity WHERE flag = 'unknown_unit'") == [
        ("barrel", "unknown_unit")
    ]
    assert fresh.query(
        "SELECT COUNT(*) FROM emissions.activity_emissions WHERE flag = 'unknown_unit' AND tco2e IS NULL"
    ) == [(2,)]


def test_a_plain_carbon_export_object_is_read_without_the_dialect_sniffer_to_the_same_rows(
    demo_files, monkeypatch, tmp_path
):
    """What AWS writes (comma, double quotes, every required column named once) is read with the header as read:
    DuckDB's sniffer costs about 12 ms per small object (docs/performance.md, Profile 29). The rows are the
    sniffing path's; an object that is not plain (another delimiter) still takes the sniffing path."""
    import duckdb

    from carbon_pipeline.sources import tabular

    objects = sorted((demo_files / "landing" / "carbon-exports").rglob("*.csv.gz"))
    assert objects, "the demo has carbon export objects"
    headers: list = []
    real = tabular.read_delimited
    monkeypatch.setattr(aws_carbon, "read_delimited", lambda *a, **k: headers.append(k["header"]) or real(*a, **k))
    con = duckdb.connect()
    shape = {"normalise": str.strip, "required": aws_carbon.REQUIRED_COLUMNS, "optional": aws_carbon.OPTIONAL_COLUMNS}
    for path in objects:
        fast = aws_carbon.read_object(con, path, source_id="s", object_key=path.name)
        sniffed = real(con, path, source_id="s", object_key=path.name, **shape)
        assert fast.columns == sniffed.columns
        assert fast.order("object_line").fetchall() == sniffed.order("object_line").fetchall()
    assert len(headers) == len(objects) and all(headers)
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text(gzip.decompress(objects[0].read_bytes()).decode().replace(",", ";"))
    rows = aws_carbon.read_object(con, semicolons, source_id="s", object_key=semicolons.name).fetchall()
    assert headers[-1] is None  # not plain: sniffed
    assert len(rows) == len(real(con, objects[0], source_id="s", object_key="o", **shape).fetchall()) > 0
