"""Published periods are immutable snapshots; when a published month's figures change, the restatement
log and its bridge say by how much and why (method change, activity, factor, provider revision), with
parts that add up to each delta. Every scenario is a real run of the inventory job on its own
deployment, with the landing zone changed the way a provider or a data owner would change it."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from carbon_pipeline.cli import main as cli_main
from carbon_pipeline.publishing import PublishError, publish_period, snapshot_problems
from carbon_pipeline.publishing import snapshots as snapshots_module
from carbon_pipeline.runner import failure_messages
from carbon_pipeline.sources.sources_file import load_sources_file
from carbon_pipeline.warehouse import connection
from carbon_pipeline.warehouse.connection import warehouse_connection
from carbon_pipeline_tests.conftest import Deployment, copy_deployment, make_deployment, table_checksum

Q1_2025 = (date(2025, 1, 1), date(2025, 3, 1))
PUBLISHED_TABLES = ("published.snapshots", "published.figures", "published.scope_summary")
PARTS = (
    "method_effect + activity_effect + factor_effect + provider_revision_effect + added_removed_effect"
    " + unattributed_effect"
)


@pytest.fixture(scope="module")
def q1_built(tmp_path_factory: pytest.TempPathFactory, demo_files: Path) -> Deployment:
    """The demo with only 2025-01..2025-03 materialized, once for the module; tests change copies."""
    deployment = make_deployment(tmp_path_factory.mktemp("q1-built"), demo_files)
    run_ok(deployment, *Q1_2025)
    return deployment


@pytest.fixture
def q1(q1_built: Deployment, tmp_path: Path) -> Deployment:
    """A copy of the Q1 2025 deployment, as a run of Q1 on a fresh deployment leaves it."""
    return copy_deployment(q1_built, tmp_path / "q1")


def published_checksums(deployment) -> dict[str, str]:
    return {t: table_checksum(deployment.settings.warehouse, t) for t in PUBLISHED_TABLES}


def publish(deployment, monkeypatch, first: str, last: str, *extra: str) -> int:
    """`carbon-pipeline publish` against the deployment's own files."""
    monkeypatch.setenv("CARBON_SOURCES", str(deployment.settings.sources_file))
    monkeypatch.setenv("CARBON_WAREHOUSE", str(deployment.settings.warehouse))
    monkeypatch.setenv("CARBON_SERVING", str(deployment.settings.serving))
    return cli_main(["publish", "--from", first, "--to", last, *extra])


def run_ok(deployment, first: date, last: date):
    result = deployment.run(first, last)
    assert result.success, failure_messages(result)
    assert failure_messages(result) == []
    return result


def land_carbon_model(landing: Path, months: list[str], version: str, scale: float) -> None:
    """A new carbon model version for months already delivered, laid out as AWS delivers it: the v2.0.0
    export's data and manifest copied under model_version=<version>, every figure scaled."""
    export = landing / "carbon-exports" / "demo-carbon"
    for month in months:
        old_data = export / "data" / "model_version=v2.0.0" / f"usage_period={month}"
        new_data = export / "data" / f"model_version={version}" / f"usage_period={month}"
        new_data.mkdir(parents=True)
        for data_file in old_data.iterdir():
            reader = csv.DictReader(io.StringIO(gzip.decompress(data_file.read_bytes()).decode()))
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
            writer.writeheader()
            for row in reader:
                row["model_version"] = version
                for column, value in row.items():
                    if column.startswith("total_scope_") and column.endswith("_value") and value:
                        row[column] = f"{float(value) * scale:.6f}"
                # totals stay the sum of the scopes, as AWS delivers them
                for method in ("lbm", "mbm"):
                    scopes = ("total_scope_1", f"total_scope_2_{method}", f"total_scope_3_{method}")
                    parts = [float(row[f"{c}_emissions_value"] or 0) for c in scopes]
                    row[f"total_{method}_emissions_value"] = f"{sum(parts):.6f}"
                writer.writerow(row)
            (new_data / data_file.name).write_bytes(gzip.compress(out.getvalue().encode()))
        old_meta = export / "metadata" / "model_version=v2.0.0" / f"usage_period={month}"
        new_meta = export / "metadata" / f"model_version={version}" / f"usage_period={month}"
        new_meta.mkdir(parents=True)
        for manifest_file in old_meta.iterdir():
            manifest = json.loads(manifest_file.read_text())
            manifest["dataFiles"] = [
                u.replace("model_version=v2.0.0", f"model_version={version}") for u in manifest["dataFiles"]
            ]
            manifest["executionId"] = f"{version}-{month}-execution"
            (new_meta / manifest_file.name).write_text(json.dumps(manifest))


