"""Re-syncing changes nothing; a failure mid-write leaves the previous data; redeliveries replace
their month and are recorded as restatements."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import date

import pytest

from carbon_pipeline.runner import failure_messages
from carbon_pipeline.warehouse import connection
from carbon_pipeline_tests.conftest import table_checksum
from carbon_pipeline_tests.independent import cur_rows

TABLES = (
    "raw.aws_cur_line_items",
    "raw.aws_carbon_emissions",
    "raw.activity_rows",
    "raw.deliveries",
    "ledger.activity",
    "ledger.provider_emissions",
    "emissions.activity_emissions",
    "marts.scope_summary",
    "marts.cloud_emissions",
    "marts.cloud_reconciliation",
    "audit.restatements",
)


def checksums(deployment) -> dict[str, str]:
    return {table: table_checksum(deployment.settings.warehouse, table) for table in TABLES}


def test_rerunning_partitions_any_number_of_times_leaves_identical_tables(built_copy):
    before = checksums(built_copy)  # as the full run of the demo left them
    serving_before = table_checksum(built_copy.settings.serving, "marts.scope_summary")
    for first, last in ((date(2025, 5, 1), date(2025, 7, 1)), (date(2024, 1, 1), date(2025, 12, 1))):
        result = built_copy.run(first, last)
        assert result.success, failure_messages(result)
        assert checksums(built_copy) == before
    assert table_checksum(built_copy.settings.serving, "marts.scope_summary") == serving_before


def test_the_twice_delivered_month_counts_once_from_the_newer_delivery(built):
    newer = cur_rows(built.landing, date(2025, 6, 1))
    from decimal import Decimal

    newer_cost = sum(Decimal(r["lineItem/UnblendedCost"]) for r in newer)
    ((ledger_cost, line_items),) = built.query(
        "SELECT SUM(cost), SUM(line_item_count) FROM ledger.activity WHERE period_month = DATE '2025-06-01' "
        "AND source_kind = 'aws_cur'"
    )
    assert ledger_cost == newer_cost
    assert line_items == len(newer)
    deliveries = built.query(
        "SELECT status, COUNT(*) FROM raw.deliveries WHERE source_id = 'demo-cur' AND period_month = DATE '2025-06-01' "
        "GROUP BY ALL ORDER BY ALL"
    )
    assert deliveries == [("loaded", 1), ("superseded", 1)]
    assert built.query(
        "SELECT COUNT(*) FROM ledger.activity WHERE period_month = DATE '2025-06-01' AND line_item_type = 'Refund'"
    ) == [(1,)]


def test_a_new_delivery_for_a_loaded_month_replaces_it_and_is_recorded_as_a_restatement(built_copy):
    fresh = built_copy  # May 2025 loaded, as every month of the demo
    assert fresh.query("SELECT COUNT(*) FROM audit.restatements") == [(0,)]
    report = fresh.landing / "cur-reports" / "demo-cur" / "20250501-20250601"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    old_assembly = manifest["assemblyId"]
    new_assembly = "11111111-2222-3333-4444-555555555555"
    shutil.copytree(report / old_assembly, report / new_assembly)
    data = report / new_assembly / "demo-cur-1.csv.gz"
    lines = gzip.decompress(data.read_bytes()).decode().splitlines(keepends=True)
    data.write_bytes(gzip.compress("".join(lines[:-5]).encode()))  # five rows fewer in the restated file
    manifest["assemblyId"] = new_assembly
    manifest["reportKeys"] = [k.replace(old_assembly, new_assembly) for k in manifest["reportKeys"]]
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))

    assert fresh.run(date(2025, 5, 1), date(2025, 5, 1)).success
    assert fresh.query("SELECT COUNT(*) FROM raw.aws_cur_line_items WHERE period_month = DATE '2025-05-01'") == [
        (len(lines) - 1 - 5,)
    ]
    restatements = fresh.query(
        "SELECT source_id, period_month, previous_identity, new_identity FROM audit.restatements"
    )
    assert restatements == [("demo-cur", date(2025, 5, 1), old_assembly, new_assembly)]


def test_a_failure_in_the_middle_of_a_partition_write_leaves_the_previous_data(built_copy, monkeypatch):
    fresh = built_copy  # every month built
    before = checksums(fresh)
    original = connection.insert_model
    calls = {"n": 0}

    def fail_after_the_delete(con, table, model, **params):
        # replace_months has already deleted the months in this transaction when the second model runs
        calls["n"] += 1
        if model == "ledger/activity_own_operations":
            raise RuntimeError("injected failure after the cloud rows were written")
        return original(con, table, model, **params)

    monkeypatch.setattr(connection, "insert_model", fail_after_the_delete)
    result = fresh.run(date(2025, 3, 1), date(2025, 8, 1))
    assert not result.success
    assert any("injected failure" in m for m in failure_messages(result))
    assert calls["n"] >= 1
    assert checksums(fresh) == before


@pytest.mark.parametrize(
    ("line", "column", "bad"),
    [(7, "lineItem/UsageAmount", "12,5x"), (11, "lineItem/UsageStartDate", "yesterday")],
)
def test_bad_input_fails_naming_source_object_row_and_column_and_changes_nothing(built_copy, line, column, bad):
    fresh = built_copy  # March 2024 loaded, as every month of the demo
    before = checksums(fresh)
    report = fresh.landing / "cur-reports" / "demo-cur" / "20240301-20240401"
    assembly = json.loads((report / "demo-cur-Manifest.json").read_text())["assemblyId"]
    data = report / assembly / "demo-cur-1.csv.gz"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(gzip.decompress(data.read_bytes()).decode())))
    rows[line - 1][rows[0].index(column)] = bad
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data.write_bytes(gzip.compress(out.getvalue().encode()))

    result = fresh.run(date(2024, 3, 1), date(2024, 3, 1))
    assert not result.success
    message = " ".join(failure_messages(result))
    assert "source 'demo-cur'" in message
    assert f"{assembly}/demo-cur-1.csv.gz" in message
    assert f"row {line}" in message
    assert f"column '{column}'" in message
    assert repr(bad) in message
    assert checksums(fresh) == before


def _raw_metadata(result, key: str):
    import dagster as dg

    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.event_specific_data.materialization
            if materialization.asset_key.to_user_string() == "raw/aws_cur_line_items":
                return materialization.metadata[key].value
    raise AssertionError("no materialization of raw/aws_cur_line_items")


def test_an_unchanged_cur_delivery_is_skipped_on_resync_unless_a_reload_is_forced(built_copy):
    from carbon_pipeline.orchestration.partitions import FORCE_RELOAD_TAG
    from carbon_pipeline.runner import run_inventory

    fresh = built_copy  # February 2025 loaded by the full run, as every month of the demo
    month = date(2025, 2, 1)
    before = checksums(fresh)
    again = fresh.run(month, month)
    assert again.success and _raw_metadata(again, "skipped_unchanged") == ["demo-cur 2025-02-01"]
    assert checksums(fresh) == before
    forced = run_inventory(fresh.settings, month, month, tags={FORCE_RELOAD_TAG: "true"})
    assert forced.success and _raw_metadata(forced, "skipped_unchanged") == []
    assert checksums(fresh) == before


def _step_outcomes(result) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for event in result.all_events:
        if event.event_type_value in ("STEP_SUCCESS", "STEP_SKIPPED", "STEP_FAILURE"):
            outcomes[event.step_key] = event.event_type_value
    return outcomes


def test_the_cur_resync_job_on_an_unchanged_delivery_skips_everything_downstream_and_records_why(built_copy):
    from carbon_pipeline.orchestration.partitions import SOURCES_TAG
    from carbon_pipeline.runner import run_inventory

    fresh = built_copy  # February 2025 loaded, as every month of the demo
    month = date(2025, 2, 1)
    before = checksums(fresh)
    resync = run_inventory(fresh.settings, month, month, job_name="aws_cur_resync_job", tags={SOURCES_TAG: "demo-cur"})
    assert resync.success, failure_messages(resync)
    outcomes = _step_outcomes(resync)
    assert outcomes.pop("raw__aws_cur_line_items") == "STEP_SUCCESS"
    # the factor catalogue is part of every re-sync job (a first run on a new warehouse needs it)
    factor_steps = {key for key in outcomes if key.startswith("factors__")}
    assert factor_steps and {outcomes.pop(key) for key in factor_steps} == {"STEP_SUCCESS"}
    # the ledger, emissions, marts, serving, report and every check of them: skipped, not re-run
    assert "ledger__activity" in outcomes and set(outcomes.values()) == {"STEP_SKIPPED"}
    observed = [
        e.event_specific_data.asset_observation.metadata
        for e in resync.all_events
        if e.event_type_value == "ASSET_OBSERVATION"
    ]
    assert [m["skipped_unchanged"].value for m in observed] == [["demo-cur 2025-02-01"]]
    materialized = {e.asset_key.to_user_string() for e in resync.get_asset_materialization_events()}
    assert materialized == {"factors/emission_factors"}
    assert checksums(fresh) == before


def test_the_cur_resync_job_rebuilds_downstream_when_a_delivery_changed(built_copy):
    from carbon_pipeline.orchestration.partitions import SOURCES_TAG
    from carbon_pipeline.runner import run_inventory

    fresh = built_copy  # May 2025 loaded, as every month of the demo
    month = date(2025, 5, 1)
    report = fresh.landing / "cur-reports" / "demo-cur" / "20250501-20250601"
    manifest = json.loads((report / "demo-cur-Manifest.json").read_text())
    old_assembly, new_assembly = manifest["assemblyId"], "11111111-2222-3333-4444-555555555555"
    shutil.copytree(report / old_assembly, report / new_assembly)
    data = report / new_assembly / "demo-cur-1.csv.gz"
    lines = gzip.decompress(data.read_bytes()).decode().splitlines(keepends=True)
    data.write_bytes(gzip.compress("".join(lines[:-5]).encode()))
    manifest.update(
        assemblyId=new_assembly, reportKeys=[k.replace(old_assembly, new_assembly) for k in manifest["reportKeys"]]
    )
    (report / "demo-cur-Manifest.json").write_text(json.dumps(manifest))

    resync = run_inventory(fresh.settings, month, month, job_name="aws_cur_resync_job", tags={SOURCES_TAG: "demo-cur"})
    assert resync.success, failure_messages(resync)
    outcomes = _step_outcomes(resync)
    assert outcomes["ledger__activity"] == outcomes["marts__scope_summary"] == "STEP_SUCCESS"
    assert fresh.query(
        "SELECT SUM(line_item_count) FROM ledger.activity WHERE period_month = DATE '2025-05-01' "
        "AND source_id = 'demo-cur'"
    ) == [(len(lines) - 1 - 5,)]


def _per_month(deployment, table: str, month_column: str = "period_month") -> dict:
    rows = deployment.query(f"SELECT * FROM {table} ORDER BY ALL")
    con_columns = [c[0] for c in deployment.query(f"DESCRIBE {table}")]
    at = con_columns.index(month_column)
    months: dict = {}
    for row in rows:
        months.setdefault(row[at], []).append(row)
    return {month: hash(repr(rs)) for month, rs in months.items()}


def test_adding_a_month_to_the_history_touches_only_that_months_partitions(fresh):
    history_last, new_month = date(2025, 6, 1), date(2025, 7, 1)
    assert fresh.run(date(2024, 1, 1), history_last).success
    before = {table: _per_month(fresh, table) for table in TABLES if table != "audit.restatements"}
    result = fresh.run(new_month, new_month)
    assert result.success, failure_messages(result)
    # Dagster materialized the new month's partition only, for every partitioned asset
    keys = {e.partition for e in result.get_asset_materialization_events() if e.partition is not None}
    assert keys == {"2025-07-01"}
    for table, months in before.items():
        after = _per_month(fresh, table)
        assert {m: h for m, h in after.items() if m != new_month} == months, table
    assert new_month in _per_month(fresh, "ledger.activity")