def redeliver_cur(landing: Path, period: str, scale: float) -> None:
    """A restated CUR for a month: a new assembly with every usage amount and cost scaled."""
    report = landing / "cur-reports" / "demo-cur" / period
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    old_assembly, new_assembly = manifest["assemblyId"], "99999999-8888-7777-6666-555555555555"
    shutil.copytree(report / old_assembly, report / new_assembly)
    for data_file in (report / new_assembly).glob("*.csv.gz"):
        reader = csv.DictReader(io.StringIO(gzip.decompress(data_file.read_bytes()).decode()))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            for column in ("lineItem/UsageAmount", "lineItem/UnblendedCost"):
                if row[column]:
                    row[column] = repr(float(row[column]) * scale)
            writer.writerow(row)
        data_file.write_bytes(gzip.compress(out.getvalue().encode()))
    manifest["assemblyId"] = new_assembly
    manifest["reportKeys"] = [k.replace(old_assembly, new_assembly) for k in manifest["reportKeys"]]
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))


def assert_parts_add_up(deployment) -> None:
    for table in ("audit.restatement_bridge", "audit.restatement_log"):
        assert deployment.query(f"SELECT COUNT(*) FROM {table} WHERE abs(delta_tco2e - ({PARTS})) > 1e-9") == [(0,)]
    # and the log's delta is the inventory now minus the inventory as published, line by line
    mismatched = deployment.query(
        """SELECT l.period_month, l.method, l.basis FROM audit.restatement_log AS l
           LEFT JOIN marts.scope_summary AS m USING (period_month, scope, method, basis)
           LEFT JOIN published.scope_summary AS p
               ON p.snapshot_id = l.snapshot_id AND p.period_month = l.period_month AND p.scope = l.scope
               AND p.method = l.method AND p.basis = l.basis
           WHERE abs(COALESCE(m.tco2e, 0) - COALESCE(p.tco2e, 0) - l.delta_tco2e) > 1e-12"""
    )
    assert mismatched == []


def test_a_new_carbon_model_for_published_months_is_a_method_change_and_the_snapshot_stays(q1, monkeypatch):
    fresh = q1  # Q1 2025 materialized
    reported_before = dict(
        fresh.query(
            """SELECT period_month || '/' || method, tco2e FROM marts.scope_summary
               WHERE basis = 'reported' ORDER BY ALL"""
        )
    )
    assert publish(fresh, monkeypatch, "2025-01", "2025-03", "--note", "FY2025 Q1 disclosure") == 0
    ((snapshot_id, note, current),) = fresh.query("SELECT snapshot_id, note, is_current FROM published.snapshot_log")
    assert (snapshot_id, note, current) == ("2025-01..2025-03.v1", "FY2025 Q1 disclosure", True)
    published = published_checksums(fresh)
    assert fresh.query("SELECT COUNT(*) FROM audit.restatement_log") == [(0,)]

    land_carbon_model(fresh.landing, ["2025-01", "2025-02", "2025-03"], "v3.0.0", scale=1.1)
    result = run_ok(fresh, *Q1_2025)

    # the inventory now counts v3 ...
    assert fresh.query("SELECT DISTINCT model_version FROM ledger.provider_emissions WHERE is_selected ORDER BY 1") == [
        ("v3.0.0",)
    ]
    reported_after = dict(
        fresh.query(
            """SELECT period_month || '/' || method, tco2e FROM marts.scope_summary
               WHERE basis = 'reported' ORDER BY ALL"""
        )
    )
    assert reported_after.keys() == reported_before.keys() and len(reported_after) == 6
    for key, before in reported_before.items():
        assert reported_after[key] == pytest.approx(before * 1.1, rel=1e-4)  # values rounded to 6 decimals
    # ... the snapshot is byte-for-byte what was published, and the immutability check says so ...
    assert published_checksums(fresh) == published
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["published_snapshots_unchanged"] is True
    assert checks["restatement_bridge_reconciles"] is True
    # ... and the log explains the whole change as a method change, with exact totals
    log = fresh.query(
        """SELECT period_month || '/' || method, published_tco2e, current_tco2e, delta_tco2e, method_effect,
                  activity_effect, factor_effect, provider_revision_effect, added_removed_effect, cause
           FROM audit.restatement_log ORDER BY ALL"""
    )
    assert [row[0] for row in log] == sorted(reported_before)
    for key, was, now, delta, method, activity, factor, revision, added, cause in log:
        assert was == reported_before[key] and now == reported_after[key]
        assert delta == now - was
        assert method == pytest.approx(delta, abs=1e-12) and activity == factor == revision == added == 0
        assert cause.startswith("method change [reported; model_version=v2.0.0 -> reported; model_version=v3.0.0")
    kinds = fresh.query("SELECT DISTINCT change_kind, grain_kind FROM audit.restatement_bridge")
    assert kinds == [("method_change", "cloud_reported")]
    assert_parts_add_up(fresh)

    # the serving file shows both: the published figures (current snapshot) and the bridge
    served = fresh.query(
        """SELECT SUM(tco2e) FROM bi.published_scope_summary WHERE is_current AND basis = 'reported'""",
        serving=True,
    )[0][0]
    assert served == pytest.approx(sum(reported_before.values()), abs=1e-12)
    bridge_delta = fresh.query("SELECT SUM(delta_tco2e) FROM bi.restatement_bridge", serving=True)[0][0]
    assert bridge_delta == pytest.approx(sum(reported_after.values()) - sum(reported_before.values()), abs=1e-9)

    # and the year's HTML report lists the snapshot and the restatement with its cause
    html = (fresh.settings.reports / "inventory_2025.html").read_text(encoding="utf-8")
    assert "2025-01..2025-03.v1" in html and "FY2025 Q1 disclosure" in html
    assert html.count("method change [reported; model_version=v2.0.0 -&gt; reported; model_version=v3.0.0") == 6

    # re-running with nothing changed leaves the log and bridge identical
    log_before = {
        t: table_checksum(fresh.settings.warehouse, t) for t in ("audit.restatement_log", "audit.restatement_bridge")
    }
    run_ok(fresh, *Q1_2025)
    assert {t: table_checksum(fresh.settings.warehouse, t) for t in log_before} == log_before
    assert published_checksums(fresh) == published


def test_a_redelivered_usage_estimated_cur_month_is_an_activity_effect(fresh, monkeypatch):
    # 2024: AWS's v1 model reports market-based only, so the location-based cloud figure is the usage estimate
    run_ok(fresh, date(2024, 2, 1), date(2024, 2, 1))
    assert publish(fresh, monkeypatch, "2024-02", "2024-02") == 0
    before = fresh.query(
        """SELECT tco2e FROM marts.scope_summary WHERE period_month = DATE '2024-02-01' AND method = 'location'
           AND basis = 'estimated_usage'"""
    )[0][0]

    redeliver_cur(fresh.landing, "20240201-20240301", scale=1.25)
    run_ok(fresh, date(2024, 2, 1), date(2024, 2, 1))

    ((published, current, delta, method, activity, factor, cause),) = fresh.query(
        """SELECT published_tco2e, current_tco2e, delta_tco2e, method_effect, activity_effect, factor_effect, cause
           FROM audit.restatement_log WHERE basis = 'estimated_usage'"""
    )
    assert published == before and current == pytest.approx(before * 1.25, rel=1e-9)
    assert method == 0 and activity == pytest.approx(delta, rel=1e-9) and abs(factor) < 1e-9
    assert cause.startswith("activity")
    lines = fresh.query(
        """SELECT change_kind, published_quantity, current_quantity, published_factor, activity_effect, factor_effect,
                  delta_tco2e FROM audit.restatement_bridge WHERE basis = 'estimated_usage'"""
    )
    assert lines and {line[0] for line in lines} == {"activity_factor"}
    for _, a0, a1, f0, activity_effect, factor_effect, line_delta in lines:
        assert a1 == pytest.approx(a0 * 1.25, rel=1e-9)
        assert activity_effect == pytest.approx((a1 - a0) * f0, rel=1e-12, abs=1e-15)
        assert activity_effect + factor_effect == pytest.approx(line_delta, abs=1e-12)
    # the market-based cloud figure is AWS's report, which did not change: not restated
    assert fresh.query("SELECT COUNT(*) FROM audit.restatement_log WHERE basis = 'reported'") == [(0,)]
    assert_parts_add_up(fresh)


def test_a_corrected_supplier_factor_is_a_factor_effect(q1, monkeypatch):
    fresh = q1  # Q1 2025 materialized
    assert publish(fresh, monkeypatch, "2025-01", "2025-03") == 0
    electricity = fresh.landing / "activity" / "electricity" / "electricity_2025.csv"
    text = electricity.read_text()
    kwh = {
        f"{row['month']}-01": float(row["kwh"])
        for row in csv.DictReader(io.StringIO(text))
        if row["site"] == "Office Dublin" and row["month"] <= "2025-03"
    }
    corrected = (
        "\n".join(
            line.replace(",0.254,", ",0.262,")
            if line.startswith(("2025-01,Office Dublin", "2025-02,Office Dublin", "2025-03,Office Dublin"))
            else line
            for line in text.splitlines()
        )
        + "\n"
    )
    assert corrected.count(",0.262,") == 3
    electricity.write_text(corrected)
    run_ok(fresh, *Q1_2025)

    lines = fresh.query(
        """SELECT CAST(period_month AS VARCHAR), change_kind, published_quantity, current_quantity, published_factor,
                  current_factor, activity_effect, factor_effect, delta_tco2e
           FROM audit.restatement_bridge ORDER BY ALL"""
    )
    assert [line[0] for line in lines] == sorted(kwh)
    for month, kind, a0, a1, f0, f1, activity, factor, delta in lines:
        assert kind == "activity_factor"
        assert a0 == a1 == kwh[month]
        assert f0 == pytest.approx(0.254 / 1000, rel=1e-12) and f1 == pytest.approx(0.262 / 1000, rel=1e-12)
        assert activity == 0
        assert factor == delta == pytest.approx(kwh[month] * (0.262 - 0.254) / 1000, rel=1e-9)
    log = fresh.query("SELECT DISTINCT scope, method, basis, cause FROM audit.restatement_log")
    assert log == [(2, "market", "activity", "factor")]
    assert_parts_add_up(fresh)


def test_published_snapshots_are_immutable_versioned_and_untouched_by_failed_runs(q1, monkeypatch):
    fresh = q1  # Q1 2025 materialized
    assert publish(fresh, monkeypatch, "2025-01", "2025-03") == 0
    published = published_checksums(fresh)

    # publishing months again needs an explicit flag, and makes a new current version
    assert publish(fresh, monkeypatch, "2025-03", "2025-03") == 2
    settings = load_sources_file(fresh.settings.sources_file).settings
    with warehouse_connection(fresh.settings.warehouse) as con, pytest.raises(PublishError, match="already published"):
        publish_period(con, date(2025, 2, 1), date(2025, 2, 1), settings)
    # months never built cannot be published
    with warehouse_connection(fresh.settings.warehouse) as con, pytest.raises(PublishError, match="2025-05"):
        publish_period(con, date(2025, 4, 1), date(2025, 5, 1), settings)
    # a publication that fails half-way writes nothing
    monkeypatch.setattr(snapshots_module, "stage_model", _fail_on_hashes(snapshots_module.stage_model))
    with warehouse_connection(fresh.settings.warehouse) as con, pytest.raises(RuntimeError, match="injected"):
        publish_period(con, date(2025, 3, 1), date(2025, 3, 1), settings, republish=True)
    monkeypatch.undo()
    assert published_checksums(fresh) == published

    assert publish(fresh, monkeypatch, "2025-03", "2025-03", "--republish", "--note", "corrected") == 0
    log = fresh.query("SELECT snapshot_id, version, supersedes, is_current FROM published.snapshot_log ORDER BY 1")
    assert log == [("2025-01..2025-03.v1", 1, None, True), ("2025-03..2025-03.v2", 2, "2025-01..2025-03.v1", True)]
    assert fresh.query(
        "SELECT CAST(period_month AS VARCHAR), snapshot_id FROM published.current_months ORDER BY 1"
    ) == [
        ("2025-01-01", "2025-01..2025-03.v1"),
        ("2025-02-01", "2025-01..2025-03.v1"),
        ("2025-03-01", "2025-03..2025-03.v2"),
    ]
    # the first snapshot's rows are all still there, unchanged
    assert fresh.query(
        "SELECT COUNT(*) FROM published.scope_summary WHERE snapshot_id = '2025-01..2025-03.v1'"
    ) == fresh.query("SELECT COUNT(*) FROM marts.scope_summary")
    published = published_checksums(fresh)

    # a run that fails leaves the published tables as they were
    original = connection.insert_model

    def fail(con, table, model, **params):
        if model == "ledger/activity_own_operations":
            raise RuntimeError("injected failure in the ledger")
        return original(con, table, model, **params)

    monkeypatch.setattr(connection, "insert_model", fail)
    failed = fresh.run(*Q1_2025)
    assert not failed.success
    monkeypatch.undo()
    assert published_checksums(fresh) == published

    # tampering with one published figure fails the blocking check, which names the snapshot
    con = duckdb.connect(str(fresh.settings.warehouse))
    con.execute(
        """UPDATE published.figures SET tco2e = tco2e * 1.000001
           WHERE snapshot_id = '2025-01..2025-03.v1' AND rowid = (SELECT MIN(rowid) FROM published.figures)"""
    )
    con.close()
    serving_before = table_checksum(fresh.settings.serving, "published.figures")
    tampered = fresh.run(*Q1_2025)
    assert "check published_snapshots_unchanged on audit/restatement_log failed" in failure_messages(tampered)
    with warehouse_connection(fresh.settings.warehouse) as con:
        assert snapshot_problems(con) == [
            ("2025-01..2025-03.v1", "published.figures changed", *_hashes(con, "2025-01..2025-03.v1"))
        ]
    # the blocking check kept the tampered figures out of the serving file
    assert table_checksum(fresh.settings.serving, "published.figures") == serving_before


def _fail_on_hashes(stage_model):
    def staged(con, temp_table, name, **params):
        if name == "publishing/snapshot_hashes":
            raise RuntimeError("injected failure after the rows were inserted")
        return stage_model(con, temp_table, name, **params)

    return staged


def _hashes(con, snapshot_id: str) -> tuple[str, str]:
    expected = con.execute(
        "SELECT figures_sha256 FROM published.snapshots WHERE snapshot_id = ?", [snapshot_id]
    ).fetchall()[0][0]
    found = con.execute(
        "SELECT figures_sha256 FROM recomputed_snapshot_hashes WHERE snapshot_id = ?", [snapshot_id]
    ).fetchall()[0][0]
    return expected, found
